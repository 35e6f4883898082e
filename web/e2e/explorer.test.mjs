// End-to-end test of the explorer in headless Chromium (Debian's package, driven by
// playwright-core). It starts the real cadrestat binary on a free port with a fresh data
// folder, so it sees exactly what a journalist would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const bin = resolve(process.env.CADRESTAT_BIN || '../bin/cadrestat');
const outDir = resolve(process.env.CADRESTAT_TEST_OUTPUT || '../test-output');
mkdirSync(outDir, { recursive: true });
let server; let browser; let base;

const freePort = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ['serve', '-data', mkdtempSync(join(tmpdir(), 'cadrestat-e2e-')), '-addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* not yet */ }
    if (i > 300) throw new Error(`server not ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

async function openExplorer(query) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
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

test('ranked bars of published figures, a bar opens its source, CSV carries citations', async () => {
  const { page, errors } = await openExplorer('?metric=staff_cut&year=2020&map=VN63');
  // Choose the metric as a person would.
  await page.selectOption('#metric', 'female_provincial_committee_share');
  await page.waitForFunction(() => document.querySelector('#cmp-title').textContent.includes('2020'));
  await page.waitForFunction(() => window.explorer.bars === 5);
  // Published 2020-2025 term figures: Tuyên Quang 29.2% and four provinces "below 10%".
  const labels = await page.evaluate(() => window.explorer.compareChart.getOption().yAxis[0].data);
  assert.deepEqual([...labels].sort(), ['Cần Thơ', 'Long An', 'Lâm Đồng', 'Quảng Bình', 'Tuyên Quang'].sort());
  assert.match(await page.textContent('#benchmarks'), /Toàn quốc: 16/);
  assert.match(new URL(page.url()).search, /metric=female_provincial_committee_share/);

  const top = await clickBar(page, 4); // the top bar: highest value
  assert.equal(top, 'Tuyên Quang');
  await page.waitForSelector('#panel:not([hidden])');
  assert.equal(await page.textContent('#panel-title'), 'Tuyên Quang');
  assert.match(await page.textContent('#panel-quote'), /\(press\)/);
  assert.match(await page.textContent('#panel-source'), /Vietnam Women's Union/);
  await page.click('#copy');
  assert.match(await page.getAttribute('#copy', 'data-citation'), /Tuyên Quang: 29,2 — .*Vietnam Women's Union/);

  await page.keyboard.press('Escape');
  await page.screenshot({ path: join(outDir, 'explorer.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
  const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  const header = csv[0].split(',');
  assert.equal(header.at(-1), 'citation');
  const tq = csv.find((l) => l.includes('VN63-08'));
  assert.match(tq, /29\.2/);
  assert.match(tq, /Vietnam Women's Union/);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#png')]);
  assert.match(png.suggestedFilename(), /\.png$/);
  assert.deepEqual(errors, []);
});

test('synthetic data is hidden until switched on, then marked on every bar', async () => {
  const { page } = await openExplorer('?metric=female_provincial_committee_share&year=2020&map=VN63');
  await page.waitForFunction(() => window.explorer.bars === 5);
  await page.check('#synthetic');
  await page.waitForFunction(() => window.explorer.bars === 63);
  const marked = await page.evaluate(() => window.explorer.compareChart.getOption().series[0].data.filter((d) => d.label.formatter.includes('GIẢ LẬP')).length);
  assert.equal(marked, 58); // 63 provinces, 5 of them with a published figure
  assert.match(new URL(page.url()).search, /synthetic=1/);
});

test('province search ignores diacritics, the URL restores the view, English labels', async () => {
  const { page } = await openExplorer('?metric=female_pc_provincial_share&year=2016&map=VN63');
  await page.fill('#search', 'can tho');
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('provinces') === 'VN63-92');
  await page.waitForFunction(() => (window.explorer.seriesChart.getOption()?.series || []).length === 1);
  const points = await page.evaluate(() => window.explorer.seriesChart.getOption().series[0].data.filter((v) => v != null).length);
  assert.equal(points, 1); // one published term; the other years are gaps, not zeros
  const shared = page.url();
  const again = await openExplorer(new URL(shared).search + '&lang=en');
  await again.page.waitForSelector('#picked li');
  assert.match(await again.page.textContent('#picked'), /Cần Thơ/);
  assert.equal(await again.page.textContent('[data-i18n="metric"]'), 'Metric');
  assert.equal(await again.page.inputValue('#year'), '2016');
});

test('on a phone, with the keyboard only: open the data table and a source', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${base}/explore/?metric=female_provincial_committee_share&year=2015&map=VN63`);
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForFunction(() => window.explorer.bars === 12);
  // Nothing wider than the screen.
  const width = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
  assert.ok(width <= 391, `page is ${width}px wide on a 390px phone`);
  await page.screenshot({ path: join(outDir, 'explorer-phone.png'), fullPage: true });
  // Keyboard: focus the table's summary, open it, tab to the first province, press Enter.
  await page.focus('details summary');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.textContent);
  assert.equal(focused, 'Kiên Giang'); // rank 1 of the 2015-2020 term
  await page.keyboard.press('Enter');
  await page.waitForSelector('#panel:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'panel');
  assert.match(await page.textContent('#panel-quote'), /^\(press/);
  await page.keyboard.press('Escape');
  assert.equal(await page.isHidden('#panel'), true);
});
