// Text from data is text: a unit name, metric name, source title, issuer and quote holding
// HTML are loaded through the ordinary hand-off (`cadrestat ingest` into a running server),
// then every place the explorer shows them — the ranking's tooltip, the map's tooltip
// reached with the arrow keys, the trends tooltip, the source panel — and the printed brief
// must show the markup as literal characters and create none of its elements.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bin, startServer, launchChromium } from './lib.mjs';

// Markup that, if parsed, would add an image (and its request to /x), a link and bold text.
const HTML = '<img src=x onerror=alert(1)><a href="https://evil.example/">x</a><b>y</b>';
const UNIT = `Hà Nội${HTML}`;
const METRIC = `Chỉ số${HTML}`;
// A Vietnamese source's title and issuer are Vietnamese (ingest checks it).
const TITLE = `Tiêu đề${HTML}`;
const ISSUER = `Cơ quan${HTML}`;
const QUOTE = `quote${HTML}`;
// Elements the markup would create; none may exist anywhere they could show up.
const INJECTED = 'img, a[href*="evil"], b';
const csv = (v) => `"${v.replace(/"/g, '""')}"`;

let stop; let browser; let base;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cadrestat-html-'));
  const dataDir = join(dir, 'data');
  ({ base, stop } = await startServer('html', ['-synthetic-seed', '0', '-warm-views=false'], dataDir));
  const files = {
    'provinces.csv': `map,code,name,name_ascii,kind,region,valid_from,valid_to\nVN63,01,${csv(UNIT)},Ha Noi,city,red_river_delta,2008-08-01,2025-06-30\n`,
    'metrics.csv': `id,name_en,name_vi,unit,kind,body,level,better,aggregation,description\ne2e_html,${csv(`Metric${HTML}`)},${csv(METRIC)},percent,SHARE,provincial party committee,provincial,HIGHER,RATIO,${csv(`about${HTML}`)}\n`,
    'sources.csv': `id,title,issuer,doc_number,date,language,location,kind,licence,url,retrieved\ne2e-html-001,${csv(TITLE)},${csv(ISSUER)},,2020-01,vi,e2e.txt,seed,quoted for citation,/documents/e2e-html-001,\n`,
    'observations.csv': 'subject,metric,period,value,numerator,denominator,qualifier,status,source,quote,note\n'
      + `VN63-01,e2e_html,2020,42,,,EXACT,PUBLISHED,e2e-html-001,${csv(QUOTE)},${csv(`note${HTML}`)}\n`
      + `VN,e2e_html,2020,30,,,EXACT,PUBLISHED,e2e-html-001,${csv(QUOTE)},\n`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  // Handed to the running server through admin.json, as an operator would load files.
  await promisify(execFile)(bin, ['ingest', '-data', dataDir, ...Object.keys(files).map((f) => join(dir, f))]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  stop?.();
});

async function openPage(path) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  // An inline onerror blocked by the CSP would be reported here too.
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`); });
  // A parsed <img src=x> would be requested relative to the page.
  page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname.endsWith('/x') || u.hostname.includes('evil')) problems.push(`injected request ${r.url()}`); });
  await page.goto(`${base}${path}`);
  return { page, problems };
}

// shownAsText: the element holding `text` (an ECharts tooltip inside `within`) shows it as
// literal characters and neither it nor the rest of `within` holds an injected element. It
// returns what is wrong, so that one run names every tooltip that renders markup.
async function shownAsText(page, within, text) {
  const wrong = [];
  await page.waitForFunction(([sel, t]) => [...document.querySelectorAll(`${sel} div`)].some((d) => d.textContent.includes(t) && getComputedStyle(d).display !== 'none'), [within, 'Hà Nội'], { timeout: 10000 });
  const tips = await page.$$eval(`${within} div`, (ds, t) => ds.filter((d) => d.textContent.includes(t) && ![...d.querySelectorAll('div')].some((c) => c.textContent.includes(t))).map((d) => d.textContent), 'Hà Nội');
  if (!tips.some((t) => t.includes(text))) wrong.push(`${within}: ${JSON.stringify(tips)} does not show ${text} literally`);
  const injected = await page.$$eval(`${within} :is(${INJECTED})`, (es) => es.map((e) => e.outerHTML));
  if (injected.length) wrong.push(`${within} holds elements from the name: ${injected.join(' ')}`);
  return wrong;
}

test('HTML in names is shown as text in every explorer tooltip and panel', async () => {
  const { page, problems } = await openPage('/explore/?metric=e2e_html&year=2020&map=VN63&provinces=VN63-01');
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  await page.waitForFunction(() => window.explorer.bars === 1 && (window.explorer.seriesChart.getOption()?.series || []).length === 2, null, { timeout: 30000 });
  assert.equal(await page.evaluate(() => window.explorer.rows[0].name), UNIT, 'the API gave the page the name as loaded');
  assert.equal(await page.textContent('#metric option:checked'), METRIC);

  // The ranking: hover the one bar.
  const bar = await page.evaluate(() => {
    const c = window.explorer.compareChart;
    const [x, y] = c.convertToPixel({ seriesIndex: 0 }, [21, 0]);
    const r = c.getDom().getBoundingClientRect();
    return { x: r.left + x, y: r.top + y };
  });
  await page.mouse.move(bar.x, bar.y);
  const wrong = await shownAsText(page, '#compare-chart', `${UNIT}: 42 %`);

  // The map, from the keyboard: arrow to the unit; its tooltip opens.
  await page.mouse.move(0, 0);
  await page.focus('#map-chart');
  for (let i = 0; i < 63 && !(await page.textContent('#map-live')).startsWith(UNIT); i++) await page.keyboard.press('ArrowRight');
  assert.ok((await page.textContent('#map-live')).startsWith(UNIT), await page.textContent('#map-live'));
  wrong.push(...await shownAsText(page, '#map-chart', `${UNIT}: 42 %`));

  // The trends: hover the unit's 2020 point.
  await page.locator('#series-chart').scrollIntoViewIfNeeded();
  const point = await page.evaluate((name) => {
    const c = window.explorer.seriesChart;
    const i = c.getOption().series.findIndex((s) => s.name === name);
    const [x, y] = c.convertToPixel({ seriesIndex: i }, [10, 42]); // 2010 + 10
    const r = c.getDom().getBoundingClientRect();
    return { x: r.left + x, y: r.top + y };
  }, UNIT);
  await page.mouse.move(point.x, point.y);
  wrong.push(...await shownAsText(page, '#series-chart', `${UNIT} 2020: 42 %`));
  assert.deepEqual(wrong, []);

  // The source panel (textContent throughout): title, issuer and quote as written.
  await page.click('details summary'); // the table
  await page.click('#compare-table button');
  await page.waitForSelector('#panel:not([hidden])');
  assert.equal(await page.textContent('#panel-title'), UNIT);
  const source = await page.textContent('#panel-source');
  assert.ok(source.includes(TITLE) && source.includes(ISSUER), source);
  assert.equal(await page.textContent('#panel-quote'), QUOTE);
  assert.equal(await page.locator(`#panel :is(${INJECTED})`).count(), 0);

  assert.equal(await page.locator(`body :is(${INJECTED})`).count(), 0, 'no element from the names anywhere in the page');
  assert.deepEqual(problems, []);
});

test('HTML in names is shown as text in the printed brief', async () => {
  const { page, problems } = await openPage('/brief/VN63-01?year=2020');
  assert.equal(await page.textContent('h1'), UNIT);
  assert.ok((await page.title()).includes(UNIT), await page.title());
  // The metric and its source are in the brief: their names and the footnote as written.
  assert.ok((await page.textContent('tbody')).includes(METRIC), 'the brief lists the metric');
  const notes = await page.textContent('.notes');
  assert.ok(notes.includes(TITLE) && notes.includes(ISSUER), notes);
  assert.equal(await page.locator(INJECTED).count(), 0, 'no element from the name in the brief');
  assert.deepEqual(problems, []);
});
