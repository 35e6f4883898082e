// The choices a reader makes: the metric menu (grouped by whether the map has figures), the
// period menu (only the periods the API's coverage lists, in words, with counts) and the
// coverage grid. Which period a metric moves to is coverage.js's rule.
import { $ } from './dom.js';
import { state, page } from './state.js';
import { metricName } from './format.js';
import { fetchCoverage } from './api.js';
import { keyOf, keyOfState, applyKey, bestPeriod, periodWords } from './coverage.js';
import { renderGrid } from './grid.js';

export async function loadCoverage() {
  page.coverage = await fetchCoverage(state.map);
}

// The period the state names, as coverage lists it (undefined when it has no figure).
export const currentCoverage = () => (page.coverage.get(state.metric) || []).find((c) => keyOf(c) === keyOfState(state));

export function periodText(c) {
  const nat = c.units === 0 && c.national;
  return `${periodWords(c.period, state.lang)} — ${nat ? page.L.nationalOnly : page.L.unitsWith(c.units, c.total)}`;
}

// moveToBest puts the state on the metric's best-covered period on this map (when it has one).
export function moveToBest() {
  const best = bestPeriod(page.coverage.get(state.metric));
  if (best) applyKey(state, keyOf(best));
}

// The metric menu: metrics with figures on this map first, then those without, each group
// in catalogue order.
export function fillMetrics() {
  const L = page.L;
  const has = (m) => (page.coverage.get(m.id) || []).length > 0;
  const sel = $('metric');
  sel.textContent = '';
  for (const [label, keep] of [[L.metricsWith, has], [L.metricsWithout(state.map), (m) => !has(m)]]) {
    const g = document.createElement('optgroup');
    g.label = label;
    for (const m of page.metrics.filter(keep)) {
      const o = document.createElement('option');
      o.value = m.id; o.textContent = metricName(m);
      g.append(o);
    }
    if (g.children.length) sel.append(g);
  }
  sel.value = state.metric;
}

// The period menu: only the periods with figures on this map, newest first, each with how
// many units have one; a period from the URL without figures is kept and says so.
export function fillPeriods() {
  const sel = $('period');
  sel.textContent = '';
  for (const c of page.coverage.get(state.metric) || []) {
    const o = document.createElement('option');
    o.value = keyOf(c); o.textContent = periodText(c);
    sel.append(o);
  }
  if (!currentCoverage()) {
    const o = document.createElement('option');
    o.value = keyOfState(state);
    o.textContent = `${state.period ? state.period.replace(/^\w+:/, '') : state.year} — ${page.L.noFigures}`;
    sel.prepend(o);
  }
  sel.value = keyOfState(state);
}

// The grid; open(metric, key) shows that view.
export function fillGrid(open) {
  renderGrid($('coverage-grid'), {
    metrics: page.metrics, coverage: page.coverage, names: metricName, describe: periodText, caption: page.L.gridCaption(state.map), open,
  });
}
