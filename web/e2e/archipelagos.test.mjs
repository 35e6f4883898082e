// Quần đảo Hoàng Sa and Quần đảo Trường Sa on both maps, in both languages, on a desktop and a
// 390 px phone: each is drawn with a marker and its name (with the unit it belongs to) inside
// the map, takes its unit's colour, and hovering or clicking it acts on that unit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchChromium, outDir } from './lib.mjs';

let stop; let browser; let base;
before(async () => { ({ base, stop } = await startServer('islands', [])); browser = await launchChromium(); });
after(async () => { await browser?.close(); stop?.(); });

const NAMES = {
  vi: { 48: 'Quần đảo Hoàng Sa', 56: 'Quần đảo Trường Sa', sea: 'Biển Đông' },
  en: { 48: 'Hoang Sa (Paracel) Islands', 56: 'Truong Sa (Spratly) Islands', sea: 'East Sea (Biển Đông)' },
};
const UNIT = { 48: 'Đà Nẵng', 56: 'Khánh Hòa' };

for (const map of ['VN63', 'VN34']) {
  for (const [lang, viewport, device] of [['vi', { width: 1400, height: 1000 }, 'desktop'], ['en', { width: 1400, height: 1000 }, 'desktop'], ['vi', { width: 390, height: 844 }, 'phone'], ['en', { width: 390, height: 844 }, 'phone']]) {
    test(`${map} ${lang} ${device}: both archipelagos drawn, named and attached to their unit`, async () => {
      const page = await browser.newPage({ viewport, isMobile: device === 'phone', hasTouch: device === 'phone' });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${base}/explore/?map=${map}&lang=${lang}`);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
      const info = await page.evaluate(() => {
        const c = window.explorer.mapChart;
        // Every text drawn on the map canvas, with its box in canvas pixels.
        const texts = c.getZr().storage.getDisplayList(true).filter((el) => el.style && el.style.text).map((el) => {
          const r = el.getBoundingRect().clone(); if (el.transform) r.applyTransform(el.transform);
          return { t: el.style.text, x: r.x, y: r.y, w: r.width, h: r.height };
        });
        const arch = window.explorer.archipelagos.map((a) => ({ ...a, px: c.convertToPixel({ seriesIndex: 1 }, a.at), onUnit: c.convertToPixel({ seriesIndex: 0 }, a.at) }));
        return { texts, arch, w: c.getWidth(), h: c.getHeight(), mapData: window.explorer.mapData };
      });
      assert.equal(info.arch.length, 2);
      for (const code of ['48', '56']) {
        const a = info.arch.find((x) => x.unit === `${map}-${code}`);
        assert.ok(a, `${map}-${code} has its archipelago`);
        assert.equal(a.name, NAMES[lang][code]);
        assert.equal(a.unitName, UNIT[code]);
        // The marker sits where the map draws those coordinates, inside the canvas.
        assert.deepEqual(a.px.map(Math.round), a.onUnit.map(Math.round));
        assert.ok(a.px[0] > 0 && a.px[0] < info.w && a.px[1] > 0 && a.px[1] < info.h, JSON.stringify(a.px));
        // It has its unit's colour.
        assert.equal(a.color, info.mapData.find((d) => d.id === a.unit).color);
        // Its name and its unit are drawn, wholly inside the canvas.
        for (const line of [NAMES[lang][code], `(${UNIT[code]})`]) {
          const t = info.texts.find((x) => x.t === line);
          assert.ok(t, `"${line}" drawn on the ${map} map; drawn: ${info.texts.map((x) => x.t).join(' | ')}`);
          assert.ok(t.x >= 0 && t.x + t.w <= info.w + 0.5 && t.y >= 0 && t.y + t.h <= info.h, `"${line}" inside the canvas: ${JSON.stringify(t)} in ${info.w}×${info.h}`);
        }
      }
      assert.ok(info.texts.some((x) => x.t === NAMES[lang].sea));
      // Hover shows the archipelago and its unit's figure; click opens the unit's source panel.
      const a = info.arch.find((x) => x.unit === `${map}-48`);
      await page.evaluate(() => document.getElementById('map-chart').scrollIntoView({ block: 'start' }));
      const box = await page.locator('#map-chart').boundingBox();
      if (device === 'phone') await page.touchscreen.tap(box.x + a.px[0], box.y + a.px[1]);
      else {
        await page.mouse.move(box.x + a.px[0], box.y + a.px[1]);
        await page.waitForFunction((n) => [...document.querySelectorAll('#map-chart div')].some((d) => d.textContent.includes(n)), NAMES[lang][48], { timeout: 5000 });
        await page.mouse.click(box.x + a.px[0], box.y + a.px[1]);
      }
      await page.waitForSelector('#panel:not([hidden])', { timeout: 5000 });
      assert.equal(await page.textContent('#panel-title'), 'Đà Nẵng');
      await page.keyboard.press('Escape');
      await page.evaluate(() => window.explorer.mapChart.dispatchAction({ type: 'hideTip' }));
      await page.locator('.mapview').screenshot({ path: join(outDir, `islands-${map.toLowerCase()}-${lang}-${device}.png`) });
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
}
