// End-to-end test of the explorer in headless Chromium (Debian's package, driven by
// playwright-core). It starts the real cadrestat binary on a free port with a fresh data
// folder, so it sees exactly what a journalist would. The bundled data grows, so every
// expectation is read from the API (/graphql) and compared with what the page shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchChromium, outDir } from './lib.mjs';

const compareQuery = readFileSync(new URL('../../server/explorer/compare.graphql', import.meta.url), 'utf8');
let stop; let browser; let base;

before(async () => {
  ({ base, stop } = await startServer('explorer', []));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  stop?.();
});

async function api(query, variables) {
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}
// The comparison the page asks for, asked for directly.
async function compare(m, y, map = 'VN63', s = false) { return (await api(compareQuery, { m, y, map, s })).compare; }
const vi = (v) => Number(v).toLocaleString('vi-VN', { maximumFractionDigits: 2 });
const PREFIX = { LOWER_BOUND: '>', UPPER_BOUND: '<', APPROXIMATE: '≈' };
const shown = (r) => `${PREFIX[r.qualifier] || ''}${vi(r.value)}`;
const withFigure = (c) => c.rows.filter((r) => r.value != null);

async function openExplorer(query, viewport = { width: 1200, height: 900 }) {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) errors.push(`external request ${r.url()}`); });
  await page.goto(`${base}/explore/${query}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  return { page, errors };
}

async function clickBar(page, index) {
  const pos = await page.evaluate((i) => {
    const c = window.explorer.compareChart;
    const opt = c.getOption();
    const v = opt.series[0].data[i].value;
    const [x, y] = c.convertToPixel({ seriesIndex: 0 }, [v / 2, i]);
    const r = c.getDom().getBoundingClientRect();
    return { x: r.left + x, y: r.top + y, name: opt.yAxis[0].data[i] };
  }, index);
  await page.mouse.click(pos.x, pos.y);
  return pos.name;
}

// The first view, the period picker and the coverage grid: e2e/coverage.test.mjs.

test('ranked bars of published figures, a bar opens its source with parts and citations, CSV carries citations', async () => {
  // The URL names the year: the page keeps it (a metric picked in the page moves to its
  // best-covered period instead, e2e/coverage.test.mjs).
  const { page, errors } = await openExplorer('?metric=female_provincial_committee_share&year=2020&map=VN63');
  await page.waitForFunction(() => document.querySelector('#cmp-title').textContent.includes('nhiệm kỳ 2020–2025'));
  const c = await compare('female_provincial_committee_share', 2020);
  const rows = withFigure(c);
  await page.waitForFunction((n) => window.explorer.bars === n, rows.length);
  const labels = await page.evaluate(() => window.explorer.compareChart.getOption().yAxis[0].data);
  assert.deepEqual([...labels].sort(), rows.map((r) => r.province.name).sort());
  assert.ok((await page.textContent('#benchmarks')).includes(`Toàn quốc: ${shown(c.national.figure)} %`));
  assert.ok((await page.textContent('#benchmarks')).includes(c.target.label));
  // Units on the axis.
  assert.equal(await page.evaluate(() => window.explorer.compareChart.getOption().xAxis[0].name), 'Đơn vị: %');

  const best = rows.find((r) => r.rank === 1);
  const top = await clickBar(page, rows.length - 1); // the top bar: highest value
  assert.equal(top, best.province.name);
  await page.waitForSelector('#panel:not([hidden])');
  assert.equal(await page.textContent('#panel-title'), best.province.name);
  assert.equal(await page.textContent('#panel-quote'), best.observation.quote);
  assert.ok((await page.textContent('#panel-source')).includes(best.observation.source.issuer));
  assert.match(await page.textContent('#panel-rank'), new RegExp(`hạng 1/${c.rankOf}`));
  // Parts with their citations.
  const parts = await page.$$eval('#panel-parts li', (li) => li.map((x) => x.textContent));
  assert.equal(parts.length, best.figure.parts.length);
  best.figure.parts.forEach((p, i) => assert.ok(parts[i].includes(p.citation)));
  await page.click('#copy');
  await page.waitForSelector('#copy[data-citation]');
  const cite = await page.getAttribute('#copy', 'data-citation');
  assert.ok(cite.startsWith(`${best.province.name}: ${shown(best)} %`), cite);
  // A seed document's link is copied with this server's address, so it opens elsewhere.
  assert.ok(cite.includes(best.figure.parts[0].citation.replace(/(^|, )\/documents\//g, `$1${base}/documents/`)));

  await page.keyboard.press('Escape');
  await page.screenshot({ path: join(outDir, 'explorer.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
  const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  assert.ok(csv[0].split(',').includes('citation'));
  const line = csv.find((l) => l.includes(best.province.id));
  assert.ok(line.includes(String(best.value)));
  assert.ok(line.includes(best.observation.source.issuer));
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#png')]);
  assert.match(png.suggestedFilename(), /\.png$/);
  assert.deepEqual(errors, []);
});

test('a bound shows as "<10 %" with a rank range, never as a number or a single rank', async () => {
  const c = await compare('female_provincial_committee_share', 2020);
  const bounds = withFigure(c).filter((r) => r.qualifier !== 'EXACT');
  assert.ok(bounds.length > 0, 'the bundle has bounds in this view');
  const { page, errors } = await openExplorer('?metric=female_provincial_committee_share&year=2020&map=VN63');
  const rows = await page.evaluate(() => window.explorer.rows);
  for (const b of bounds) {
    assert.equal(b.rank, null);
    const r = rows.find((x) => x.id === b.province.id);
    assert.equal(r.display, shown(b)); // "<10"
    assert.match(r.display, /^[<>≈]/);
    assert.ok(r.label.startsWith(`${shown(b)} %`), r.label);
    assert.equal(r.rank, null);
  }
  // The table gives the range ("4–7/7"), not a number.
  await page.click('#table-box summary');
  const b = bounds[0];
  const tr = page.locator('#compare-table tbody tr', { hasText: b.province.name });
  assert.equal(await tr.locator('td').nth(0).textContent(), `${b.rankRange.best}–${b.rankRange.worst}/${b.rankOf}`);
  assert.equal(await tr.locator('td').nth(2).textContent(), `${shown(b)} %`);
  // Its source panel says the rank is a range.
  await tr.locator('button').click();
  assert.equal(await page.textContent('#panel-value'), `${shown(b)} %`);
  assert.match(await page.textContent('#panel-rank'), new RegExp(`hạng ${b.rankRange.best}–${b.rankRange.worst}/${b.rankOf}`));
  assert.deepEqual(errors, []);
});

test('synthetic data is hidden until switched on, then every synthetic bar is marked', async () => {
  const { page } = await openExplorer('?metric=female_provincial_committee_share&year=2020&map=VN63');
  await page.waitForFunction((n) => window.explorer.bars === n, withFigure(await compare('female_provincial_committee_share', 2020)).length);
  await page.check('#synthetic');
  const c = await compare('female_provincial_committee_share', 2020, 'VN63', true);
  await page.waitForFunction((n) => window.explorer.bars === n, withFigure(c).length);
  const synth = new Set(withFigure(c).filter((r) => r.figure.status === 'SYNTHETIC').map((r) => r.province.name));
  assert.ok(synth.size > 0);
  const bars = await page.evaluate(() => { const o = window.explorer.compareChart.getOption(); return o.series[0].data.map((d, i) => ({ name: o.yAxis[0].data[i], label: d.label.formatter, decal: !!d.itemStyle.decal })); });
  for (const b of bars) {
    assert.equal(b.label.includes('GIẢ LẬP'), synth.has(b.name), `${b.name}: ${b.label}`);
    if (synth.has(b.name)) assert.ok(b.decal, `${b.name} hatched`);
  }
  for (const r of withFigure(c)) if (r.figure.status === 'PROVISIONAL' || r.figure.status === 'DERIVED') assert.ok(bars.find((b) => b.name === r.province.name).label.includes(r.figure.status === 'PROVISIONAL' ? 'TẠM TÍNH' : 'SUY RA'));
  assert.match(new URL(page.url()).search, /synthetic=1/);
  // A synthetic-tainted VN34 projection is marked too, and lists its parts.
  await page.check('input[name=map][value=VN34]');
  const c34 = await compare('female_provincial_committee_share', 2020, 'VN34', true);
  await page.waitForFunction((n) => window.explorer.bars === n && window.explorer.state.map === 'VN34', withFigure(c34).length);
  const tainted = withFigure(c34).find((r) => r.figure.status === 'SYNTHETIC' && r.figure.parts.length > 1);
  assert.ok(tainted);
  const row = (await page.evaluate(() => window.explorer.rows)).find((r) => r.id === tainted.province.id);
  assert.match(row.label, /GIẢ LẬP/);
});

test('target band drawn where the target is, also above every value ("> 35 %")', async () => {
  const { page } = await openExplorer('?metric=female_provincial_committee_share&year=2020&map=VN63');
  const c = await compare('female_provincial_committee_share', 2020);
  const max = Math.max(...withFigure(c).map((r) => r.value));
  let band = await page.evaluate(() => window.explorer.band);
  assert.equal(band[0], c.target.lower);
  assert.ok(band[1] >= Math.max(max, c.target.lower));
  // The same view with a "> 35 %" target above every value: the band starts at 35.
  const above = { ...c, target: { ...c.target, lower: 35, upper: null, lowerInclusive: false, label: '> 35 %' } };
  assert.ok(max < 35);
  band = await page.evaluate((x) => { window.explorer.render(x); return window.explorer.band; }, above);
  assert.equal(band[0], 35);
  assert.ok(band[1] > 35);
  const axisMax = await page.evaluate(() => window.explorer.compareChart.getOption().xAxis[0].max);
  assert.ok(axisMax >= band[1]);
  assert.match(await page.textContent('#map-legend'), /Mục tiêu > 35 %/);
  // And a target below every value ("≤ 5 %"): the band ends at 5.
  const below = { ...c, target: { ...c.target, lower: null, upper: 5, upperInclusive: true, label: '≤ 5 %' } };
  band = await page.evaluate((x) => { window.explorer.render(x); return window.explorer.band; }, below);
  assert.deepEqual(band, [0, 5]);
});

for (const map of ['VN63', 'VN34']) {
  test(`the ${map} map: ${map === 'VN63' ? 63 : 34} shapes coloured as the bars, no data grey, click and keyboard open the source`, async () => {
    const n = map === 'VN63' ? 63 : 34;
    const metric = 'female_provincial_committee_share'; const year = 2015;
    const c = await compare(metric, year, map);
    const { page, errors } = await openExplorer(`?metric=${metric}&year=${year}&map=${map}`);
    await page.waitForFunction((k) => window.explorer.bars === k, withFigure(c).length);
    const regions = await page.evaluate(() => window.explorer.mapChart.getModel().getSeriesByIndex(0).coordinateSystem.regions.map((r) => r.name));
    assert.equal(regions.length, n);
    assert.deepEqual([...regions].sort(), c.rows.map((r) => r.province.id).sort());
    // Same colour on the map as on the unit's bar; units without a figure grey.
    const { bars, mapData } = await page.evaluate(() => {
      const o = window.explorer.compareChart.getOption();
      return { bars: o.series[0].data.map((d, i) => ({ name: o.yAxis[0].data[i], color: d.itemStyle.color, hatched: !!d.itemStyle.decal })), mapData: window.explorer.mapData };
    });
    assert.equal(mapData.length, n);
    for (const r of c.rows) {
      const m = mapData.find((d) => d.id === r.province.id);
      if (r.value == null) { assert.equal(m.color, '#d9d9d9', r.province.name); continue; }
      const b = bars.find((x) => x.name === r.province.name);
      assert.equal(m.color, b.color, r.province.name);
      assert.equal(m.hatched, r.qualifier !== 'EXACT' || r.figure.status === 'SYNTHETIC', `${r.province.name} hatched`);
    }
    // Higher values are darker (a sequential scale).
    const exact = withFigure(c).filter((r) => r.qualifier === 'EXACT').sort((a, b) => a.value - b.value);
    const lum = (hex) => { const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)); return 0.299 * r + 0.587 * g + 0.114 * b; };
    const col = (r) => mapData.find((d) => d.id === r.province.id).color;
    for (let i = 1; i < exact.length; i++) assert.ok(lum(col(exact[i])) <= lum(col(exact[i - 1])) + 0.001);

    // Click a unit with a figure: its source panel.
    const target = exact.at(-1) || withFigure(c)[0];
    await page.locator('#map-chart').scrollIntoViewIfNeeded();
    const pos = await page.evaluate((id) => {
      const ch = window.explorer.mapChart;
      const cs = ch.getModel().getSeriesByIndex(0).coordinateSystem;
      const region = cs.getRegion(id);
      // A point inside the shape (a coast's bounding-box centre may be at sea).
      const b = region.getBoundingRect();
      let inside = region.getCenter();
      for (let k = 1; k < 400 && !region.contain(inside); k++) inside = [b.x + b.width * ((k % 20) + 0.5) / 20, b.y + b.height * (Math.floor(k / 20) + 0.5) / 20];
      const [x, y] = cs.dataToPoint(inside);
      const r = ch.getDom().getBoundingClientRect();
      return { x: r.left + x, y: r.top + y };
    }, target.province.id);
    await page.mouse.click(pos.x, pos.y);
    await page.waitForSelector('#panel:not([hidden])');
    assert.equal(await page.textContent('#panel-title'), target.province.name);
    await page.keyboard.press('Escape');
    // Keyboard: focus the map, arrow to the first unit (by name), Enter opens its panel.
    await page.focus('#map-chart');
    await page.keyboard.press('ArrowRight');
    const first = [...c.rows].sort((a, b) => a.province.name.localeCompare(b.province.name, 'vi'))[0];
    assert.ok((await page.textContent('#map-live')).startsWith(first.province.name));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#panel:not([hidden])');
    assert.equal(await page.textContent('#panel-title'), first.province.name);
    await page.keyboard.press('Escape');
    await page.locator('.mapview').screenshot({ path: join(outDir, `map-${map.toLowerCase()}-desktop.png`) });
    assert.deepEqual(errors, []);
  });
}

test('the map on a 390 px phone: readable, nothing wider than the screen', async () => {
  for (const map of ['VN63', 'VN34']) {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${base}/explore/?metric=female_provincial_committee_share&year=2015&map=${map}&synthetic=1`);
    await page.waitForSelector('body[data-ready="1"]');
    const width = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
    assert.ok(width <= 391, `page is ${width}px wide on a 390px phone`);
    const box = await page.locator('#map-chart').boundingBox();
    assert.ok(box.width >= 300 && box.width <= 390 && box.height >= 400, JSON.stringify(box));
    await page.locator('.mapview').scrollIntoViewIfNeeded();
    await page.locator('.mapview').screenshot({ path: join(outDir, `map-${map.toLowerCase()}-phone.png`) });
    await page.close();
  }
});

test('province search ignores diacritics, trends never plot ranges as years, the URL restores the view, English labels and units', async () => {
  const { page } = await openExplorer('?metric=female_pc_provincial_share&year=2016&map=VN63');
  await page.fill('#search', 'can tho');
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('provinces') === 'VN63-92');
  await page.waitForFunction(() => (window.explorer.seriesChart.getOption()?.series || []).length === 2);
  const s = (await api('query($m: ID!) { series(metric: $m, provinces: ["VN63-92"], from: 2010, to: 2030) { points { year value period { kind } } } }', { m: 'female_pc_provincial_share' })).series[0];
  const yearly = s.points.filter((p) => p.value != null && (p.period.kind === 'YEAR' || p.period.kind === 'TERM')).length;
  const points = await page.evaluate(() => window.explorer.seriesChart.getOption().series[1].data.filter((v) => v != null).length);
  assert.equal(points, yearly); // the other years are gaps, not zeros
  const shared = page.url();
  const again = await openExplorer(new URL(shared).search + '&lang=en');
  await again.page.waitForSelector('#picked li');
  assert.match(await again.page.textContent('#picked'), /Cần Thơ/);
  assert.equal(await again.page.textContent('[data-i18n="metric"]'), 'Metric');
  assert.equal(await again.page.inputValue('#period'), 'y:2016');
  assert.equal(await again.page.evaluate(() => window.explorer.compareChart.getOption().xAxis[0].name), 'Unit: %');
  assert.equal(await again.page.evaluate(() => window.explorer.seriesChart.getOption().yAxis[0].name), 'Unit: %');

  // A cumulative range (staff cut 2015–2021) is listed under the chart, never a 2015 point.
  const st = await api('{ series(metric: "staff_cut", provinces: ["VN63-72"], from: 2010, to: 2030) { points { year value period { kind label } } } }');
  const range = st.series[0].points.find((p) => p.period.kind === 'RANGE' && p.value != null);
  assert.ok(range, 'Tây Ninh has a cumulative staff cut');
  const p3 = await openExplorer('?metric=staff_cut&year=2021&map=VN63&provinces=VN63-72');
  await p3.page.waitForFunction(() => (window.explorer.seriesChart.getOption()?.series || []).length === 2);
  const plotted = await p3.page.evaluate((y) => window.explorer.seriesChart.getOption().series[1].data[y - 2010], range.year);
  assert.equal(plotted, null);
  // Written in words: "range:2015-2021" reads "2015–2021 (cộng dồn)".
  const [a, b] = range.period.label.replace('range:', '').split('-');
  assert.ok((await p3.page.textContent('#series-other')).includes(`${a}–${b} (cộng dồn)`), await p3.page.textContent('#series-other'));
});

test('on a phone, with the keyboard only: open the data table and a source', async () => {
  const c = await compare('female_provincial_committee_share', 2015);
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${base}/explore/?metric=female_provincial_committee_share&year=2015&map=VN63`);
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForFunction((n) => window.explorer.bars === n, withFigure(c).length);
  // Nothing wider than the screen.
  const width = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
  assert.ok(width <= 391, `page is ${width}px wide on a 390px phone`);
  await page.screenshot({ path: join(outDir, 'explorer-phone.png'), fullPage: true });
  // Keyboard: focus the table's summary, open it, tab to the first province, press Enter.
  await page.focus('#table-box summary');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const first = withFigure(c)[0];
  assert.equal(await page.evaluate(() => document.activeElement.textContent), first.province.name);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#panel:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'panel');
  if (first.observation) assert.equal(await page.textContent('#panel-quote'), first.observation.quote);
  await page.keyboard.press('Escape');
  assert.equal(await page.isHidden('#panel'), true);
});

test('the legend explains ≠, bounds, DERIVED, PROVISIONAL and SYNTHETIC in both languages', async () => {
  const want = {
    '': ['≠ các nguồn ngang nhau đưa số liệu khác nhau', 'SUY RA suy ra từ số liệu khác', 'TẠM TÍNH số liệu tạm tính', 'GIẢ LẬP số liệu giả lập', 'cận trên/dưới (“<10”'],
    '&lang=en': ['≠ equally ranked sources give different figures', 'DERIVED derived from other figures', 'PROVISIONAL a provisional figure', 'SYNTHETIC made-up test data', 'bound (“<10”'],
  };
  for (const [lang, texts] of Object.entries(want)) {
    const { page, errors } = await openExplorer(`?metric=female_provincial_committee_share&year=2015&map=VN63${lang}`);
    const legend = await page.textContent('#map-legend');
    for (const t of texts) assert.ok(legend.includes(t), `${lang}: ${t} in ${legend}`);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('a metric with no better direction is ordered by value, never ranked', async () => {
  const metric = 'pc_provincial_deputies_elected'; const year = 2021;
  const c = await compare(metric, year);
  assert.equal(c.ranked, false);
  assert.ok(withFigure(c).length > 1);
  for (const [lang, byValue, title, ranking] of [['', 'xếp theo giá trị', 'So sánh theo giá trị', /Xếp hạng/], ['&lang=en', 'ordered by value', 'Compared by value', /Ranking/]]) {
    const { page, errors } = await openExplorer(`?metric=${metric}&year=${year}&map=VN63${lang}`);
    await page.waitForFunction((n) => window.explorer.bars === n, withFigure(c).length);
    const heading = await page.textContent('#bars-title');
    assert.equal(heading, title);
    assert.doesNotMatch(heading, ranking);
    await page.click('#table-box summary');
    const ranks = await page.$$eval('#compare-table tbody tr td:first-child', (td) => td.map((x) => x.textContent));
    assert.ok(ranks.length > 1 && ranks.every((x) => x === byValue), ranks.join('|'));
    await page.locator('#compare-table tbody tr button').first().click();
    assert.equal(await page.textContent('#panel-rank'), byValue);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('the side panel says why a target does not apply and lists corroborating sources, as text', async () => {
  const q = `query($m: ID!, $y: Int) { compare(metric: $m, year: $y) { rows { province { id name } targetStatus targetNote
    targetConsidered { applies } figure { period { label } } observation { corroborating { source { title url } quote } } } } }`;
  const c = (await api(q, { m: 'female_provincial_committee_share', y: 2015 })).compare;
  const row = c.rows.find((r) => r.targetStatus === 'NO_TARGET' && r.targetConsidered && r.observation && r.observation.corroborating.length);
  assert.ok(row, 'a row with no target applying and corroborating sources');
  const { page, errors } = await openExplorer('?metric=female_provincial_committee_share&year=2015&map=VN63');
  await page.click('#table-box summary');
  await page.locator('#compare-table tbody tr', { hasText: row.province.name }).locator('button').click();
  await page.waitForSelector('#panel:not([hidden])');
  const source = await page.textContent('#panel-source');
  assert.ok(source.includes(`chỉ đánh giá ${row.targetConsidered.applies.join(', ')}, không đánh giá ${row.figure.period.label}`), source);
  const corr = await page.$$eval('#panel-corroborating li', (li) => li.map((x) => ({ text: x.textContent, links: [...x.querySelectorAll('a')].map((a) => a.getAttribute('href')) })));
  assert.equal(corr.length, row.observation.corroborating.length);
  row.observation.corroborating.forEach((a, i) => {
    assert.ok(corr[i].text.includes(a.source.title), corr[i].text);
    assert.deepEqual(corr[i].links, /^(https?:\/\/|\/documents\/)/i.test(a.source.url) ? [a.source.url] : []);
  });
  await page.keyboard.press('Escape');
  // Loaded text stays text: a quote with markup and a javascript: address get no element and no link.
  const evil = '<img src=x onerror="window.pwned=1">';
  await page.evaluate(({ id, evil }) => {
    const x = structuredClone(window.explorer.lastComparison);
    const r = x.rows.find((y) => y.province.id === id);
    r.targetStatus = 'NO_TARGET'; r.targetConsidered = { label: evil, deadline: 2020, directive: evil, applies: [evil] };
    r.observation.corroborating = [{ value: 1, qualifier: 'EXACT', status: 'PUBLISHED', quote: evil, source: { title: evil, issuer: '', date: '', url: 'javascript:window.pwned=1' } }];
    window.explorer.render(x);
  }, { id: row.province.id, evil });
  await page.locator('#compare-table tbody tr', { hasText: row.province.name }).locator('button').click();
  await page.waitForSelector('#panel:not([hidden])');
  assert.equal(await page.locator('#panel img').count(), 0);
  assert.equal(await page.locator('#panel-corroborating a').count(), 0);
  assert.ok((await page.textContent('#panel-corroborating')).includes(evil));
  assert.ok((await page.textContent('#panel-source')).includes(evil));
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  // In English the panel gives the server's own note.
  const en = await openExplorer('?metric=female_provincial_committee_share&year=2015&map=VN63&lang=en');
  await en.page.click('#table-box summary');
  await en.page.locator('#compare-table tbody tr', { hasText: row.province.name }).locator('button').click();
  assert.ok((await en.page.textContent('#panel-source')).includes(row.targetNote));
  assert.deepEqual([...errors, ...en.errors], []);
});

// A year inside a term shows the term in force and says so; a unit's panel gives its
// on-track verdict (Cần Thơ's 8 % missed Chỉ thị 35's 2020 deadline); too few units are not
// ranked, and the heading says why.
test('year inside a term, on-track verdict in the panel, no rank among fewer than 3 units', async () => {
  const c = await compare('female_provincial_committee_share', 2023);
  assert.ok(c.periodNote.includes('term:2020-2025'), c.periodNote);
  const { page, errors } = await openExplorer('?metric=female_provincial_committee_share&year=2023&map=VN63');
  await page.waitForFunction((n) => window.explorer.bars === n, withFigure(c).length);
  assert.ok((await page.textContent('#status')).includes('Năm 2023 không có số liệu riêng'), await page.textContent('#status'));
  const rows = await page.evaluate(() => window.explorer.rows);
  const i = rows.findIndex((r) => r.id === 'VN63-92');
  assert.ok(i >= 0, 'Cần Thơ has a bar');
  const api92 = c.rows.find((r) => r.province.id === 'VN63-92');
  assert.equal(api92.onTrack.verdict, 'OFF_TRACK');
  await clickBar(page, i);
  await page.waitForSelector('#panel:not([hidden])');
  const panel = await page.textContent('#panel-source');
  assert.ok(panel.includes('Lộ trình') && panel.includes('không đạt, hạn 2020'), panel);
  await page.close();
  // A directed metric with one or two units with a figure in a year (found through the
  // coverage API): no ranks, and the heading says why.
  const cov = (await api('{ coverage(map: VN63) { metric { id better } periods { year units } } }')).coverage;
  const few = cov.filter((mc) => mc.metric.better !== 'NONE').flatMap((mc) => mc.periods.filter((p) => p.year && p.units > 0 && p.units < 3).map((p) => ({ m: mc.metric.id, year: p.year })))[0];
  assert.ok(few, 'no directed metric with one or two units in a year');
  const y = await compare(few.m, few.year);
  assert.ok(y.rankOf > 0 && y.rankOf < 3 && y.rankNote, JSON.stringify({ ...few, rankOf: y.rankOf, note: y.rankNote }));
  assert.ok(y.rows.every((r) => r.rank == null && r.rankRange == null));
  const p2 = await openExplorer(`?metric=${few.m}&year=${few.year}&map=VN63`);
  await p2.page.waitForFunction((n) => window.explorer.bars === n, withFigure(y).length);
  assert.ok((await p2.page.textContent('#status')).includes(`chỉ ${y.rankOf} đơn vị có số liệu`), await p2.page.textContent('#status'));
  assert.deepEqual([...errors, ...p2.errors], []);
  await p2.page.close();
});

// The Vietnamese page names regions in Vietnamese in the benchmark line, the English page
// in English.
test('benchmark line names regions in the page language', async () => {
  const cov = (await api('{ coverage(map: VN63) { metric { id } periods { year units } } }')).coverage;
  // A comparison with a regional figure (every member of a region has an exact figure).
  let found = null;
  for (const mc of cov) {
    for (const p of mc.periods.filter((x) => x.year && x.units >= 10)) {
      const c = await compare(mc.metric.id, p.year);
      if (c.benchmarks.some((b) => b.figure.value != null)) { found = { m: mc.metric.id, y: p.year, c }; break; }
    }
    if (found) break;
  }
  assert.ok(found, 'no comparison with a regional figure in the bundle');
  for (const lang of ['vi', 'en']) {
    const { page, errors } = await openExplorer(`?metric=${found.m}&year=${found.y}&map=VN63&lang=${lang}`);
    await page.waitForFunction(() => document.querySelector('#benchmarks').textContent.length > 0);
    const text = await page.textContent('#benchmarks');
    for (const b of found.c.benchmarks.filter((x) => x.figure.value != null)) {
      const [want, not] = lang === 'vi' ? [b.nameVi, b.name] : [b.name, b.nameVi];
      assert.ok(text.includes(`${want}:`) && !text.includes(`${not}:`), `${lang}: ${text}`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
});
