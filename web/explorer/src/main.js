// The explorer: a page for people who do not write GraphQL. It uses only the public API
// (/graphql and the CSV export), keeps its state in the URL so a view can be shared, and
// shows where every number comes from.
import * as echarts from 'echarts';
import { labels, fold } from './i18n.js';
import './style.css';
// Shared with the server, which pre-renders this query for every metric, year and map.
import compareQuery from '../../../server/explorer/compare.graphql?raw';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = {
  metric: params.get('metric') || 'female_provincial_committee_share',
  year: Number(params.get('year')) || 2020,
  map: params.get('map') === 'VN34' ? 'VN34' : 'VN63',
  synthetic: params.get('synthetic') === '1',
  provinces: (params.get('provinces') || '').split(',').filter(Boolean),
  lang: params.get('lang') === 'en' ? 'en' : 'vi',
};
let L = labels[state.lang];
let metrics = [];
let provinces = [];
let comparison = null;

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

const OBS = `id value numerator denominator qualifier status quote citation
  period { label } source { id title issuer docNumber date kind }
  alternatives { value qualifier status quote citation source { title issuer date } }`;

function saveURL() {
  const p = new URLSearchParams({ metric: state.metric, year: state.year, map: state.map });
  if (state.synthetic) p.set('synthetic', '1');
  if (state.provinces.length) p.set('provinces', state.provinces.join(','));
  if (state.lang !== 'vi') p.set('lang', state.lang);
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

function applyLabels() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = L[el.dataset.i18n]; });
  $('lang').textContent = state.lang === 'vi' ? 'EN' : 'VI';
  document.title = L.title;
}

function metricName(m) { return state.lang === 'vi' ? m.nameVi : m.nameEn; }
function fmt(v) { return v == null ? '—' : Number(v).toLocaleString(state.lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2 }); }
function boundMark(o) { return o && o.qualifier === 'LOWER_BOUND' ? '>' : o && o.qualifier === 'UPPER_BOUND' ? '<' : ''; }

const compareChart = echarts.init($('compare-chart'), null, { renderer: 'canvas' });
const seriesChart = echarts.init($('series-chart'), null, { renderer: 'canvas' });
window.explorer = { compareChart, seriesChart, state }; // for tests and debugging
addEventListener('resize', () => { compareChart.resize(); seriesChart.resize(); });

async function loadCatalogue() {
  const d = await gql(`{ metrics { id nameEn nameVi unit kind } provinces(map: VN63) { id name nameAscii } vn34: provinces(map: VN34) { id name nameAscii } }`);
  metrics = d.metrics;
  provinces = [...d.provinces, ...d.vn34];
  $('metric').innerHTML = '';
  for (const m of metrics) {
    const o = document.createElement('option');
    o.value = m.id; o.textContent = metricName(m);
    $('metric').append(o);
  }
  $('metric').value = state.metric;
  $('province-list').innerHTML = '';
  for (const p of provinces) {
    const o = document.createElement('option');
    o.value = `${p.name} (${p.id})`;
    $('province-list').append(o);
  }
}

async function loadComparison() {
  $('status').textContent = L.loading;
  const d = await gql(compareQuery,
  { m: state.metric, y: state.year, map: state.map, s: state.synthetic });
  comparison = d.compare;
  renderComparison();
}

function renderComparison() {
  const c = comparison;
  const rows = c.rows.filter((r) => r.value != null).reverse(); // best at the top
  const m = metrics.find((x) => x.id === state.metric);
  $('cmp-title').textContent = `${metricName(m)} — ${state.year} — ${state.map}`;
  $('status').textContent = rows.length ? L.bars(rows.length) : L.noData;
  const qs = new URLSearchParams(c.csvUrl.split('?')[1]);
  if (state.synthetic) qs.set('includeSynthetic', 'true');
  $('csv').href = `/export/compare.csv?${qs}`;
  const bench = [];
  if (c.national.figure.value != null) bench.push(`${L.national}: ${fmt(c.national.figure.value)}`);
  for (const b of c.benchmarks) if (b.figure.value != null) bench.push(`${b.name}: ${fmt(b.figure.value)}`);
  if (c.target) bench.push(`${L.target}: ${c.target.label} (${c.target.deadline}, ${c.target.directive})`);
  $('benchmarks').textContent = bench.join(' · ');

  const synth = (r) => r.observation && r.observation.status === 'SYNTHETIC';
  const markLines = [];
  if (c.national.figure.value != null) markLines.push({ xAxis: c.national.figure.value, name: L.national, label: { formatter: `${L.national} ${fmt(c.national.figure.value)}` } });
  const band = c.target ? [[{ xAxis: c.target.lower ?? 0, name: `${L.target} ${c.target.label}` }, { xAxis: c.target.upper ?? 'max' }]] : [];
  compareChart.setOption({
    animation: false,
    grid: { left: 8, right: 48, top: 36, bottom: 40, containLabel: true },
    tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${boundMark(rows[p.dataIndex].observation)}${fmt(p.value)}${synth(rows[p.dataIndex]) ? ` (${L.synth})` : ''}` },
    xAxis: { type: 'value', name: m.unit, nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'category', data: rows.map((r) => r.province.name), axisLabel: { interval: 0 } },
    series: [{
      type: 'bar', name: metricName(m),
      data: rows.map((r) => ({
        value: r.value,
        // Synthetic bars are grey and hatched; bounds ("<10") are pale and hatched, so
        // neither reads as an exact published figure.
        itemStyle: synth(r) ? { color: '#bbb', decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 3], rotation: 0.8 } }
          : boundMark(r.observation) ? { color: r.targetStatus === 'BELOW' ? 'rgba(192,57,43,.45)' : 'rgba(31,111,178,.45)', decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: -0.8 } }
            : { color: r.targetStatus === 'BELOW' ? '#c0392b' : '#1f6fb2' },
        label: { show: true, position: 'right', formatter: `${boundMark(r.observation)}${fmt(r.value)}${synth(r) ? ` ${L.synth}` : ''}` },
      })),
      markArea: { silent: true, itemStyle: { color: 'rgba(46, 160, 67, 0.15)' }, label: { position: 'top', color: '#1a7f37', fontWeight: 'bold' }, data: band },
      markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#555' }, data: markLines },
    }],
  }, true);
  compareChart.getDom().style.height = `${Math.max(240, rows.length * 26 + 60)}px`;
  compareChart.resize();
  compareChart.off('click');
  compareChart.on('click', (p) => openPanel(rows[p.dataIndex].province.name, rows[p.dataIndex]));
  window.explorer.bars = rows.length;

  const thead = $('compare-table').querySelector('thead');
  thead.innerHTML = `<tr><th>${L.rank}</th><th>${L.province}</th><th>${L.value}</th><th>${L.status}</th><th>${L.source}</th></tr>`;
  const tbody = $('compare-table').querySelector('tbody');
  tbody.innerHTML = '';
  for (const r of [...rows].reverse()) {
    const tr = document.createElement('tr');
    const btn = document.createElement('button');
    btn.type = 'button'; btn.textContent = r.province.name;
    btn.addEventListener('click', () => openPanel(r.province.name, r));
    tr.innerHTML = `<td>${r.rank ?? ''}</td><td></td><td>${boundMark(r.observation)}${fmt(r.value)}${synth(r) ? ` <strong>${L.synth}</strong>` : ''}</td><td>${r.targetStatus}</td><td></td>`;
    tr.children[1].append(btn);
    tr.children[4].textContent = r.observation ? r.observation.source.title : `${L.combined} ${r.figure.combined.join(', ')}`;
    tbody.append(tr);
  }
}

function openPanel(title, row) {
  const o = row.observation;
  $('panel-title').textContent = title;
  $('panel-value').textContent = `${boundMark(o)}${fmt(row.value)}${o && o.status === 'SYNTHETIC' ? ` — ${L.synth}` : ''}`;
  const dl = $('panel-source');
  dl.innerHTML = '';
  const add = (k, v) => { if (!v) return; const dt = document.createElement('dt'); dt.textContent = k; const dd = document.createElement('dd'); dd.textContent = v; dl.append(dt, dd); };
  if (o) {
    add(L.source, o.source.title); add(L.issuer, o.source.issuer); add(L.doc, o.source.docNumber); add(L.date, o.source.date);
    $('panel-quote').textContent = o.quote;
  } else {
    add(L.combined, row.figure.combined.join(', '));
    $('panel-quote').textContent = row.figure.note;
  }
  const alts = $('panel-alternatives');
  alts.innerHTML = '';
  for (const a of (o && o.alternatives) || []) {
    const li = document.createElement('li');
    li.textContent = `${boundMark(a)}${fmt(a.value)} — ${a.source.title}${a.source.date ? `, ${a.source.date}` : ''}: “${a.quote}”`;
    alts.append(li);
  }
  if (!alts.children.length) alts.innerHTML = `<li>${L.none}</li>`;
  $('copy').onclick = async () => {
    const text = o ? `${title}: ${boundMark(o)}${fmt(row.value)} — ${o.citation}` : `${title}: ${fmt(row.value)} (${row.figure.note})`;
    try { await navigator.clipboard.writeText(text); } catch { /* clipboard may be blocked */ }
    $('copy').dataset.citation = text;
    $('copy').textContent = L.copied;
    setTimeout(() => { $('copy').textContent = L.copy; }, 1500);
  };
  $('panel').hidden = false;
  $('panel').focus();
}

async function loadSeries() {
  const ids = state.provinces;
  $('picked').innerHTML = '';
  for (const id of ids) {
    const p = provinces.find((x) => x.id === id);
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button'; b.textContent = `${p ? p.name : id} ×`; b.setAttribute('aria-label', `${L.remove} ${p ? p.name : id}`);
    b.addEventListener('click', () => { state.provinces = state.provinces.filter((x) => x !== id); saveURL(); loadSeries(); });
    li.append(b); $('picked').append(li);
  }
  if (!ids.length) { seriesChart.clear(); return; }
  const map = ids[0].startsWith('VN34') ? 'VN34' : 'VN63';
  const d = await gql(`query($m: ID!, $p: [ID!]!, $map: Map, $s: Boolean) {
    series(metric: $m, provinces: $p, from: 2010, to: 2030, map: $map, includeSynthetic: $s) {
      province { id name } points { year value observation { ${OBS} } figure { combined missing note } } } }`,
  { m: state.metric, p: ids.filter((id) => id.startsWith(map)), map, s: state.synthetic });
  const years = Array.from({ length: 21 }, (_, i) => 2010 + i);
  const target = comparison && comparison.target;
  seriesChart.setOption({
    animation: false,
    tooltip: { trigger: 'item' },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 40, bottom: 24, containLabel: true },
    xAxis: { type: 'category', data: years },
    yAxis: { type: 'value' },
    series: d.series.map((s, i) => ({
      type: 'line', name: s.province.name, connectNulls: false, symbolSize: 8,
      data: years.map((y) => { const pt = s.points.find((p) => p.year === y); return pt ? pt.value : null; }),
      markLine: i === 0 && target && target.lower != null ? { symbol: 'none', data: [{ yAxis: target.lower, name: L.target }], lineStyle: { color: '#2ea043' } } : undefined,
    })),
  }, true);
  seriesChart.off('click');
  seriesChart.on('click', (p) => {
    const s = d.series[p.seriesIndex];
    const pt = s.points.find((x) => x.year === years[p.dataIndex]);
    if (pt) openPanel(`${s.province.name} ${pt.year}`, pt);
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
  try {
    await loadComparison();
    await loadSeries();
  } catch (e) {
    $('status').textContent = e.message;
  }
}

$('metric').addEventListener('change', () => { state.metric = $('metric').value; refresh(); });
$('year').addEventListener('change', () => { state.year = Number($('year').value); refresh(); });
document.querySelectorAll('input[name=map]').forEach((r) => r.addEventListener('change', () => { state.map = r.value; refresh(); }));
$('synthetic').addEventListener('change', () => { state.synthetic = $('synthetic').checked; refresh(); });
$('search').addEventListener('change', () => pickProvince($('search').value));
$('search').addEventListener('keydown', (e) => { if (e.key === 'Enter') pickProvince($('search').value); });
$('panel-close').addEventListener('click', () => { $('panel').hidden = true; });
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') $('panel').hidden = true; });
$('png').addEventListener('click', () => {
  const a = document.createElement('a');
  a.href = compareChart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
  a.download = `cadrestat-${state.metric}-${state.year}-${state.map}.png`;
  a.click();
});
$('lang').addEventListener('click', async () => {
  state.lang = state.lang === 'vi' ? 'en' : 'vi';
  L = labels[state.lang];
  applyLabels();
  await loadCatalogue();
  refresh();
});

(async () => {
  applyLabels();
  $('year').value = state.year;
  document.querySelector(`input[name=map][value=${state.map}]`).checked = true;
  $('synthetic').checked = state.synthetic;
  try {
    await loadCatalogue();
  } catch (e) {
    $('status').textContent = e.message;
    return;
  }
  await refresh();
  document.body.dataset.ready = '1';
})();
