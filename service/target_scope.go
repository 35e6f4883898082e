package service

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/ingest"
	"github.com/cadrestat/cadrestat/warehouse"
)

// TargetChoice is how a figure was matched to a target: the target that judges it, or,
// when none does, the target that was considered and why it does not apply. A reader who
// sees no status next to HCMC's 2025–2030 committee must be told that Chỉ thị 35's 15 %
// was looked at and judges the 2020–2025 congresses only, not left to guess.
type TargetChoice struct {
	Target     *warehouse.Target // judges the figure; nil when none applies
	Considered *warehouse.Target // set when Target is nil and a target of the metric exists
	Note       string            // the periods Target judges, or why Considered does not apply
}

// yearPeriod is the period a bare year asks for.
func yearPeriod(y int) warehouse.Period {
	return warehouse.Period{Kind: warehouse.PeriodYear, Start: y, End: y, Label: strconv.Itoa(y)}
}

// judgedPeriod is the period a figure is judged on: its own observation's, else the one
// period all its parts share, else the period asked for (a combined or missing figure).
// A year asked for finds a term starting in it, so the figure's period is the truer one.
func judgedPeriod(v *Value, asked warehouse.Period) warehouse.Period {
	if v != nil && v.Observation != nil {
		return v.Observation.Period
	}
	if v != nil && len(v.Parts) > 0 {
		p := v.Parts[0].Period
		for _, o := range v.Parts[1:] {
			if o.Period.Label != p.Label {
				return asked
			}
		}
		return p
	}
	return asked
}

// periodWithin reports whether period p lies inside the applies entry e. A term entry
// holds the same term, a year or date of its years but the last (a term's end year is the
// next congress's year: the committee elected in 2025 is the next term's), and a range
// within its years; a range entry holds any period whose years all lie within it.
func periodWithin(p warehouse.Period, e warehouse.Period) bool {
	if e.Kind == warehouse.PeriodTerm {
		switch p.Kind {
		case warehouse.PeriodTerm:
			return p.Start == e.Start && p.End == e.End
		case warehouse.PeriodYear, warehouse.PeriodAsOf:
			return p.Start >= e.Start && p.Start < e.End
		}
	}
	return p.Start >= e.Start && p.End <= e.End
}

// targetApplies reports whether t judges a figure of period p, and if not, why. A target
// without declared periods (a file loaded before the applies column) judges every period,
// as before.
func targetApplies(t *warehouse.Target, p warehouse.Period) (bool, string) {
	if len(t.Applies) == 0 {
		return true, ""
	}
	for _, a := range t.Applies {
		e, msg := ingest.ParsePeriod(a)
		if msg == "" && periodWithin(p, e) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("judges %s, not %s", strings.Join(t.Applies, ", "), p.Label)
}

// targetFor chooses the target that judges a unit's figure of period p: among the targets
// of the metric for the unit (its own, its group's, the nation's) that apply to p, the
// unit's own before the national one, then the nearest deadline not before p's start, else
// the latest. With none applying, the one that would have been chosen without the periods
// is returned as considered, with the reason.
func (s *Service) targetFor(metric, scope string, p warehouse.Period) TargetChoice {
	var best, bestAny *warehouse.Target
	score := func(t *warehouse.Target) (int, int) {
		own := 1
		if t.Scope == scope || t.Scope == "group:"+scope {
			own = 0
		}
		d := t.Deadline - p.Start
		if d < 0 {
			d = 1000 - d
		}
		return own, d
	}
	better := func(t, than *warehouse.Target) bool {
		if than == nil {
			return true
		}
		o1, d1 := score(t)
		o2, d2 := score(than)
		return o1 < o2 || (o1 == o2 && d1 < d2)
	}
	for _, t := range s.Catalog().TargetsFor(metric) {
		if t.Scope != scope && t.Scope != "group:"+scope && t.Scope != warehouse.NationalID {
			continue
		}
		if better(t, bestAny) {
			bestAny = t
		}
		if ok, _ := targetApplies(t, p); ok && better(t, best) {
			best = t
		}
	}
	switch {
	case best != nil:
		c := TargetChoice{Target: best}
		if len(best.Applies) > 0 {
			c.Note = fmt.Sprintf("%s (%s) judges %s", best.Directive, s.TargetLabel(best), strings.Join(best.Applies, ", "))
		}
		return c
	case bestAny != nil:
		_, why := targetApplies(bestAny, p)
		return TargetChoice{Considered: bestAny, Note: fmt.Sprintf("no target applies: %s (%s, deadline %d) %s", bestAny.Directive, s.TargetLabel(bestAny), bestAny.Deadline, why)}
	}
	return TargetChoice{}
}
