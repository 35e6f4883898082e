// Small things a reader trips on, each measured in Chromium: the bound and synthetic
// swatches are no colour of the scale, the national label sits clear of the axis ticks and of
// every other text, the trends chart's target label stays inside the canvas, and on a phone
// each map radio sits beside its own name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchChromium, outDir } from './lib.mjs';

let stop; let browser; let base;
before(async () => { ({ base, stop } = await startServer('layout', [])); browser = await launchChromium(); });
after(async () => { await browser?.close(); stop?.(); });

async function open(query, viewport = { width: 1400, height: 1000 }, mobile = false) {
  const page = await browser.newPage({ viewport, isMobile: mobile, hasTouch: mobile });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/explore/${query}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  return { page, errors };
}

// Every text drawn on a chart's canvas with its box in canvas pixels.
const texts = (page, chart) => page.evaluate((name) => {
  const c = window.explorer[name];
  return c.getZr().storage.getDisplayList(true).filter((el) => el.style && el.style.text).map((el) => {
    const r = el.getBoundingRect().clone(); if (el.transform) r.applyTransform(el.transform);
    return { t: String(el.style.text), x: r.x, y: r.y, w: r.width, h: r.height };
  });
}, chart);
const overlap = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

const RAMP = ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'];
const rgb = (h) => `rgb(${[1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)).join(', ')})`;

test('bound and synthetic swatches show hatching in no colour of the scale', async () => {
  const { page, errors } = await open('?metric=female_provincial_committee_share&year=2015&map=VN63');
  for (const cls of ['bound', 'synth']) {
    const bg = await page.$eval(`#map-legend .swatch.${cls}`, (el) => getComputedStyle(el).backgroundImage + getComputedStyle(el).backgroundColor);
    for (const c of RAMP) assert.ok(!bg.includes(rgb(c)), `${cls} swatch uses the scale's ${c}: ${bg}`);
  }
  assert.deepEqual(errors, []);
});

for (const lang of ['vi', 'en']) {
  test(`${lang}: the national label is above the plot, clear of the ticks and every other text; the trends target label is inside its canvas`, async () => {
    const { page, errors } = await open(`?metric=female_provincial_committee_share&year=2020&map=VN63&lang=${lang}`);
    const nationalWord = lang === 'vi' ? 'Toàn quốc' : 'National';
    const all = await texts(page, 'compareChart');
    const nat = all.find((x) => x.t.startsWith(`${nationalWord} `));
    assert.ok(nat, `national label drawn: ${all.map((x) => x.t).join(' | ')}`);
    const grid = await page.evaluate(() => { const r = window.explorer.compareChart.getModel().getComponent('grid').coordinateSystem.getRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
    assert.ok(nat.y + nat.h <= grid.y + 1, `national label above the plot: ${JSON.stringify(nat)} grid ${JSON.stringify(grid)}`);
    for (const o of all) if (o !== nat) assert.ok(!overlap(nat, o), `national label overlaps "${o.t}"`);
    const target = all.find((x) => x.t.startsWith(lang === 'vi' ? 'Mục tiêu' : 'Target'));
    if (target) for (const o of all) if (o !== target) assert.ok(!overlap(target, o), `target label overlaps "${o.t}"`);

    await page.waitForFunction(() => (window.explorer.seriesChart.getOption()?.series || []).length >= 1);
    const width = await page.evaluate(() => window.explorer.seriesChart.getWidth());
    const series = await texts(page, 'seriesChart');
    const tl = series.filter((x) => x.t.startsWith(lang === 'vi' ? 'Mục tiêu' : 'Target'));
    assert.ok(tl.length >= 1, `trends target label drawn: ${series.map((x) => x.t).join(' | ')}`);
    for (const x of tl) assert.ok(x.x >= 0 && x.x + x.w <= width + 0.5, `trends target label inside the canvas: ${JSON.stringify(x)} of ${width}`);
    await page.locator('.views').screenshot({ path: join(outDir, `labels-${lang}.png`) });
    await page.locator('#series-chart').screenshot({ path: join(outDir, `trends-${lang}.png`) });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('on a 390 px phone each map radio sits beside its own name', async () => {
  const { page, errors } = await open('?metric=female_provincial_committee_share&year=2015&map=VN63', { width: 390, height: 844 }, true);
  const boxes = await page.$$eval('fieldset.map label', (ls) => ls.map((l) => {
    const r = l.getBoundingClientRect(); const i = l.querySelector('input').getBoundingClientRect();
    return { text: l.textContent.trim(), l: { x: r.x, y: r.y, w: r.width, h: r.height }, i: { x: i.x, y: i.y, w: i.width, h: i.height } };
  }));
  assert.deepEqual(boxes.map((b) => b.text), ['VN63', 'VN34']);
  for (const b of boxes) {
    assert.ok(b.l.h < 32, `${b.text}: one line (${b.l.h}px)`);
    const cy = b.i.y + b.i.h / 2;
    assert.ok(cy > b.l.y && cy < b.l.y + b.l.h, `${b.text}: radio on its label's line`);
  }
  // The two sit side by side, the second's radio right of the first's name.
  assert.ok(boxes[1].i.x >= boxes[0].l.x + boxes[0].l.w - 1, JSON.stringify(boxes));
  await page.locator('.controls').screenshot({ path: join(outDir, 'controls-phone.png') });
  assert.deepEqual(errors, []);
});
