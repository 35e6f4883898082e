// GraphiQL at / in headless Chromium against the real binary: its first request is the
// standard introspection query (13–15 levels deep), which must answer so that the docs
// explorer and autocompletion work at first load. The page's Content-Security-Policy lets
// GraphiQL's own stylesheet and fonts load: the browser reports no violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchChromium, outDir } from './lib.mjs';

let stop; let browser; let base;

before(async () => {
  ({ base, stop } = await startServer('graphiql', ['-synthetic-seed', '0', '-warm-views=false']));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  stop?.();
});

test('GraphiQL loads the schema at first load: the docs explorer lists Query', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  const introspection = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Both ways Chromium reports a blocked resource: the console message and the DOM event.
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(`console: ${m.text().replace(/(data:[^;,']{0,20}[;,])[^']*/g, '$1…')}`); });
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI.slice(0, 40)}`));
  });
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) errors.push(`external request ${r.url()}`); });
  page.on('response', async (r) => {
    if (r.url().startsWith(`${base}/graphql`) && r.request().method() === 'POST' && (r.request().postData() || '').includes('__schema')) {
      introspection.push(await r.json());
    }
  });
  await page.goto(`${base}/`);
  await page.click('button[aria-label="Show Documentation Explorer"]');
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.waitFor({ timeout: 30000 });
  await page.waitForFunction(() => /Query/.test(document.querySelector('.graphiql-doc-explorer')?.textContent || ''), null, { timeout: 30000 });
  assert.match(await docs.textContent(), /query:\s*Query/);
  assert.ok(introspection.length >= 1, 'GraphiQL sent its introspection query');
  for (const body of introspection) {
    assert.equal(body.errors, undefined, `introspection answered with errors: ${JSON.stringify(body.errors)}`);
    assert.equal(body.data.__schema.queryType.name, 'Query');
  }
  await page.screenshot({ path: join(outDir, 'graphiql.png') });
  // The fonts the stylesheet names are in use once the editor and docs are drawn.
  await page.evaluate(() => document.fonts.ready);
  errors.push(...await page.evaluate(() => window.cspViolations));
  assert.deepEqual(errors, []);
  assert.ok(await page.evaluate(() => [...document.fonts].some((f) => f.status === 'loaded')), 'GraphiQL loaded at least one of its fonts');
});

test('GraphiQL links to the explorer, the schema and the README, and each answers', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(`${base}/`);
  const links = await page.$$eval('#links a', (as) => as.map((a) => ({ text: a.textContent, href: a.href })));
  assert.equal(links.length, 3);
  const [explore, schema, readme] = links;
  assert.match(explore.text, /Explorer/); assert.equal(new URL(explore.href).pathname, '/explore/');
  const s = await fetch(schema.href);
  assert.equal(s.status, 200);
  assert.match(s.headers.get('content-type'), /^text\/plain/);
  assert.match(await s.text(), /type Query \{/);
  const r = await fetch(readme.href);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /^# cadrestat/);
  const e = await fetch(explore.href);
  assert.equal(e.status, 200);
  await page.close();
});
