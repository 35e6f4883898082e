// The coverage grid: one row per metric with figures on the map, one column per start year,
// each cell the number of units with a figure in the best-covered period starting that year
// ("VN" when only the nation has one). A cell is a button that opens that view, so a reader
// sees at a glance what is known and gets there in one click.
import { keyOf, bestPeriod } from './coverage.js';

// renderGrid fills `root` (emptied first); names(metric) is the metric's name in the page's
// language, describe(c) the words for a coverage entry, open(metricId, key) opens a view.
export function renderGrid(root, { metrics, coverage, names, describe, open, caption }) {
  root.textContent = '';
  const rows = metrics.filter((m) => (coverage.get(m.id) || []).length);
  const years = [...new Set(rows.flatMap((m) => coverage.get(m.id).map((c) => c.period.start)))].sort((a, b) => a - b);
  const table = document.createElement('table');
  table.className = 'coverage-grid';
  const cap = document.createElement('caption');
  cap.textContent = caption;
  const head = document.createElement('tr');
  head.append(document.createElement('th'));
  for (const y of years) { const th = document.createElement('th'); th.scope = 'col'; th.textContent = String(y); head.append(th); }
  const thead = document.createElement('thead'); thead.append(head);
  const tbody = document.createElement('tbody');
  for (const m of rows) {
    const tr = document.createElement('tr');
    const th = document.createElement('th'); th.scope = 'row'; th.textContent = names(m);
    tr.append(th);
    for (const y of years) {
      const td = document.createElement('td');
      const here = coverage.get(m.id).filter((c) => c.period.start === y);
      const best = bestPeriod(here);
      if (best) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = best.units ? String(best.units) : 'VN';
        b.title = here.map(describe).join('\n');
        b.setAttribute('aria-label', `${names(m)}: ${here.map(describe).join('; ')}`);
        b.dataset.metric = m.id; b.dataset.key = keyOf(best);
        b.style.setProperty('--share', String(best.total ? best.units / best.total : 0));
        b.addEventListener('click', () => open(m.id, keyOf(best)));
        td.append(b);
      }
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.append(cap, thead, tbody);
  root.append(table);
}
