package service

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Verdict answers "are we on track for the target?".
type Verdict string

const (
	VerdictMet      Verdict = "MET"       // the latest figure meets the target
	VerdictOnTrack  Verdict = "ON_TRACK"  // not met yet; the observed rate reaches it by the deadline
	VerdictOffTrack Verdict = "OFF_TRACK" // not met, and the observed rate does not reach it, or the deadline passed
	VerdictUnknown  Verdict = "UNKNOWN"   // the figures do not decide it (Reason says why)
)

// Rate is a change per year, as an interval: figures that are bounds give a range of
// rates; exact figures give Lo == Hi.
type Rate struct{ Lo, Hi float64 }

// OnTrack is the answer for one unit, metric and target. The rule, in order:
//  1. No target applies to the latest figure's period nor to a later one: UNKNOWN.
//  2. The latest figure (a bound as its interval) meets the target: MET, and MetSince is
//     the first year of the unbroken run of figures that meet it up to the latest. When the
//     target judges a later period than the latest figure's (Chỉ thị 35's 2020–2025
//     congresses, seen from a 2015–2020 figure), the level is reached but the target not yet
//     judged: ON_TRACK, with MetSince.
//  3. The latest figure does not decide the target (a bound across it): UNKNOWN.
//  4. The deadline is not after the latest figure's year (the period the target judges has
//     its figure, or the deadline has passed): OFF_TRACK, missed.
//  5. Fewer than two figures of the kind compared: UNKNOWN, no rate observed.
//  6. RateNeeded is what takes the latest figure to the target's bound by the deadline,
//     RateObserved the change per year from the first figure to the latest (both intervals
//     when bounds are involved): ON_TRACK when every observed rate is at least every needed
//     one (in the target's direction), OFF_TRACK when none is, else UNKNOWN.
type OnTrack struct {
	Target       *warehouse.Target
	TargetNote   string // why this target: it judges the latest figure, or a later period
	Verdict      Verdict
	Latest       *Point // the latest figure of the kind compared
	Status       TargetStatus
	Gap          *float64 // exact latest figures only
	Deadline     int
	YearsLeft    int // from the latest figure's year to the deadline
	RateNeeded   *Rate
	RateObserved *Rate
	From         *Point // the figure RateObserved is measured from
	MetSince     *int
	Reason       string
}

// onTrack judges pts (one unit's figures of one period kind, oldest first, each with a
// value) against t; see OnTrack for the rule.
func onTrack(m *warehouse.Metric, t *warehouse.Target, pts []Point, judgesLatest bool) *OnTrack {
	ot := &OnTrack{Target: t, Verdict: VerdictUnknown}
	if t == nil {
		ot.Reason = "no target applies to these figures or to a later period"
		return ot
	}
	ot.Deadline = t.Deadline
	if len(pts) == 0 {
		ot.Reason = "no figure"
		return ot
	}
	last := &pts[len(pts)-1]
	ot.Latest = last
	ot.Gap, ot.Status = attainment(m, t, &last.Fig)
	ot.YearsLeft = t.Deadline - last.Year
	switch ot.Status {
	case TargetMet:
		ot.Verdict = VerdictMet
		since := last.Year
		for i := len(pts) - 2; i >= 0; i-- {
			if _, st := attainment(m, t, &pts[i].Fig); st != TargetMet {
				break
			}
			since = pts[i].Year
		}
		ot.MetSince = &since
		ot.Reason = fmt.Sprintf("met since %d (%s)", since, periodWords(pts[indexOfYear(pts, since)].Period))
		if !judgesLatest {
			ot.Verdict = VerdictOnTrack
			ot.Reason = fmt.Sprintf("at the target's level since %d (%s); the target judges a later period", since, periodWords(pts[indexOfYear(pts, since)].Period))
		}
		return ot
	case TargetUnknown:
		ot.Reason = fmt.Sprintf("the latest figure, %s (%s), does not decide the target", last.Fig.Display(), periodWords(last.Period))
		return ot
	case TargetBelow, TargetAbove:
	default:
		ot.Reason = "the latest figure has no value"
		return ot
	}
	if ot.YearsLeft <= 0 {
		ot.Verdict = VerdictOffTrack
		ot.Reason = fmt.Sprintf("missed: the deadline %d is not after the latest figure, %s (%s)", t.Deadline, last.Fig.Display(), periodWords(last.Period))
		return ot
	}
	var bound, dir float64
	if ot.Status == TargetBelow {
		bound, dir = *t.Lower, 1 // below a floor: must rise
	} else {
		bound, dir = *t.Upper, -1 // above a ceiling: must fall
	}
	liv, _ := interval(m, &last.Fig)
	years := float64(ot.YearsLeft)
	need := Rate{round6((bound - liv.Hi) / years), round6((bound - liv.Lo) / years)}
	ot.RateNeeded = &need
	if len(pts) < 2 {
		ot.Reason = fmt.Sprintf("one figure only (%s): no rate observed; %s a year is needed to reach %g by %d", periodWords(last.Period), rateWords(need), bound, t.Deadline)
		return ot
	}
	first := &pts[0]
	ot.From = first
	fiv, _ := interval(m, &first.Fig)
	dy := float64(last.Year - first.Year)
	obs := Rate{round6((liv.Lo - fiv.Hi) / dy), round6((liv.Hi - fiv.Lo) / dy)}
	ot.RateObserved = &obs
	// In the target's direction: the worst observed rate against the most needed, and the
	// best observed against the least needed.
	worstObs, bestObs := dir*obs.Lo, dir*obs.Hi
	mostNeed, leastNeed := dir*need.Hi, dir*need.Lo
	if dir < 0 {
		worstObs, bestObs = dir*obs.Hi, dir*obs.Lo
		mostNeed, leastNeed = dir*need.Lo, dir*need.Hi
	}
	how := fmt.Sprintf("%s a year observed from %d to %d, %s a year needed to reach %g by %d", rateWords(obs), first.Year, last.Year, rateWords(need), bound, t.Deadline)
	switch {
	case math.IsNaN(worstObs) || math.IsNaN(bestObs):
		ot.Reason = "the figures' bounds give no rate: " + how
	case worstObs >= mostNeed:
		ot.Verdict, ot.Reason = VerdictOnTrack, "on track: "+how
	case bestObs < leastNeed:
		ot.Verdict, ot.Reason = VerdictOffTrack, "off track: "+how
	default:
		ot.Reason = "the figures' bounds leave it undecided: " + how
	}
	return ot
}

func indexOfYear(pts []Point, y int) int {
	for i := range pts {
		if pts[i].Year == y {
			return i
		}
	}
	return len(pts) - 1
}

// rateWords shows a rate: "+0.4" or "+0.2 to +0.6".
func rateWords(r Rate) string {
	f := func(x float64) string {
		switch {
		case math.IsInf(x, 1):
			return "unbounded"
		case math.IsInf(x, -1):
			return "−unbounded"
		}
		return fmt.Sprintf("%+g", math.Round(x*100)/100)
	}
	if r.Lo == r.Hi {
		return f(r.Lo)
	}
	return f(r.Lo) + " to " + f(r.Hi)
}

// periodWords names a period for a sentence: "term 2020–2025", "2021", "range 2015–2021".
func periodWords(p warehouse.Period) string {
	switch p.Kind {
	case warehouse.PeriodTerm:
		return fmt.Sprintf("term %d–%d", p.Start, p.End)
	case warehouse.PeriodRange:
		return fmt.Sprintf("%d–%d", p.Start, p.End)
	case warehouse.PeriodAsOf:
		return strings.TrimPrefix(p.Label, "asof:")
	}
	return p.Label
}

// onTrackTarget is the target a unit's figures are judged against for "on track": the one
// that judges the latest figure's period, else, when none does, the nearest target whose
// deadline lies after that figure (a target for the periods still to come), with the same
// preference for the unit's own target as targetFor.
func (s *Service) onTrackTarget(metric, scope string, latest warehouse.Period) TargetChoice {
	tc := s.targetFor(metric, scope, latest)
	if tc.Target != nil {
		return tc
	}
	var best *warehouse.Target
	for _, t := range s.Catalog().TargetsFor(metric) {
		if t.Scope != scope && t.Scope != "group:"+scope && t.Scope != warehouse.NationalID {
			continue
		}
		if t.Deadline <= latest.Start {
			continue
		}
		own := func(x *warehouse.Target) bool { return x.Scope != warehouse.NationalID }
		if best == nil || (own(t) && !own(best)) || (own(t) == own(best) && t.Deadline < best.Deadline) {
			best = t
		}
	}
	if best == nil {
		return tc
	}
	return TargetChoice{Target: best, Note: fmt.Sprintf("%s (%s, deadline %d) judges a later period than the latest figure (%s)", best.Directive, s.TargetLabel(best), best.Deadline, periodWords(latest))}
}

// onTrackOf judges a unit's figures of one period kind, oldest first.
func (s *Service) onTrackOf(m *warehouse.Metric, u *warehouse.Province, pts []Point) *OnTrack {
	if len(pts) == 0 {
		return &OnTrack{Verdict: VerdictUnknown, Reason: "no figure"}
	}
	latest := pts[len(pts)-1].Period
	tc := s.onTrackTarget(m.ID, u.ID, latest)
	judges := false
	if tc.Target != nil {
		judges, _ = targetApplies(tc.Target, latest)
	}
	ot := onTrack(m, tc.Target, pts, judges)
	ot.TargetNote = tc.Note
	if tc.Target == nil && tc.Considered != nil {
		ot.Reason = tc.Note
	}
	return ot
}

// RowOnTrack judges a comparison row's unit on track: its figures of the row's period kind
// (years or terms) up to the row's own, as Trend would.
func (s *Service) RowOnTrack(ctx context.Context, r *Row) (*OnTrack, error) {
	s = s.At(ctx)
	if r.metric == nil {
		return &OnTrack{Verdict: VerdictUnknown, Reason: "no figure"}, nil
	}
	k := r.judged.Kind
	if k != warehouse.PeriodYear && k != warehouse.PeriodTerm {
		return &OnTrack{Verdict: VerdictUnknown, Reason: fmt.Sprintf("on track is judged on yearly or term figures, not on %s", periodWords(r.judged))}, nil
	}
	if r.Fig.Value == nil {
		return &OnTrack{Verdict: VerdictUnknown, Reason: "no figure"}, nil
	}
	// No target for the row's period nor a later one: nothing to follow (the common case,
	// answered without reading the unit's figures).
	if tc := s.onTrackTarget(r.metric.ID, r.Province.ID, r.judged); tc.Target == nil {
		ot := onTrack(r.metric, nil, nil, false)
		ot.TargetNote = tc.Note
		if tc.Considered != nil {
			ot.Reason = tc.Note
		}
		return ot, nil
	}
	sl, err := s.metricSlice(ctx, r.metric.ID, r.synthetic)
	if err != nil {
		return nil, err
	}
	from := r.judged.Start
	if n := len(sl.years); n > 0 {
		from = min(from, sl.years[n-1]) // the earliest start year of any figure of the metric
	}
	var pts []Point
	for _, p := range s.points(r.metric, sl, r.Province, from, r.judged.Start) {
		if p.Fig.Value != nil && p.Period.Kind == k {
			pts = append(pts, p)
		}
	}
	return s.onTrackOf(r.metric, r.Province, pts), nil
}
