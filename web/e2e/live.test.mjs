// Live refresh with the clients a dashboard uses: graphql-sse (server-sent events) and
// graphql-ws (the graphql-transport-ws protocol over the `ws` WebSocket), both pinned in
// package.json, against the real binary. Each gets the data version at once, a notice
// after a real load (`cadrestat ingest` handing a file to the running server), and the end
// of its stream when the server is stopped with SIGTERM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient as createSSEClient } from 'graphql-sse';
import { createClient as createWSClient } from 'graphql-ws';
import WebSocket from 'ws';
import { bin, startServer } from './lib.mjs';

const SUBSCRIPTION = 'subscription Live { dataChanged { version loadedAt } }';
let server; let dir; let dataDir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cadrestat-live-'));
  dataDir = join(dir, 'data');
  server = await startServer('live', ['-synthetic-seed', '0', '-warm-views=false', '-cors-origins', 'http://dash.example'], dataDir);
});

after(() => server?.stop());

const dataVersion = async () => (await (await fetch(`${server.base}/graphql?query=${encodeURIComponent('{ dataVersion }')}`)).json()).data.dataVersion;

const withTimeout = (p, what, ms = 15000) => Promise.race([p, new Promise((_, no) => setTimeout(() => no(new Error(`${what}: nothing within ${ms} ms`)), ms))]);

test('dataChanged over SSE and WebSocket: the version, a load, the drain', async () => {
  const sse = createSSEClient({ url: `${server.base}/graphql`, retryAttempts: 0 });
  const ws = createWSClient({ url: `${server.base.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  const streams = { sse: sse.iterate({ query: SUBSCRIPTION }), ws: ws.iterate({ query: SUBSCRIPTION }) };
  const v1 = await dataVersion();
  for (const [name, it] of Object.entries(streams)) {
    const { value, done } = await withTimeout(it.next(), `${name} first event`);
    assert.equal(done, false, name);
    assert.equal(value.errors, undefined, `${name}: ${JSON.stringify(value.errors)}`);
    assert.equal(value.data.dataChanged.version, v1, name);
    assert.ok(!Number.isNaN(Date.parse(value.data.dataChanged.loadedAt)), name);
  }

  // A real load through the ordinary hand-off changes the data version.
  const file = join(dir, 'observations.csv');
  writeFileSync(file, 'subject,metric,period,value,numerator,denominator,qualifier,status,source,quote,note\n'
    + 'VN63-01,voter_turnout,2009,99.1,,,EXACT,PUBLISHED,seed-000,e2e live refresh,\n');
  await promisify(execFile)(bin, ['ingest', '-data', dataDir, file]);
  const v2 = await dataVersion();
  assert.notEqual(v2, v1);
  for (const [name, it] of Object.entries(streams)) {
    const { value } = await withTimeout(it.next(), `${name} after the load`);
    assert.equal(value.data.dataChanged.version, v2, name);
  }

  // SIGTERM: both streams end (complete), so dashboards reconnect elsewhere.
  server.stop();
  for (const [name, it] of Object.entries(streams)) {
    const { done } = await withTimeout(it.next(), `${name} on SIGTERM`);
    assert.equal(done, true, name);
  }
  sse.dispose();
  await ws.dispose();
});

test('a WebSocket from an origin CORS does not allow is refused', async () => {
  const fresh = await startServer('live-cors', ['-synthetic-seed', '0', '-warm-views=false', '-cors-origins', 'http://dash.example']);
  const open = (origin) => new Promise((ok) => {
    const s = new WebSocket(`${fresh.base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers: { Origin: origin } });
    s.on('open', () => { s.close(); ok('open'); });
    s.on('unexpected-response', (_, res) => ok(res.statusCode));
    s.on('error', () => ok('error'));
  });
  try {
    assert.equal(await open('http://dash.example'), 'open');
    assert.equal(await open('http://evil.example'), 403);
  } finally {
    fresh.stop();
  }
});
