package service

import (
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// The preference rule with agreement (issue 25 item 2), hand-made cells of one unit and
// period: figures that agree are not in conflict and the most informative is shown; only
// disagreeing figures go through the rule; a level disagreement is contested; precision
// never lifts a provisional figure over a final one.
func TestAgreeingFiguresCorroborateTheMostInformative(t *testing.T) {
	svc, _ := newFake(t)
	type want struct {
		shown  string   // source of the figure shown
		rivals []string // sources disputing it (contested when any)
	}
	cell := func(obs ...warehouse.Observation) (string, []string) {
		cells, contested := svc.pickCells(obs)
		top := cells["VN63-92"]["term:2020-2025"]
		var rivals []string
		for _, o := range contested[top.ID] {
			rivals = append(rivals, o.SourceID)
		}
		return top.SourceID, rivals
	}
	o := func(src string, v float64, q warehouse.Qualifier) warehouse.Observation {
		return withQual(fromSource(ob("VN63-92", "share", "term:2020-2025", v), src), q)
	}
	second := func(x warehouse.Observation) warehouse.Observation { x.ID += "#2"; return x } // a second row of one source
	for _, c := range []struct {
		name string
		obs  []warehouse.Observation
		want want
	}{
		// Cần Thơ 2020: the exact 8 % of 22/10 lies inside the later "<10" of 30/10.
		{"exact inside a later bound", []warehouse.Observation{o("press-old", 8, "EXACT"), o("press-new", 10, "UPPER_BOUND")}, want{"press-old", nil}},
		// The narrower of two nested bounds.
		{"nested bounds", []warehouse.Observation{o("press-new", 15, "UPPER_BOUND"), o("press-old", 10, "UPPER_BOUND")}, want{"press-old", nil}},
		// An approximation inside a bound: ≈30 is 25–35, inside ">20".
		{"approximation inside a bound", []warehouse.Observation{o("off-1", 20, "LOWER_BOUND"), o("press-old", 30, "APPROXIMATE")}, want{"press-old", nil}},
		// Disagreeing figures go through the rule: the official ">12" over the press's 8.
		{"disagreeing: by kind", []warehouse.Observation{o("press-new", 8, "EXACT"), o("off-1", 12, "LOWER_BOUND")}, want{"off-1", nil}},
		// Disagreeing and level (two undated press articles): contested, the rival kept.
		{"disagreeing and level", []warehouse.Observation{o("press-undated-b", 12, "EXACT"), o("press-undated-a", 8, "EXACT")}, want{"press-undated-a", []string{"press-undated-b"}}},
		// A later "<10" overrules the 12 and backs the 8, which it holds: 8 shown, uncontested.
		{"a later bound settles a tie", []warehouse.Observation{o("press-undated-b", 12, "EXACT"), o("press-undated-a", 8, "EXACT"), o("press-new", 10, "UPPER_BOUND")}, want{"press-undated-a", nil}},
		// The rule's first ("<15", newest) agrees with both 12 and "<10", which disagree with
		// each other: the exact 12 is shown, and "<10" (level with "<15") disputes it.
		{"a chain of agreement", []warehouse.Observation{o("press-new", 15, "UPPER_BOUND"), o("press-undated-a", 12, "EXACT"), second(o("press-new", 10, "UPPER_BOUND"))}, want{"press-undated-a", []string{"press-new"}}},
	} {
		shown, rivals := cell(c.obs...)
		if shown != c.want.shown || strings.Join(rivals, ",") != strings.Join(c.want.rivals, ",") {
			t.Errorf("%s: shown %s, disputed by %v; want %s, %v", c.name, shown, rivals, c.want.shown, c.want.rivals)
		}
	}

	// A provisional exact figure inside a final bound does not beat it: the final ">99" is
	// shown, and the preliminary 99.99 is an alternative, neither disputing nor winning.
	final := withQual(fromSource(ob("VN63-92", "share", "term:2020-2025", 99), "press-old"), warehouse.QualLowerBound)
	prelim := withStatus(fromSource(ob("VN63-92", "share", "term:2020-2025", 99.99), "off-1"), warehouse.StatusProvisional)
	if shown, rivals := cell(prelim, final); shown != "press-old" || rivals != nil {
		t.Errorf("provisional inside final: shown %s, rivals %v", shown, rivals)
	}
	// A derived exact figure (computed from printed counts) is final: it wins inside a
	// published bound. Of two equal values the one with its counts is shown.
	derived := withStatus(fromSource(ratio("VN63-92", "term:2020-2025", 5, 62), "press-old"), warehouse.StatusDerived)
	if shown, _ := cell(derived, o("press-new", 10, "UPPER_BOUND")); shown != "press-old" {
		t.Errorf("derived inside a bound: shown %s", shown)
	}
	counted := fromSource(ratio("VN63-92", "term:2020-2025", 5, 50), "press-old")
	if shown, rivals := cell(o("press-new", 10, "EXACT"), counted); shown != "press-old" || rivals != nil {
		t.Errorf("equal values: shown %s (want the one with counts), rivals %v", shown, rivals)
	}

	// Corroborates is what the API lists under corroborating: agreeing others only.
	a, b, c := o("press-old", 8, "EXACT"), o("press-new", 10, "UPPER_BOUND"), o("press-undated-a", 12, "EXACT")
	svc.AttachSources([]warehouse.Observation{a, b, c})
	if !svc.Corroborates(&a, &b) || svc.Corroborates(&a, &c) || svc.Corroborates(&a, &a) {
		t.Error("8 is backed by <10, not by 12, and not by itself")
	}
}
