// Quần đảo Hoàng Sa and Quần đảo Trường Sa on both maps. Vietnamese maps draw them in place in
// the Biển Đông and name them with the unit they belong to: Hoàng Sa with Đà Nẵng, Trường Sa
// with Khánh Hòa (on VN34 the merged Đà Nẵng and Khánh Hòa keep the same codes, 48 and 56; the
// build checks that through data/province-lineage.csv rather than assuming it).
//
// Shapes: the island polygons of Natural Earth's 1:10m land (public domain), as packaged in
// the pinned npm package world-atlas@2.0.2 (ISC), file countries-10m.json, object `land`:
// the land mass without any country attribution, cut to each archipelago's box below. A land
// polygon only partly inside a box fails the build (the box would cut another coast), and each
// box must yield at least `min` islands, so a change of package cannot silently drop one. `at` is where the marker and the name are drawn (within the archipelago).
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';

export const ARCHIPELAGOS = [
  {
    id: 'hoang-sa', vn63: '48', vn34: '48',
    vi: 'Quần đảo Hoàng Sa', en: 'Hoang Sa (Paracel) Islands',
    box: [110.5, 15.5, 113.0, 17.5], at: [112.0, 16.45], min: 5,
  },
  {
    id: 'truong-sa', vn63: '56', vn34: '56',
    vi: 'Quần đảo Trường Sa', en: 'Truong Sa (Spratly) Islands',
    box: [111.5, 7.0, 116.0, 12.0], at: [114.4, 10.3], min: 8,
  },
];

// The sea the archipelagos lie in, named as Vietnamese maps name it.
export const SEA = { vi: 'Biển Đông', en: 'East Sea (Biển Đông)', at: [112.3, 13.2] };

const inside = (box, [x, y]) => x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];

// islandPolygons returns, for each archipelago id, the land polygons (MultiPolygon
// coordinates) whose every vertex lies in its box; a polygon only partly inside a box is an
// error (the box would cut a coast).
export function islandPolygons(require = createRequire(import.meta.url)) {
  const topo = require('world-atlas/countries-10m.json');
  const land = feature(topo, topo.objects.land);
  const geoms = land.type === 'FeatureCollection' ? land.features.map((f) => f.geometry) : [land.geometry];
  const polys = geoms.flatMap((g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates));
  const out = {};
  for (const a of ARCHIPELAGOS) {
    out[a.id] = [];
    for (const p of polys) {
      const pts = p[0];
      const n = pts.filter((c) => inside(a.box, c)).length;
      if (n === 0) continue;
      if (n !== pts.length) throw new Error(`${a.id}: a land polygon crosses the box ${a.box}`);
      out[a.id].push(p);
    }
    if (out[a.id].length < a.min) throw new Error(`${a.id}: ${out[a.id].length} islands in world-atlas, expected at least ${a.min}`);
  }
  return out;
}
