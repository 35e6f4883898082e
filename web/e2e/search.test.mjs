// The trends panel's search goes through the API (searchProvinces): aliases ("HCMC",
// "Sai Gon", "hanoi") add their unit, and on VN34 a VN63 name ("ba ria vung tau") adds the
// unit it became and says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchChromium, outDir } from './lib.mjs';

let stop; let browser; let base;
before(async () => { ({ base, stop } = await startServer('search', [])); browser = await launchChromium(); });
after(async () => { await browser?.close(); stop?.(); });

async function firstHit(text, map) {
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: 'query($t: String!, $m: Map) { searchProvinces(text: $t, map: $m) { id name } }', variables: { t: text, m: map } }) });
  return (await res.json()).data.searchProvinces[0];
}

const picked = (page) => page.evaluate(() => (new URL(location.href).searchParams.get('provinces') || '').split(',').filter(Boolean));

for (const map of ['VN63', 'VN34']) {
  test(`${map}: "HCMC", "Sai Gon", "hanoi" and "ba ria vung tau" add the unit the API finds`, async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/explore/?metric=female_provincial_committee_share&map=${map}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
    const want = { HCMC: `${map}-79`, 'Sai Gon': `${map}-79`, hanoi: `${map}-01`, 'ba ria vung tau': map === 'VN63' ? 'VN63-77' : 'VN34-79' };
    for (const [text, id] of Object.entries(want)) {
      assert.equal((await firstHit(text, map)).id, id, `the API finds ${id} for ${text}`);
      await page.evaluate(() => history.replaceState(null, '', location.pathname + location.search.replace(/&provinces=[^&]*/, '')));
      await page.evaluate(() => { window.explorer.state.provinces = []; });
      await page.fill('#search', text);
      await page.press('#search', 'Enter');
      await page.waitForFunction((x) => (new URL(location.href).searchParams.get('provinces') || '').split(',').includes(x), id, { timeout: 10000 });
      assert.deepEqual(await picked(page), [id], text);
      await page.waitForFunction(() => (window.explorer.seriesChart.getOption()?.series || []).length >= 1);
      if (map === 'VN34' && text === 'ba ria vung tau') {
        assert.match(await page.textContent('#search-note'), /Bà Rịa.+Vũng Tàu nay thuộc (TP )?Hồ Chí Minh/);
      } else assert.equal(await page.textContent('#search-note'), '');
    }
    // Typing offers the API's suggestions; on VN34 the successor says what it includes.
    await page.fill('#search', 'ba ria');
    await page.waitForFunction(() => document.querySelectorAll('#province-list option').length > 0);
    const opts = await page.$$eval('#province-list option', (os) => os.map((o) => ({ v: o.value, l: o.label })));
    if (map === 'VN34') assert.ok(opts.some((o) => o.v.endsWith('(VN34-79)') && /Bà Rịa/.test(o.l)), JSON.stringify(opts));
    else assert.ok(opts.some((o) => o.v.endsWith('(VN63-77)')), JSON.stringify(opts));
    // Nothing found is said, and nothing is added.
    await page.fill('#search', 'zzzz');
    await page.press('#search', 'Enter');
    await page.waitForFunction(() => document.getElementById('search-note').textContent.includes('zzzz'));
    await page.screenshot({ path: join(outDir, `search-${map.toLowerCase()}.png`) });
    assert.deepEqual(errors, []);
    await page.close();
  });
}
