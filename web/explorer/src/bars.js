// The ranked chart (bars best at the top, the national figure and the target band drawn
// where they are) and the data table below it.
import * as echarts from 'echarts';
import { $ } from './dom.js';
import { page, hooks } from './state.js';
import { tip, tick, unitOf, figureLabel, rankText, rankShort, withUnit, show, statusMark, metricName } from './format.js';
import { colorFor, styleFor, rowFigure } from './colors.js';
import { openPanel } from './panel.js';

export const compareChart = echarts.init($('compare-chart'), null, { renderer: 'canvas' });

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const k of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (k * p >= v) return k * p;
  return 10 * p;
}

// axisRange covers the values, the national figure and the target, so a target above (or
// below) every value is still drawn where it is.
function axisRange(vals, nat, t, m) {
  const ends = [...vals, nat.value, t && t.lower, t && t.upper].filter((x) => x != null);
  const lo = Math.min(0, ...ends);
  let hi = niceMax(Math.max(...ends, 0) * 1.05);
  if (m.unit === 'percent' && hi > 100 && Math.max(...ends) <= 100) hi = 100;
  return [lo, hi];
}

const barLabel = (r, m) => figureLabel({ value: r.value, qualifier: r.qualifier }, m, r.figure, { contested: r.contested });

// renderBars draws the rows with a figure (best at the top) of comparison c, metric m.
export function renderBars(c, m, rows) {
  const L = page.L;
  const nat = c.national.figure;
  const t = c.target;
  const vals = rows.map((r) => r.value);
  const [lo, hi] = axisRange(vals, nat, t, m);
  const markLines = [];
  // Above the plot, never at the foot where the axis ticks are; the target's label goes a row
  // higher, so the two never overlap.
  if (nat.value != null) markLines.push({ xAxis: nat.value, name: L.national, label: { position: 'end', distance: 4, formatter: `${L.national} ${withUnit(show(nat), m)}` } });
  let band = [];
  if (t && (t.lower != null || t.upper != null)) {
    const from = t.lower ?? lo; const to = t.upper ?? hi;
    const where = vals.length && t.lower != null && vals.every((v) => v < t.lower) ? 'insideTopRight' : 'top';
    band = [[{ xAxis: from, name: `${L.target} ${t.label}`, label: { position: where, distance: where === 'top' ? 22 : 5 } }, { xAxis: to }]];
  }
  const unit = unitOf(m);
  compareChart.setOption({
    animation: false,
    aria: { enabled: true },
    grid: { left: 8, right: 96, top: 60, bottom: 44, containLabel: true },
    tooltip: { trigger: 'item', formatter: (p) => tip(`${p.name}: ${barLabel(rows[p.dataIndex], m)}`, rankText(rows[p.dataIndex])) },
    xAxis: { type: 'value', min: lo, max: hi, name: L.axis(unit), nameLocation: 'middle', nameGap: 28, axisLabel: { formatter: tick(unit) } },
    yAxis: { type: 'category', data: rows.map((r) => r.province.name), axisLabel: { interval: 0 } },
    series: [{
      type: 'bar', name: metricName(m),
      data: rows.map((r) => ({
        value: r.value,
        itemStyle: styleFor(rowFigure(r)),
        label: { show: true, position: 'right', formatter: barLabel(r, m) },
      })),
      markArea: { silent: true, itemStyle: { color: 'rgba(46, 160, 67, 0.15)' }, label: { position: 'top', color: '#1a7f37', fontWeight: 'bold' }, data: band },
      markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#555' }, data: markLines },
    }],
  }, true);
  compareChart.getDom().style.height = `${Math.max(240, rows.length * 26 + 70)}px`;
  compareChart.resize();
  compareChart.off('click');
  compareChart.on('click', (p) => openPanel(rows[p.dataIndex]));
  hooks.band = band.length ? [band[0][0].xAxis, band[0][1].xAxis] : null;
  hooks.bars = rows.length;
  hooks.rows = rows.map((r) => ({ id: r.province.id, name: r.province.name, value: r.value, display: show(r), qualifier: r.qualifier, rank: r.rank, rankRange: r.rankRange, rankOf: r.rankOf, status: r.figure.status, color: colorFor(r), label: barLabel(r, m) }));
}

// renderTable lists the rows best first, each opening its source.
export function renderTable(rows, m) {
  const L = page.L;
  const head = document.createElement('tr');
  for (const h of [L.rank, L.province, L.value, L.status, L.source]) { const th = document.createElement('th'); th.textContent = h; head.append(th); }
  $('compare-table').querySelector('thead').replaceChildren(head);
  const tbody = $('compare-table').querySelector('tbody');
  tbody.textContent = '';
  for (const r of rows) {
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

