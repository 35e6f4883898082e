package chsql

import (
	"hash/fnv"
	"math"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// referenceHash is the definition the stored hashes were made with (hash/fnv over each field
// followed by 0x1f); the allocation-free hasher must agree with it exactly, or every row
// would look changed on its next reload.
func referenceHash(fields ...string) uint64 {
	h := fnv.New64a()
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0x1f})
	}
	return h.Sum64()
}

func TestObservationHashIsStable(t *testing.T) {
	v, n, d := 12.5, 5.0, 40.0
	o := warehouse.Observation{SubjectKind: "province", SubjectID: "VN63-01", MetricID: "female_share",
		Period: warehouse.Period{Kind: "YEAR", Start: 2020, End: 2020, Label: "2020"}, Value: &v, Numerator: &n, Denominator: &d,
		Qualifier: "EXACT", Status: "PUBLISHED", SourceID: "s1", Quote: "Tỷ lệ nữ\tđạt 12,5%"}
	t.Run("Golden", func(t *testing.T) {
		// Values written by the first version of the warehouse (before the hasher).
		if got := ObservationHash(&o); got != 2635010641923082236 {
			t.Errorf("ObservationHash = %d, want 2635010641923082236", got)
		}
		if got := warehouse.ObservationID("VN63-01", "female_share", "2020", "s1"); got != "5950392af8ea2af2" {
			t.Errorf("ObservationID = %s, want 5950392af8ea2af2", got)
		}
		p := o
		p.Numerator, p.Denominator = nil, nil
		if got := ObservationHash(&p); got != 15979553356145091987 {
			t.Errorf("ObservationHash without parts = %d, want 15979553356145091987", got)
		}
	})
	t.Run("MatchesReference", func(t *testing.T) {
		var xs []*float64
		for _, x := range []float64{1e21, 0, math.Copysign(0, -1), 999999, 1e6, 1234567, -5, 0.5, -0.25, 1e-7, 123456.75} {
			xs = append(xs, &x)
		}
		for _, x := range append(xs, nil, &v) {
			p := o
			p.Value, p.Period.Start = x, 1945
			want := referenceHash(p.SubjectKind, p.SubjectID, p.MetricID, string(p.Period.Kind), "1945", "2020", p.Period.Label,
				fstr(p.Value), fstr(p.Numerator), fstr(p.Denominator), string(p.Qualifier), string(p.Status), p.SourceID, p.Quote, p.Note)
			if got := ObservationHash(&p); got != want {
				t.Errorf("value %v: hash %d, reference %d", x, got, want)
			}
		}
		if warehouse.Hash("a", "", "ư") != referenceHash("a", "", "ư") {
			t.Error("Hash differs from the reference")
		}
		if warehouse.ObservationKey(&o) != referenceHash("VN63-01", "female_share", "2020", "s1") {
			t.Error("ObservationKey differs from the reference")
		}
	})
}

func BenchmarkObservationHash(b *testing.B) {
	v := 12.5
	o := warehouse.Observation{SubjectKind: "province", SubjectID: "VN63-01", MetricID: "female_share",
		Period: warehouse.Period{Kind: "YEAR", Start: 2020, End: 2020, Label: "2020"}, Value: &v, Qualifier: "EXACT", Status: "SYNTHETIC", SourceID: "synthetic", Note: "synthetic (seed 1)"}
	b.ReportAllocs()
	for b.Loop() {
		ObservationHash(&o)
	}
}

// A source without URL or retrieval date hashes as it did before migration 3, so reloading
// files an older folder was loaded from changes nothing; either field set changes the hash.
func TestSourceHashKeepsOldRowsUnchanged(t *testing.T) {
	s := warehouse.Source{ID: "press-x", Title: "T", Issuer: "I", Date: "2020-10-30", Language: "vi", Location: "L", Kind: "press", Licence: "c"}
	old := referenceHash(s.ID, s.Title, s.Issuer, s.DocNumber, s.Date, s.Language, s.Location, s.Kind, s.Licence)
	if got := SourceHash(&s); got != old {
		t.Fatalf("SourceHash without url = %d, want the pre-migration %d", got, old)
	}
	u := s
	u.URL = "https://example.vn/a"
	r := s
	r.Retrieved = "2025-01-02"
	if SourceHash(&u) == old || SourceHash(&r) == old || SourceHash(&u) == SourceHash(&r) {
		t.Fatal("url and retrieved must change the hash")
	}
	if got, want := SourceHash(&u), referenceHash(s.ID, s.Title, s.Issuer, s.DocNumber, s.Date, s.Language, s.Location, s.Kind, s.Licence, u.URL, ""); got != want {
		t.Fatalf("SourceHash with url = %d, want %d", got, want)
	}
}
