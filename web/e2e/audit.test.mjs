// The GraphQL-over-HTTP conformance audit of the pinned `graphql-http` package against the
// real binary: every MUST, SHOULD and MAY point. It prints the counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { auditServer } from 'graphql-http';

const bin = resolve(process.env.CADRESTAT_BIN || '../bin/cadrestat');
let server; let base;

const freePort = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ['serve', '-data', mkdtempSync(join(tmpdir(), 'cadrestat-audit-')), '-addr', `127.0.0.1:${port}`, '-synthetic-seed', '0', '-warm-views=false'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* not yet */ }
    if (i > 300) throw new Error(`server not ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

after(() => server?.kill('SIGTERM'));

test('graphql-http server audit: every MUST, SHOULD and MAY passes', async () => {
  const results = await auditServer({ url: `${base}/graphql` });
  const count = { ok: 0, warn: 0, error: 0 };
  const failed = [];
  for (const r of results) {
    count[r.status] += 1;
    if (r.status !== 'ok') failed.push(`${r.status.toUpperCase()} ${r.name}: ${r.reason}`);
  }
  console.log(`graphql-http audit: ${count.ok} ok, ${count.warn} warnings, ${count.error} errors of ${results.length}`);
  assert.deepEqual(failed, []);
});
