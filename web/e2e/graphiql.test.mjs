// GraphiQL at / in headless Chromium against the real binary: its first request is the
// standard introspection query (13–15 levels deep), which must answer so that the docs
// explorer and autocompletion work at first load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
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
  server = spawn(bin, ['serve', '-data', mkdtempSync(join(tmpdir(), 'cadrestat-e2e-gi-')), '-addr', `127.0.0.1:${port}`, '-synthetic-seed', '0', '-warm-views=false'], { stdio: ['ignore', 'ignore', 'pipe'] });
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

test('GraphiQL loads the schema at first load: the docs explorer lists Query', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  const introspection = [];
  page.on('pageerror', (e) => errors.push(e.message));
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
  assert.deepEqual(errors, []);
});
