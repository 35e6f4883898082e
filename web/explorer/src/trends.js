// The trends panel: the national series of the metric plus the units picked, found through
// the API's search. Only YEAR and TERM figures are yearly points; ranges and as-of figures
// are listed under the chart, never plotted as a year.
import * as echarts from 'echarts';
import { $ } from './dom.js';
import { state, page, hooks, saveURL, currentMetric } from './state.js';
import { fold } from './i18n.js';
import { tip, tick, unitOf, figureLabel, isBound } from './format.js';
import { fetchSeries, fetchSearch } from './api.js';
import { openPanel } from './panel.js';
import { labelWords } from './coverage.js';

export const seriesChart = echarts.init($('series-chart'), null, { renderer: 'canvas' });
const YEARS = Array.from({ length: 21 }, (_, i) => 2010 + i);
const yearly = (pt) => pt.period.kind === 'YEAR' || pt.period.kind === 'TERM';

function renderPicked() {
  $('picked').textContent = '';
  for (const id of state.provinces) {
    const p = page.provinces.find((x) => x.id === id);
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button'; b.textContent = `${p ? p.name : id} ×`; b.setAttribute('aria-label', `${page.L.remove} ${p ? p.name : id}`);
    b.addEventListener('click', () => { state.provinces = state.provinces.filter((x) => x !== id); saveURL(); loadSeries(); });
    li.append(b); $('picked').append(li);
  }
}

export async function loadSeries() {
  const L = page.L;
  renderPicked();
  const series = await fetchSeries(['VN', ...state.provinces.filter((id) => id.startsWith(state.map))]);
  const m = currentMetric();
  const target = page.comparison && page.comparison.target;
  const named = (s) => (s.province.id === 'VN' ? L.national : s.province.name);
  const unit = unitOf(m);
  const marks = [];
  // A function, not a string: ECharts reads {a}, {b}… in a string formatter as a template, and
  // the label carries the metric's unit as loaded.
  const targetText = target && `${L.target} ${target.label}`;
  // Inside the plot, right-aligned above the line: at the line's end it ran off the canvas.
  const targetLabel = { position: 'insideEndTop', formatter: () => targetText };
  if (target && target.lower != null) marks.push({ yAxis: target.lower, name: L.target, label: targetLabel });
  if (target && target.upper != null) marks.push({ yAxis: target.upper, name: L.target, label: targetLabel });
  const pointFigure = (pt) => ({ ...pt.figure, value: pt.value });
  seriesChart.setOption({
    animation: false,
    aria: { enabled: true },
    tooltip: { trigger: 'item', formatter: (p) => tip(p.data && p.data.text ? `${p.seriesName} ${YEARS[p.dataIndex]}: ${p.data.text}` : p.seriesName) },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 40, bottom: 24, containLabel: true },
    xAxis: { type: 'category', data: YEARS },
    yAxis: { type: 'value', name: L.axis(unit), nameTextStyle: { align: 'left' }, axisLabel: { formatter: tick(unit) } },
    series: series.map((s, i) => ({
      type: 'line', name: named(s), connectNulls: false, symbolSize: 8,
      data: YEARS.map((y) => {
        const pt = s.points.find((p) => p.year === y && yearly(p) && p.value != null);
        if (!pt) return null;
        const f = pointFigure(pt);
        const text = figureLabel(f, m);
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
  for (const s of series) for (const pt of s.points) if (!yearly(pt) && pt.value != null) other.push(`${named(s)} — ${labelWords(pt.period.label, state.lang)}: ${figureLabel(pointFigure(pt), m)}`);
  const synthShown = series.some((s) => s.points.some((pt) => pt.figure.status === 'SYNTHETIC' || isBound(pointFigure(pt))));
  $('series-other').textContent = [synthShown ? L.synthSymbol : '', other.length ? `${L.notPlotted} ${other.join(' · ')}` : ''].filter(Boolean).join(' ');
  hooks.seriesData = series;
  seriesChart.off('click');
  seriesChart.on('click', (p) => {
    const s = series[p.seriesIndex];
    const pt = s.points.find((x) => x.year === YEARS[p.dataIndex] && yearly(x));
    if (pt) openPanel({ ...pt, province: s.province, qualifier: pt.figure.qualifier }, `${named(s)}, ${labelWords(pt.period.label, state.lang)}`);
  });
}

// The search asks the API (searchProvinces): its aliases (HCMC, Sai Gon, hanoi), folding,
// and the unit a name of the other map became. A hit found through a predecessor says so.
async function searchUnits(text) {
  const hits = await fetchSearch(text);
  // Folded, and punctuation as spaces: "ba ria vung tau" is "Bà Rịa – Vũng Tàu".
  const key = (x) => fold(x).replace(/[^a-z0-9]+/g, ' ').trim();
  const f = key(text);
  return hits.map((p) => {
    const via = !key(p.name).includes(f) && (p.predecessors || []).find((q) => key(q.name).includes(f));
    return { ...p, via: via ? via.name : '' };
  });
}

async function suggest(text) {
  const seq = ++page.searchSeq;
  const hits = text.trim().length >= 2 ? await searchUnits(text).catch(() => []) : [];
  if (seq !== page.searchSeq) return; // a newer keystroke has asked again
  $('province-list').textContent = '';
  for (const p of hits) {
    const o = document.createElement('option');
    o.value = `${p.name} (${p.id})`;
    if (p.via) o.label = page.L.via(p.via);
    $('province-list').append(o);
  }
}

const CHOSEN = /\((VN\d\d-\d\d)\)$/; // a suggestion ends with its unit's ID

async function pickProvince(text) {
  $('search').value = ''; // at once: Enter may also fire change with the same text
  if (!text.trim()) return;
  const m = CHOSEN.exec(text);
  let p = m && page.provinces.find((x) => x.id === m[1]);
  let note = '';
  if (!p) {
    const hits = await searchUnits(text).catch(() => []);
    p = hits[0];
    note = !p ? page.L.noMatch(text) : p.via ? page.L.foundVia(text, p.name, p.via) : '';
  }
  $('search-note').textContent = note;
  if (p && !state.provinces.includes(p.id)) {
    state.provinces.push(p.id);
    saveURL();
    loadSeries();
  }
}

export function initSearch() {
  // A suggestion chosen from the list: add it at once.
  $('search').addEventListener('input', () => { const v = $('search').value; if (CHOSEN.test(v)) pickProvince(v); else suggest(v); });
  $('search').addEventListener('change', () => pickProvince($('search').value));
  $('search').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); pickProvince($('search').value); } });
}
