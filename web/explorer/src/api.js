// Data fetching: every query the page sends is one of the shared .graphql files, which the
// server also embeds, so a server in trusted-documents mode trusts exactly them.
import { state } from './state.js';
// Shared with the server, which pre-renders this query for every metric, year and map.
import compareQuery from '../../../server/explorer/compare.graphql?raw';
import catalogQuery from '../../../server/explorer/catalog.graphql?raw';
import coverageQuery from '../../../server/explorer/coverage.graphql?raw';
import seriesQuery from '../../../server/explorer/series.graphql?raw';
import searchQuery from '../../../server/explorer/search.graphql?raw';

async function gql(query, variables) {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
  return body.data;
}

// Metrics and the units of both maps.
export const fetchCatalog = () => gql(catalogQuery);

// Every metric's periods with figures on the map: Map metric ID → periods.
export async function fetchCoverage(map) {
  const d = await gql(coverageQuery, { map });
  return new Map(d.coverage.map((c) => [c.metric.id, c.periods]));
}

// The comparison of the state's view, with variables as the server warms them (m, y, map, s),
// so the standard views come from its cache.
export async function fetchComparison() {
  const v = { m: state.metric, map: state.map, s: state.synthetic };
  if (state.period) v.p = state.period; else v.y = state.year;
  return (await gql(compareQuery, v)).compare;
}

export async function fetchSeries(ids) {
  return (await gql(seriesQuery, { m: state.metric, p: ids, map: state.map, s: state.synthetic })).series;
}

export async function fetchSearch(text) {
  return (await gql(searchQuery, { text, map: state.map })).searchProvinces;
}
