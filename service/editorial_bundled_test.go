package service

import (
	"context"
	"strings"
	"testing"

	"github.com/cadrestat/cadrestat/data"
	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/warehouse"
)

// bundledSvc is a service over a fresh embedded warehouse holding the bundled data: the
// judgements of issue 25 checked on the real figures through the real engine.
func bundledSvc(t *testing.T) *Service {
	t.Helper()
	svc := New(testenv.Store(t), nil)
	if rep, err := svc.LoadBundled(context.Background(), data.Files(), data.Digest()); err != nil || !rep.OK() {
		t.Fatalf("bundled data: %v %+v", err, rep)
	}
	return svc
}

// Chỉ thị 35-CT/TW's "≥ 15 % by 2020" judges the 2020–2025 congresses: the committees
// elected in 2025 are not judged by it (HCMC is not "met by 7.94"), the answer names it as
// considered and says why, and targetAttainment counts nobody met or below against it.
func TestBundledDirective35DoesNotJudgeThe2025Term(t *testing.T) {
	svc := bundledSvc(t)
	ctx := context.Background()
	args := CompareArgs{Metric: "female_provincial_committee_share", Year: 2025, Map: warehouse.VN34}
	c, err := svc.Compare(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	hcmc := rowNamed(t, c, "Hồ Chí Minh")
	if hcmc.Fig.Value == nil || hcmc.Fig.Observation.Period.Label != "term:2025-2030" {
		t.Fatalf("HCMC's figure: %+v", hcmc.Fig)
	}
	if hcmc.Status != NoTarget || hcmc.Target != nil || hcmc.Gap != nil {
		t.Errorf("HCMC 2025: %s against %v gap %v, want NO_TARGET", hcmc.Status, hcmc.Target, hcmc.Gap)
	}
	if hcmc.TargetConsidered == nil || hcmc.TargetConsidered.ID != "t-female-committee-15" ||
		!strings.Contains(hcmc.TargetNote, "35-CT/TW") || !strings.Contains(hcmc.TargetNote, "judges term:2020-2025, not term:2025-2030") {
		t.Errorf("HCMC 2025: considered %v, note %q", hcmc.TargetConsidered, hcmc.TargetNote)
	}
	a, err := svc.TargetAttainment(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	if a.Met+a.Below+a.Above+a.Unknown != 0 || a.Target != nil || a.National.Status == TargetMet || a.National.Status == TargetBelow {
		t.Errorf("attainment 2025: met %d below %d above %d unknown %d, target %v, national %s", a.Met, a.Below, a.Above, a.Unknown, a.Target, a.National.Status)
	}
	// The same directive still judges the 2020–2025 committees it was written for.
	a, err = svc.TargetAttainment(ctx, CompareArgs{Metric: "female_provincial_committee_share", Year: 2020, Map: warehouse.VN63})
	if err != nil {
		t.Fatal(err)
	}
	if a.Target == nil || a.Target.ID != "t-female-committee-15" || a.Met+a.Below == 0 {
		t.Errorf("attainment 2020: target %v, met %d below %d", a.Target, a.Met, a.Below)
	}
}

// rowNamed finds a row by the unit's name.
func rowNamed(t *testing.T, c *Comparison, name string) *Row {
	t.Helper()
	for _, r := range c.Rows {
		if strings.Contains(r.Province.Name, name) {
			return r
		}
	}
	t.Fatalf("no row named %s", name)
	return nil
}

// Cần Thơ 2020–2025: the Women's Union's exact 8 % (22/10/2020) lies inside its later "<10"
// (30/10/2020); the two agree, so the 8 is shown, uncontested, with "<10" corroborating.
func TestBundledCanTho2020ShowsTheExactFigure(t *testing.T) {
	svc := bundledSvc(t)
	ctx := context.Background()
	c, err := svc.Compare(ctx, CompareArgs{Metric: "female_provincial_committee_share", Year: 2020, Map: warehouse.VN63, Provinces: []string{"Cần Thơ"}})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Rows[0]
	if r.Fig.Display() != "8" || !r.Fig.Exact() || r.Fig.Contested || r.Fig.Observation.SourceID != "press-fpc2020-001" {
		t.Fatalf("Cần Thơ 2020: %q exact %v contested %v", r.Fig.Display(), r.Fig.Exact(), r.Fig.Contested)
	}
	cells, err := svc.Cells(ctx, []string{r.Fig.Observation.CellKey()})
	if err != nil {
		t.Fatal(err)
	}
	var backing []string
	for _, o := range cells[r.Fig.Observation.CellKey()] {
		if svc.Corroborates(r.Fig.Observation, &o) {
			backing = append(backing, (&Value{Value: o.Value, Qualifier: o.Qualifier, Parts: []*warehouse.Observation{&o}}).Display()+" "+o.SourceID)
		}
	}
	if strings.Join(backing, ";") != "<10 press-fpc2020-002" {
		t.Errorf("corroborating %v, want the 30/10 \"<10\"", backing)
	}
}
