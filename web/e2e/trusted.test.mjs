// The explorer works against a server in trusted-documents mode: every query the page sends
// is one of the .graphql files the server embeds and trusts, so nothing is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const bin = resolve(process.env.CADRESTAT_BIN || '../bin/cadrestat');
let server; let browser; let base;

const freePort = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cadrestat-trusted-'));
  const doc = '{ dataVersion }';
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ [createHash('sha256').update(doc).digest('hex')]: doc }));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ['serve', '-data', join(dir, 'data'), '-addr', `127.0.0.1:${port}`, '-synthetic-seed', '0', '-warm-views=false', '-trusted-documents', manifest], { stdio: ['ignore', 'ignore', 'pipe'] });
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

test('the explorer runs on a trusted-documents server; other queries are refused', async () => {
  const refused = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: '{ metrics { id } }' }) });
  assert.equal(refused.status, 403);
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => { if (r.url().startsWith(`${base}/graphql`) && r.status() !== 200) errors.push(`${r.status()} from /graphql`); });
  await page.goto(`${base}/explore/`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  await page.waitForFunction(() => window.explorer && window.explorer.compareChart.getOption().series[0].data.length > 0, null, { timeout: 30000 });
  assert.deepEqual(errors, []);
});
