// The source panel: where a figure comes from (source, quote, the parts a combined figure is
// built from with their citations, alternatives and corroborating sources), and its citation
// to copy. Everything loaded is written as text.
import { $ } from './dom.js';
import { state, page, currentMetric } from './state.js';
import { fmt, figureLabel, withUnit, show, statusMark, rankText } from './format.js';
import { labelWords } from './coverage.js';

const isWeb = (url) => /^https?:\/\//i.test(url || '');

export function openPanel(row, title) {
  const L = page.L;
  const f = row.figure;
  const o = row.observation || f.observation;
  const m = currentMetric();
  $('panel-title').textContent = title || row.province.name;
  const value = row.value !== undefined ? { value: row.value, qualifier: row.qualifier ?? f.qualifier } : f;
  $('panel-value').textContent = figureLabel(value, m, f, { mark: 'dash' });
  $('panel-rank').textContent = row.rankOf ? rankText(row) : '';
  const dl = $('panel-source');
  dl.textContent = '';
  const add = (k, v, href) => {
    if (!v) return;
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd');
    if (href) { const a = document.createElement('a'); a.href = href; a.textContent = v; a.rel = 'noopener noreferrer'; dd.append(a); } else dd.textContent = v;
    dl.append(dt, dd);
  };
  if (f.period) add(L.period, labelWords(f.period.label, state.lang));
  if (o && o.source) {
    add(L.source, o.source.title); add(L.issuer, o.source.issuer); add(L.doc, o.source.docNumber); add(L.date, o.source.date);
    // A link only to a web address: ingest checks this, but a warehouse filled by other
    // means could hold a javascript: or data: URL, which must stay text.
    if (o.source.url) add(L.link, o.source.url, isWeb(o.source.url) ? o.source.url : undefined);
  }
  if (f.combined && f.combined.length > 1) add(L.combined, f.combined.join(', '));
  if (f.note) add(L.note, f.note);
  if (row.changeNote) add(L.change, row.change != null ? `${fmt(row.change)} (${row.changeNote})` : row.changeNote);
  if (row.contested || f.contested) add(L.contested, '≠');
  // Are we on track? The verdict in the page's language; the server's reason (with the rates
  // compared) in English.
  if (row.onTrack && row.onTrack.verdict !== 'UNKNOWN') {
    const o = row.onTrack;
    add(L.onTrack, state.lang === 'en' ? `${L.verdicts[o.verdict](o)}: ${o.reason}` : L.verdicts[o.verdict](o));
  }
  // A target was looked at and does not judge this figure's period: say why.
  if (row.targetStatus === 'NO_TARGET' && row.targetConsidered) {
    const t = row.targetConsidered;
    const period = f.period ? f.period.label : '';
    add(L.target, state.lang === 'en' && row.targetNote ? row.targetNote : L.targetNotApplied({ ...t, applies: t.applies || [] }, period));
  }
  $('panel-quote').textContent = o ? o.quote : '';
  $('panel-quote').hidden = !o;
  const list = (id, items, write) => {
    const ul = $(id);
    ul.textContent = '';
    for (const it of items) { const li = document.createElement('li'); write(li, it); ul.append(li); }
    return ul;
  };
  const none = (ul) => { if (!ul.children.length) { const li = document.createElement('li'); li.textContent = L.none; ul.append(li); } };
  none(list('panel-parts', f.parts || [], (li, p) => {
    const mark = p.status !== 'PUBLISHED' ? ` [${statusMark(p) || p.status}]` : '';
    li.textContent = `${p.province ? `${p.province.name}, ` : ''}${p.period ? labelWords(p.period.label, state.lang) : ''}: ${withUnit(show(p), m)}${mark} — ${p.citation}`;
  }));
  none(list('panel-alternatives', (o && o.alternatives) || [], (li, a) => {
    li.textContent = `${withUnit(show(a), m)} — ${a.source.title}${a.source.date ? `, ${a.source.date}` : ''}: “${a.quote}”`;
  }));
  // Other sources that agree with the figure shown (corroboration, not conflict).
  const corr = list('panel-corroborating', (o && o.corroborating) || [], (li, a) => {
    li.append(document.createTextNode(`${withUnit(show(a), m)} — ${a.source.title}${a.source.issuer ? `, ${a.source.issuer}` : ''}${a.source.date ? `, ${a.source.date}` : ''}`));
    if (isWeb(a.source.url)) {
      const link = document.createElement('a');
      link.href = a.source.url; link.rel = 'noopener noreferrer'; link.textContent = L.link;
      li.append(document.createTextNode(' ('), link, document.createTextNode(')'));
    }
    if (a.quote) li.append(document.createTextNode(`: “${a.quote}”`));
  });
  $('panel-corroborating-box').hidden = !corr.children.length;
  $('copy').onclick = async () => {
    const cites = (f.parts || []).map((p) => p.citation).join('; ');
    const text = `${$('panel-title').textContent}: ${figureLabel(value, m, f, { mark: 'paren' })} — ${cites || f.note}`;
    // Set before the clipboard write: the write may wait (permissions, a busy machine), and
    // what was copied must be readable from the button as soon as it is pressed.
    $('copy').dataset.citation = text;
    try { await navigator.clipboard.writeText(text); } catch { /* clipboard may be blocked */ }
    $('copy').textContent = page.L.copied;
    setTimeout(() => { $('copy').textContent = page.L.copy; }, 1500);
  };
  $('panel').hidden = false;
  $('panel').focus();
}

export function initPanel() {
  $('panel-close').addEventListener('click', () => { $('panel').hidden = true; });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') $('panel').hidden = true; });
}
