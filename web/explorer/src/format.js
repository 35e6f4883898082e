// How figures, ranks and units are written. A bound ("<10") is never shown as a number, and
// every figure that is not plainly published (SYNTHETIC, PROVISIONAL, DERIVED) says so
// wherever it is written: figureLabel is the one way to write a figure with its marks.
import * as echarts from 'echarts';
import { state, page } from './state.js';

// Loaded text (unit, metric and source names, quotes) is text, never markup. ECharts puts a
// tooltip formatter's result into the page as HTML, so every tooltip is built with tip():
// plain-text lines, each escaped, joined by the only markup a tooltip has, a line break.
// Canvas labels and axis names are drawn as text and need no escaping (a label carrying loaded
// text takes a function formatter: a string one is a template); the page itself writes
// loaded text with textContent only.
export const tip = (...lines) => lines.map((l) => echarts.format.encodeHTML(l)).join('<br>');

export const metricName = (m) => (state.lang === 'vi' ? m.nameVi : m.nameEn);
const locale = () => (state.lang === 'vi' ? 'vi-VN' : 'en-GB');
export function fmt(v) { return v == null ? '—' : Number(v).toLocaleString(locale(), { maximumFractionDigits: 2 }); }
const PREFIX = { LOWER_BOUND: '>', UPPER_BOUND: '<', APPROXIMATE: '≈' };
// show prints a figure or observation as a reader must see it: the bound sign is part of it.
export function show(f) { return f && f.value != null ? `${PREFIX[f.qualifier] || ''}${fmt(f.value)}` : '—'; }
export const isBound = (f) => !!(f && f.value != null && f.qualifier && f.qualifier !== 'EXACT');
export function unitOf(m) { return (m && page.L.units[m.unit]) || (m && m.unit) || ''; }
export function withUnit(text, m) { const u = unitOf(m); return text === '—' ? text : u === '%' ? `${text} %` : text; }
// An axis tick in the metric's unit.
export const tick = (unit) => (v) => (unit === '%' ? `${fmt(v)} %` : fmt(v));
// Status marks: SYNTHETIC, PROVISIONAL and DERIVED are said on every bar, area and row.
export function statusMark(f) {
  const s = f && f.status;
  return s === 'SYNTHETIC' ? page.L.synth : s === 'PROVISIONAL' || s === 'DERIVED' ? page.L[s] : '';
}

// figureLabel writes a figure (value and qualifier) of metric m with the mark of `status`
// (a figure or observation with a status) and "≠" when sources disagree. The mark follows
// the number after a space, or in brackets (`paren`) or after a dash (`dash`) where the
// figure sits in a sentence or a heading.
export function figureLabel(value, m, status = value, { contested = false, mark = 'space' } = {}) {
  const s = statusMark(status);
  const marked = !s ? '' : mark === 'paren' ? ` (${s})` : mark === 'dash' ? ` — ${s}` : ` ${s}`;
  return `${withUnit(show(value), m)}${marked}${contested ? ' ≠' : ''}`;
}

// A metric with no better direction (Comparison.ranked false) is ordered by value, never ranked.
const unranked = () => !!(page.comparison && page.comparison.ranked === false);
export function rankText(r) {
  const L = page.L;
  if (unranked()) return L.byValue;
  if (r.rank != null) return L.rankExact(r.rank, r.rankOf);
  if (r.rankRange) return L.rankRange(r.rankRange.best, r.rankRange.worst, r.rankOf);
  return '';
}
export function rankShort(r) {
  if (unranked()) return page.L.byValue;
  if (r.rank != null) return `${r.rank}/${r.rankOf}`;
  if (r.rankRange) return `${r.rankRange.best}–${r.rankRange.worst}/${r.rankOf}`;
  return '';
}
