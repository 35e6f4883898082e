// The explorer: a page for people who do not write GraphQL. It uses only the public API
// (/graphql and the CSV export), keeps its state in the URL so a view can be shared, and
// shows where every number comes from. A bound ("<10") is never shown as a number, a rank
// that is not certain is shown as a range, and every figure that is not plainly published
// (SYNTHETIC, PROVISIONAL, DERIVED) says so on the bar, the map and in the table.
//
// The modules: state.js (the URL and everything loaded: the only mutable state), api.js
// (the shared .graphql queries), format.js (how figures are written), colors.js (the scale),
// bars.js (the ranked chart and table), map.js (the map and legend), panel.js (a figure's
// sources), trends.js (series and search), controls.js and coverage.js (the menus and which
// period a metric opens on), grid.js (the coverage grid), i18n.js (the labels). This file
// wires them: the heading of a comparison, refresh, the controls' events and the first view.
import { $ } from './dom.js';
import { state, page, hooks, setLang, saveURL } from './state.js';
import { fetchCatalog, fetchComparison } from './api.js';
import { metricName, figureLabel } from './format.js';
import { colorFor, setDomain } from './colors.js';
import { keyOf, applyKey, openingView, periodWords, labelWords } from './coverage.js';
import { loadCoverage, currentCoverage, moveToBest, fillMetrics, fillPeriods, fillGrid } from './controls.js';
import { compareChart, renderBars, renderTable } from './bars.js';
import { mapChart, renderMap, renderLegend, initMapKeys } from './map.js';
import { seriesChart, loadSeries, initSearch } from './trends.js';
import { initPanel } from './panel.js';
import './style.css';

Object.assign(hooks, { compareChart, mapChart, seriesChart, render: (c) => { page.comparison = c; renderComparison(); }, colorFor: (v, q) => colorFor({ value: v, qualifier: q }) });
window.explorer = hooks; // for tests and debugging
addEventListener('resize', () => { compareChart.resize(); mapChart.resize(); seriesChart.resize(); });

function applyLabels() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = page.L[el.dataset.i18n]; });
  $('lang').textContent = state.lang === 'vi' ? 'EN' : 'VI';
  $('map-chart').setAttribute('aria-label', page.L.mapHelp);
  document.title = page.L.title;
}

// The heading of a comparison: title in words, how many units have a figure, the CSV link,
// the national figure, benchmarks and target.
function renderHeading(c, m, all, rows) {
  const L = page.L;
  const cov = currentCoverage();
  const when = cov ? periodWords(cov.period, state.lang) : c.period ? labelWords(c.period.label, state.lang) : periodWords({ kind: 'YEAR', start: c.year }, state.lang);
  $('cmp-title').textContent = `${metricName(m)} — ${when} — ${state.map}`;
  $('bars-title').dataset.i18n = c.ranked === false ? 'barsTitleUnranked' : 'barsTitle';
  $('bars-title').textContent = L[$('bars-title').dataset.i18n];
  const nPub = all.filter((r) => r.value != null && r.figure.status !== 'SYNTHETIC').length;
  const nSyn = all.filter((r) => r.value != null && r.figure.status === 'SYNTHETIC').length;
  // Why no row is ranked (too few units), and which figures a year finds in force.
  const notes = [];
  if (c.ranked !== false && c.rankNote) notes.push(L.fewRanked(c.rankOf));
  if (c.periodNote) {
    // A period's start is the first year of its label ("term:2020-2025", "asof:2023-09-30").
    const start = (p) => Number((p.label.match(/\d{4}/) || [])[0]);
    const inForce = [...new Set(all.map((r) => r.figure.period).filter((p) => p && start(p) !== c.year).map((p) => labelWords(p.label, state.lang)))];
    if (inForce.length) notes.push(L.inForce(c.year, inForce.join(', ')));
  }
  $('status').textContent = `${L.coverage(nPub, all.length - nPub - nSyn, all.length, nSyn)}${page.openedOn ? ` ${L.openedOn(page.openedOn)}` : ''}${rows.length ? '' : ` ${L.noData}`}${notes.length ? ` ${notes.join(' ')}` : ''}`;
  hooks.coverage = { published: nPub, synthetic: nSyn, none: all.length - nPub - nSyn, total: all.length };
  const qs = new URLSearchParams(c.csvUrl.split('?')[1]);
  if (state.synthetic) qs.set('includeSynthetic', 'true');
  $('csv').href = `/export/compare.csv?${qs}`;
  const bench = [];
  const nat = c.national.figure;
  if (nat.value != null) bench.push(`${L.national}: ${figureLabel(nat, m, nat, { mark: 'paren' })}`);
  for (const b of c.benchmarks) if (b.figure.value != null) bench.push(`${state.lang === 'vi' ? b.nameVi : b.name}: ${figureLabel(b.figure, m, b.figure, { mark: 'paren' })}`);
  if (c.target) bench.push(`${L.target}: ${c.target.label} (${c.target.deadline}, ${c.target.directive})`);
  $('benchmarks').textContent = bench.join(' · ');
}

function renderComparison() {
  const c = page.comparison;
  hooks.lastComparison = c;
  const m = { ...page.metrics.find((x) => x.id === state.metric), ...c.metric };
  const all = c.rows;
  const rows = all.filter((r) => r.value != null).reverse(); // best at the top
  renderHeading(c, m, all, rows);
  setDomain(rows.map((r) => r.value));
  renderBars(c, m, rows);
  renderMap(all, m);
  renderLegend(m);
  renderTable([...rows].reverse(), m);
}

async function refresh() {
  saveURL();
  fillPeriods();
  try {
    $('status').textContent = page.L.loading;
    page.comparison = await fetchComparison();
    renderComparison();
    await loadSeries();
  } catch (e) {
    $('status').textContent = e.message;
  }
}

async function loadCatalogue() {
  const d = await fetchCatalog();
  page.metrics = d.metrics;
  page.provinces = [...d.provinces, ...d.vn34];
  fillMetrics();
  fillGrid(openView);
}

// A grid cell: that metric and period.
function openView(metric, key) {
  state.metric = metric; applyKey(state, key); page.openedOn = 0;
  $('metric').value = metric;
  refresh();
}

// A new metric opens on its best-covered period on this map.
$('metric').addEventListener('change', () => { state.metric = $('metric').value; moveToBest(); page.openedOn = 0; refresh(); });
$('period').addEventListener('change', () => { applyKey(state, $('period').value); page.openedOn = 0; refresh(); });
// Another map has other coverage: keep the period if it has figures there, else move.
document.querySelectorAll('input[name=map]').forEach((r) => r.addEventListener('change', async () => {
  state.map = r.value;
  try { await loadCoverage(); } catch (e) { $('status').textContent = e.message; return; }
  if (!currentCoverage()) moveToBest();
  fillMetrics();
  fillGrid(openView);
  refresh();
}));
$('synthetic').addEventListener('change', () => { state.synthetic = $('synthetic').checked; refresh(); });
$('png').addEventListener('click', () => {
  const a = document.createElement('a');
  a.href = compareChart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
  a.download = `cadrestat-${state.metric}-${state.period || state.year}-${state.map}.png`;
  a.click();
});
$('lang').addEventListener('click', async () => {
  setLang(state.lang === 'vi' ? 'en' : 'vi');
  applyLabels();
  await loadCatalogue();
  refresh();
});
initPanel();
initMapKeys();
initSearch();

(async () => {
  applyLabels();
  document.querySelector(`input[name=map][value=${state.map}]`).checked = true;
  $('synthetic').checked = state.synthetic;
  try {
    await loadCoverage();
    await loadCatalogue();
  } catch (e) {
    $('status').textContent = e.message;
    return;
  }
  // No metric in the URL: open on the party-organisation metric and period with the most
  // units holding a figure. A metric without a period: its best-covered period.
  if (!page.metrics.some((m) => m.id === state.metric)) {
    const open = openingView(page.metrics, page.coverage);
    state.metric = open ? open.metric : page.metrics[0].id;
    state.period = '';
    if (open) { applyKey(state, keyOf(open.period)); page.openedOn = open.period.units; }
  } else if (!state.year && !state.period) moveToBest();
  state.year ||= new Date().getFullYear() - 1;
  $('metric').value = state.metric;
  await refresh();
  document.body.dataset.ready = '1';
})();
