// The explorer's rules over the API's coverage (web/explorer/src/coverage.js), with no
// server: which period a metric opens on, which metric the page opens on, and how a period
// is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestPeriod, openingView, isPartyMetric, periodWords, periodOf, labelWords, keyOf, applyKey, keyOfState } from '../explorer/src/coverage.js';

const c = (label, kind, start, end, units, year = null, national = false) => ({ period: { label, kind, start, end }, year, units, total: 63, national });

test('the best period has the most units, the newest on a tie; none without figures', () => {
  const list = [c('term:2020-2025', 'TERM', 2020, 2025, 7, 2020), c('range:2015-2021', 'RANGE', 2015, 2021, 9), c('term:2015-2020', 'TERM', 2015, 2020, 9, 2015)];
  assert.equal(bestPeriod(list).period.label, 'range:2015-2021'); // 9 units, listed first (newest)
  assert.equal(bestPeriod([c('2021', 'YEAR', 2021, 2021, 0, 2021, true), c('2019', 'YEAR', 2019, 2019, 0, 2019, true)]).period.label, '2021');
  assert.equal(bestPeriod([]), null);
  assert.equal(bestPeriod(undefined), null);
});

test('the page opens on the party-organisation metric with the most units, never turnout', () => {
  const metrics = [
    { id: 'voter_turnout', body: 'elections' },
    { id: 'female_provincial_committee_share', body: 'provincial party committee' },
    { id: 'new_members', body: 'party organisation' },
    { id: 'staff_cut', body: 'state and party apparatus' },
    { id: 'female_pc_provincial_share', body: "People's Council" },
  ];
  const cov = new Map([
    ['voter_turnout', [c('2021', 'YEAR', 2021, 2021, 26, 2021)]],
    ['female_pc_provincial_share', [c('term:2021-2026', 'TERM', 2021, 2026, 20, 2021)]],
    ['female_provincial_committee_share', [c('term:2015-2020', 'TERM', 2015, 2020, 15, 2015)]],
    ['new_members', [c('2019', 'YEAR', 2019, 2019, 15, 2019)]],
    ['staff_cut', [c('2015', 'YEAR', 2015, 2015, 3, 2015)]],
  ]);
  assert.deepEqual(metrics.map(isPartyMetric), [false, true, true, true, false]);
  const open = openingView(metrics, cov);
  assert.equal(open.metric, 'female_provincial_committee_share'); // 15 units, first in catalogue order
  assert.equal(keyOf(open.period), 'y:2015');
  assert.equal(openingView(metrics, new Map()), null);
});

test('periods are written in words, in both languages', () => {
  const w = (l, lang) => labelWords(l, lang);
  assert.equal(w('term:2020-2025', 'vi'), 'nhiệm kỳ 2020–2025');
  assert.equal(w('term:2020-2025', 'en'), '2020–2025 term');
  assert.equal(w('range:2015-2021', 'vi'), '2015–2021 (cộng dồn)');
  assert.equal(w('range:2015-2021', 'en'), '2015–2021 (cumulative)');
  assert.equal(w('asof:2025-10-02', 'vi'), 'tính đến 02/10/2025');
  assert.equal(w('2021', 'vi'), 'năm 2021');
  assert.equal(w('2021', 'en'), '2021');
  assert.equal(periodOf('soon'), null);
  assert.equal(w('soon', 'vi'), 'soon');
  assert.equal(periodWords(null, 'vi'), '');
});

test('a period key moves the state and reads back', () => {
  const s = { year: 2020, period: '' };
  applyKey(s, 'p:range:2015-2021');
  assert.deepEqual(s, { year: 2020, period: 'range:2015-2021' });
  assert.equal(keyOfState(s), 'p:range:2015-2021');
  applyKey(s, 'y:2015');
  assert.deepEqual(s, { year: 2015, period: '' });
  assert.equal(keyOfState(s), 'y:2015');
});
