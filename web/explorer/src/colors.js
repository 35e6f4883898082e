// A sequential scale (light yellow → dark blue) over the values shown; the bars and the map
// use the same colour for the same unit. Bounds are hatched, synthetic figures hatched with a
// dashed border.
import { page } from './state.js';
import { isBound } from './format.js';

export const RAMP = ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'];
const NO_DATA = '#d9d9d9';
function hex(c) { return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)); }
function ramp(t) {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const a = hex(RAMP[i]); const b = hex(RAMP[i + 1]); const u = x - i;
  return `#${a.map((v, k) => Math.round(v + (b[k] - v) * u).toString(16).padStart(2, '0')).join('')}`;
}

// setDomain spans the scale over the values shown (not from zero), so close figures stay apart.
export function setDomain(vals) {
  let d = vals.length ? [Math.min(...vals), Math.max(...vals)] : [0, 1];
  if (d[0] === d[1]) d = [Math.min(0, d[0]), d[1] || 1];
  page.domain = d;
}

export function colorFor(f) {
  if (!f || f.value == null) return NO_DATA;
  const [lo, hi] = page.domain;
  return ramp(hi > lo ? (f.value - lo) / (hi - lo) : 1);
}
const HATCH_BOUND = { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4, color: 'rgba(0,0,0,0.35)' };
const HATCH_SYNTH = { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [1, 5], rotation: Math.PI / 4, color: 'rgba(120,0,0,0.45)' };
export function styleFor(f) {
  const s = { color: colorFor(f) };
  if (!f || f.value == null) return s;
  if (f.status === 'SYNTHETIC') { s.decal = HATCH_SYNTH; s.borderColor = '#8b0000'; s.borderType = 'dashed'; s.borderWidth = 1.5; }
  if (isBound(f)) s.decal = HATCH_BOUND;
  return s;
}
// A comparison row as the scale colours it.
export const rowFigure = (r) => (r.value == null ? null : { ...r.figure, value: r.value, qualifier: r.qualifier });
