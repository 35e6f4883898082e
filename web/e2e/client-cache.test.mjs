// Two real GraphQL clients with normalising caches against the real binary: Apollo Client's
// InMemoryCache and urql's Graphcache store every object with an id once, under
// __typename:id. One client fetches two years of a comparison and two briefs; each answer
// then read back from its cache must equal the server's own answer to the same query. With
// ids that named a unit or a section kind whatever the year or province, the cached 2020
// national figure read "" (2015's) and VN63-01's brief showed VN63-08's items.
// Both caches are configured as the README's "Ids and client caches" says, from its list of
// value types, which must be every object type of the schema without an id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApolloClient, InMemoryCache, HttpLink, gql } from '@apollo/client';
import { Client, fetchExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { startServer } from './lib.mjs';

let stop; let base;

before(async () => {
  ({ base, stop } = await startServer('client-cache', ['-synthetic-seed', '0', '-warm-views=false']));
});

after(() => stop?.());

// Only fields the schema had before ids were made unique, so the same test against the old
// binary fails on the cached values, not on unknown fields.
const compareQuery = `query Compare($m: ID!, $y: Int!) { compare(metric: $m, year: $y) { year
  national { id name figure { display value qualifier } }
  benchmarks { id name figure { display value } }
  rows { province { id name } display figure { display } } } }`;

const briefQuery = `query Brief($p: ID!) { brief(province: $p) { year province { id name }
  sections { id nameEn items { metric { id nameEn } year row { display rankOf }
    region { id name figure { display } } national { id name figure { display } } } } } }`;

// issue 25's cases: the national figure is "" in 2015 and "16" in 2020; Hà Nội's and
// Hà Giang's briefs both have a councils section, with different items.
const asks = [
  ['compare 2020', compareQuery, { m: 'female_provincial_committee_share', y: 2020 }],
  ['compare 2015', compareQuery, { m: 'female_provincial_committee_share', y: 2015 }],
  ['brief VN63-01', briefQuery, { p: 'VN63-01' }],
  ['brief VN63-08', briefQuery, { p: 'VN63-08' }],
];

async function direct(query, variables) {
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

// Both caches add __typename to every selection; the direct answers do not ask for it.
const withoutTypename = (v) => JSON.parse(JSON.stringify(v, (k, x) => (k === '__typename' ? undefined : x)));

// The value types as the README lists them (the array in its "Ids and client caches").
function readmeValueTypes() {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const m = readme.match(/const valueTypes = \[([^\]]*)\]/);
  assert.ok(m, 'README has "const valueTypes = [...]"');
  return [...m[1].matchAll(/'([A-Za-z]+)'/g)].map((x) => x[1]);
}

test('the README lists every object type without an id as a value type', async () => {
  const { __schema } = await direct('{ __schema { types { name kind fields { name } } } }');
  const withoutID = __schema.types
    .filter((t) => t.kind === 'OBJECT' && !t.name.startsWith('__') && t.name !== 'Query' && t.name !== 'Subscription' && !t.fields.some((f) => f.name === 'id'))
    .map((t) => t.name).sort();
  assert.deepEqual([...readmeValueTypes()].sort(), withoutID);
});

test('Apollo InMemoryCache: every cached answer equals the server\'s', async () => {
  const valueTypes = readmeValueTypes();
  const warnings = [];
  const warn = console.warn;
  console.warn = (...a) => warnings.push(a.join(' '));
  try {
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${base}/graphql` }),
      cache: new InMemoryCache({ typePolicies: Object.fromEntries(valueTypes.map((t) => [t, { keyFields: false, merge: true }])) }),
    });
    for (const [, query, variables] of asks) {
      const { data, error } = await client.query({ query: gql(query), variables, fetchPolicy: 'network-only' });
      assert.equal(error, undefined);
      assert.ok(data);
    }
    for (const [name, query, variables] of asks) {
      const cached = client.readQuery({ query: gql(query), variables });
      assert.ok(cached, `${name}: in the cache`);
      assert.deepEqual(withoutTypename(cached), await direct(query, variables), `${name}: Apollo's cached answer differs from the server's`);
    }
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, [], 'Apollo warned');
});

test('urql Graphcache: every cached answer equals the server\'s', async () => {
  const valueTypes = readmeValueTypes();
  const warnings = [];
  const warn = console.warn;
  console.warn = (...a) => warnings.push(a.join(' '));
  try {
    const client = new Client({
      url: `${base}/graphql`,
      preferGetMethod: false,
      exchanges: [cacheExchange({ keys: Object.fromEntries(valueTypes.map((t) => [t, () => null])) }), fetchExchange],
    });
    for (const [name, query, variables] of asks) {
      const res = await client.query(query, variables, { requestPolicy: 'network-only' }).toPromise();
      assert.equal(res.error, undefined, `${name}: ${res.error}`);
    }
    for (const [name, query, variables] of asks) {
      const cached = client.readQuery(query, variables, { requestPolicy: 'cache-only' });
      assert.ok(cached?.data, `${name}: in the cache`);
      assert.deepEqual(withoutTypename(cached.data), await direct(query, variables), `${name}: Graphcache's cached answer differs from the server's`);
    }
  } finally {
    console.warn = warn;
  }
  // Graphcache warns about every type it cannot key; the README's keys leave none.
  assert.deepEqual(warnings, [], 'Graphcache warned');
});
