// The explorer works against a server in trusted-documents mode: every query the page sends
// is one of the .graphql files the server embeds and trusts, so nothing is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchChromium } from './lib.mjs';

let stop; let browser; let base;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cadrestat-trusted-'));
  const doc = '{ dataVersion }';
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ [createHash('sha256').update(doc).digest('hex')]: doc }));
  ({ base, stop } = await startServer('trusted', ['-synthetic-seed', '0', '-warm-views=false', '-trusted-documents', manifest], join(dir, 'data')));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  stop?.();
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
