// The GraphQL-over-HTTP conformance audit of the pinned `graphql-http` package against the
// real binary: every MUST, SHOULD and MAY point. It prints the counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { auditServer } from 'graphql-http';
import { startServer } from './lib.mjs';

let stop; let base;

before(async () => {
  ({ base, stop } = await startServer('audit', ['-synthetic-seed', '0', '-warm-views=false']));
});

after(() => stop?.());

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
