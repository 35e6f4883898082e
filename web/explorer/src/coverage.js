// What the API's coverage says, turned into the explorer's choices: which view to open on,
// which period a metric moves to, and the words a period is shown in. Pure functions of the
// coverage answer (query ExplorerCoverage), so they can be read and tested on their own.

// A period choice is a key: `y:2020` for yearly figures (compare(year:)), `p:<label>` for a
// range or as-of date (compare(period:)).
export const keyOf = (c) => (c.year != null ? `y:${c.year}` : `p:${c.period.label}`);
export function keyOfState(state) { return state.period ? `p:${state.period}` : `y:${state.year}`; }
export function applyKey(state, key) {
  if (key.startsWith('p:')) { state.period = key.slice(2); } else { state.period = ''; state.year = Number(key.slice(2)); }
}

// bestPeriod: the period with the most units holding a figure, the newest on a tie (coverage
// lists newest first, and lists a period with no unit only when the nation has a figure).
// Null when the metric has no figure on the map.
export function bestPeriod(periods) {
  let best = null;
  for (const c of periods || []) if (!best || c.units > best.units) best = c;
  return best;
}

// A party-organisation metric: its body names the party (party committees, party
// organisation, the state and party apparatus), not elections, People's Councils or the
// National Assembly. The explorer opens on one of these.
export const isPartyMetric = (m) => /\bparty\b/i.test(m.body || '');

// openingView: the party-organisation metric whose best period has the most units with a
// figure (catalogue order on a tie), with that period; null when none has any.
export function openingView(metrics, coverage) {
  let best = null;
  for (const m of metrics) {
    if (!isPartyMetric(m)) continue;
    const p = bestPeriod(coverage.get(m.id));
    if (p && p.units > 0 && (!best || p.units > best.period.units)) best = { metric: m.id, period: p };
  }
  return best;
}

// periodWords: a period as a reader says it ("nhiệm kỳ 2020–2025", "2015–2021"), never a
// raw label such as "range:2015-2021".
export function periodWords(p, lang) {
  if (!p) return '';
  const span = `${p.start}–${p.end}`;
  const vi = lang === 'vi';
  switch (p.kind) {
    case 'TERM': return vi ? `nhiệm kỳ ${span}` : `${span} term`;
    case 'RANGE': return vi ? `${span} (cộng dồn)` : `${span} (cumulative)`;
    case 'ASOF': {
      const [y, mo, d] = p.label.replace(/^asof:/, '').split('-');
      return vi ? `tính đến ${d}/${mo}/${y}` : `as of ${d}/${mo}/${y}`;
    }
    default: return vi ? `năm ${p.start}` : String(p.start);
  }
}

// periodOf reads a period label ("2021", "term:2020-2025", "range:2015-2021",
// "asof:2025-10-02") into the fields periodWords needs; labelWords writes it in words.
export function periodOf(label) {
  const m = /^(term|range):(\d{4})-(\d{4})$/.exec(label);
  if (m) return { kind: m[1].toUpperCase(), start: Number(m[2]), end: Number(m[3]), label };
  const a = /^asof:(\d{4})-\d\d-\d\d$/.exec(label);
  if (a) return { kind: 'ASOF', start: Number(a[1]), end: Number(a[1]), label };
  return /^\d{4}$/.test(label) ? { kind: 'YEAR', start: Number(label), end: Number(label), label } : null;
}
export const labelWords = (label, lang) => { const p = periodOf(label || ''); return p ? periodWords(p, lang) : label || ''; };
