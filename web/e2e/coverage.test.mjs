// The explorer leads to the data: it opens on a party-organisation metric with the widest
// coverage (never an empty chart, never turnout), a metric picked in the page moves to its
// best-covered period, the period picker lists exactly the periods the API's coverage lists
// (in words, with counts), and the coverage grid opens any view in one click.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchChromium, outDir } from './lib.mjs';

let stop; let browser; let base;
before(async () => { ({ base, stop } = await startServer('coverage', [])); browser = await launchChromium(); });
after(async () => { await browser?.close(); stop?.(); });

async function api(query, variables) {
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}
async function coverage(map = 'VN63') {
  const d = await api('query($map: Map) { metrics { id body } coverage(map: $map) { metric { id } periods { period { kind label start end } year units total national } } }', { map });
  const body = new Map(d.metrics.map((m) => [m.id, m.body]));
  return d.coverage.map((c) => ({ id: c.metric.id, body: body.get(c.metric.id), periods: c.periods }));
}
const keyOf = (c) => (c.year != null ? `y:${c.year}` : `p:${c.period.label}`);
const urlKey = (u) => { const p = new URL(u).searchParams; return p.get('period') ? `p:${p.get('period')}` : `y:${p.get('year')}`; };
const best = (periods) => periods.reduce((b, c) => (!b || c.units > b.units ? c : b), null);

async function open(query = '', viewport = { width: 1400, height: 1000 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/explore/${query}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  return { page, errors };
}

test('the first view is a party-organisation metric with the widest coverage, not empty, not turnout', async () => {
  const cov = await coverage();
  const party = cov.filter((m) => /\bparty\b/i.test(m.body) && m.periods.length);
  const most = Math.max(...party.map((m) => best(m.periods).units));
  assert.ok(most > 0);
  for (const [lang, q] of [['vi', ''], ['en', '?lang=en']]) {
    const { page, errors } = await open(q);
    const u = new URL(page.url()).searchParams;
    const metric = u.get('metric');
    assert.notEqual(metric, 'voter_turnout');
    const m = cov.find((x) => x.id === metric);
    assert.match(m.body, /\bparty\b/i, `${metric} is a party-organisation metric`);
    const b = best(m.periods);
    assert.equal(b.units, most, `${metric} has the widest coverage`);
    assert.equal(urlKey(page.url()), keyOf(b));
    assert.equal(await page.evaluate(() => window.explorer.bars), most);
    const title = await page.textContent('#cmp-title');
    assert.ok(!/range:|term:|asof:/.test(title), title);
    if (b.period.kind === 'TERM') assert.ok(title.includes(lang === 'vi' ? `nhiệm kỳ ${b.period.start}–${b.period.end}` : `${b.period.start}–${b.period.end} term`), title);
    await page.screenshot({ path: join(outDir, `first-view-${lang}.png`) });
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('switching to each of five metrics lands on its best-covered period, a non-empty view; the period list is the API coverage', async () => {
  const cov = await coverage();
  // Five metrics of different kinds with unit figures: terms, a cumulative range, as-of, years.
  const want = ['female_provincial_committee_share', 'staff_cut_plan_pct', 'party_members_total', 'new_members', 'female_pc_provincial_share'];
  const { page, errors } = await open('?metric=voter_turnout&year=2021&map=VN63');
  for (const id of want) {
    const m = cov.find((x) => x.id === id);
    const b = best(m.periods);
    assert.ok(b && b.units > 0, `${id} has unit figures`);
    await page.selectOption('#metric', id);
    await page.waitForFunction(([mid, n]) => new URL(location.href).searchParams.get('metric') === mid && window.explorer.bars === n, [id, b.units], { timeout: 15000 });
    assert.equal(urlKey(page.url()), keyOf(b), id);
    // The picker lists exactly the API's periods, newest first, each with its count.
    const opts = await page.$$eval('#period option', (os) => os.map((o) => ({ v: o.value, t: o.textContent })));
    assert.deepEqual(opts.map((o) => o.v), m.periods.map(keyOf), id);
    m.periods.forEach((c, i) => {
      assert.ok(c.units ? opts[i].t.includes(`${c.units}/${c.total}`) : opts[i].t.includes('toàn quốc'), `${id}: ${opts[i].t}`);
      assert.ok(!/range:|term:|asof:/.test(opts[i].t), opts[i].t);
    });
    assert.equal(await page.inputValue('#period'), keyOf(b));
    const title = await page.textContent('#cmp-title');
    assert.ok(!/range:|term:|asof:/.test(title), title);
    if (b.period.kind === 'RANGE') assert.ok(title.includes(`${b.period.start}–${b.period.end}`), title);
    await page.screenshot({ path: join(outDir, `switch-${id}.png`) });
  }
  // Picking another period from the list shows that period's units.
  const fem = cov.find((x) => x.id === 'female_pc_provincial_share');
  const other = fem.periods.find((c) => c !== best(fem.periods) && c.units > 0);
  if (other) {
    await page.selectOption('#period', keyOf(other));
    await page.waitForFunction((n) => window.explorer.bars === n, other.units);
    assert.equal(urlKey(page.url()), keyOf(other));
  }
  assert.deepEqual(errors, []);
});

test('a metric without figures on one map stays where the URL puts it and says so; map switch keeps or moves the period', async () => {
  const { page, errors } = await open('?metric=female_provincial_committee_share&year=2019&map=VN63');
  // The URL names a year without figures: kept, marked, and the metric menu groups by coverage.
  assert.equal(urlKey(page.url()), 'y:2019');
  assert.match(await page.textContent('#period option:checked'), /không có số liệu/);
  // VN34: the term 2025–2030 is covered there; 2019 is not, so the page moves to the best.
  const cov34 = (await coverage('VN34')).find((x) => x.id === 'female_provincial_committee_share');
  await page.check('input[name=map][value=VN34]');
  await page.waitForFunction((k) => { const p = new URL(location.href).searchParams; return p.get('map') === 'VN34' && (p.get('period') ? `p:${p.get('period')}` : `y:${p.get('year')}`) === k; }, keyOf(best(cov34.periods)));
  const opts = await page.$$eval('#period option', (os) => os.map((o) => o.value));
  assert.deepEqual(opts, cov34.periods.map(keyOf));
  assert.deepEqual(errors, []);
});

test('the coverage grid has a cell per metric and start year with figures, and a cell opens its view', async () => {
  const cov = (await coverage()).filter((m) => m.periods.length);
  const { page, errors } = await open('?metric=voter_turnout&year=2021&map=VN63');
  await page.click('#grid-box summary');
  const cells = await page.$$eval('#coverage-grid button', (bs) => bs.map((b) => ({ m: b.dataset.metric, k: b.dataset.key, t: b.textContent })));
  const rows = await page.$$eval('#coverage-grid tbody tr', (trs) => trs.length);
  assert.equal(rows, cov.length);
  for (const m of cov) {
    const years = new Set(m.periods.map((c) => c.period.start));
    assert.equal(cells.filter((c) => c.m === m.id).length, years.size, m.id);
  }
  const cell = cells.find((c) => c.m === 'female_provincial_committee_share' && c.k === 'y:2015');
  assert.ok(cell);
  const c2015 = cov.find((m) => m.id === 'female_provincial_committee_share').periods.find((c) => c.year === 2015);
  assert.equal(cell.t, String(c2015.units));
  await page.click('#coverage-grid button[data-metric="female_provincial_committee_share"][data-key="y:2015"]');
  await page.waitForFunction((n) => new URL(location.href).searchParams.get('metric') === 'female_provincial_committee_share' && window.explorer.bars === n, c2015.units);
  await page.locator('#grid-box').screenshot({ path: join(outDir, 'coverage-grid.png') });
  // On a phone the grid scrolls inside its box: the page is no wider than the screen.
  const phone = await open('?map=VN63', { width: 390, height: 844 });
  await phone.page.click('#grid-box summary');
  const width = await phone.page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
  assert.ok(width <= 391, `page is ${width}px wide on a phone`);
  assert.deepEqual(errors, []);
  assert.deepEqual(phone.errors, []);
});
