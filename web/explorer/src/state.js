// The page's state, and the only module that holds any: `state` is what the URL says (a view
// can be shared and restored), `page` is what was loaded or chosen since, `hooks` is what
// tests and debugging read as window.explorer. Every other module reads and writes these
// objects and keeps no mutable state of its own.
import { labels } from './i18n.js';

const params = new URLSearchParams(location.search);
export const state = {
  metric: params.get('metric') || '',
  year: Number(params.get('year')) || 0,
  period: params.get('period') || '',
  map: params.get('map') === 'VN34' ? 'VN34' : 'VN63',
  synthetic: params.get('synthetic') === '1',
  provinces: (params.get('provinces') || '').split(',').filter(Boolean),
  lang: params.get('lang') === 'en' ? 'en' : 'vi',
};

export const page = {
  L: labels[state.lang], // the labels of state.lang
  metrics: [],
  provinces: [], // the units of both maps
  coverage: new Map(), // metric ID → the periods with figures on state.map (API coverage)
  comparison: null, // the comparison shown
  openedOn: 0, // >0 when the page chose the first view itself: that view's units
  domain: [0, 1], // the values the colour scale spans
  mapRows: [], // the map's units in name order, for the keyboard
  mapFocus: -1, // the unit the keyboard is on
  searchSeq: 0, // the newest search asked, so an older answer is dropped
};

export const hooks = { state };

export function setLang(lang) {
  state.lang = lang;
  page.L = labels[lang];
}

export const currentMetric = () => page.metrics.find((x) => x.id === state.metric);

export function saveURL() {
  const p = new URLSearchParams({ metric: state.metric });
  if (state.period) p.set('period', state.period); else p.set('year', state.year);
  p.set('map', state.map);
  if (state.synthetic) p.set('synthetic', '1');
  if (state.provinces.length) p.set('provinces', state.provinces.join(','));
  if (state.lang !== 'vi') p.set('lang', state.lang);
  history.replaceState(null, '', `${location.pathname}?${p}`);
}
