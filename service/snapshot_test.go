package service

import (
	"context"
	"errors"
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// midLoad is a fake store that commits a load (new figure, renamed unit, new version) at a
// chosen moment of a request: inside its read of rows, or just after the read was checked.
type midLoad struct {
	*fakeStore
	svc      *Service
	versions int  // DataVersion calls so far
	atCall   int  // commit when DataVersion is called for the atCall-th time (0: never)
	inRead   bool // commit inside the next Observations call, after its rows are taken
}

func (m *midLoad) commit() {
	m.obs = []warehouse.Observation{ob("VN63-01", "share", "2020", 40), ob("VN63-02", "share", "2020", 10), ob("VN63-04", "share", "2020", 5)}
	ps := append([]warehouse.Province(nil), m.cat.Provinces...) // a new catalogue, as a store reads one
	ps[0].Name = "Hà Nội (renamed)"
	m.cat.Provinces = ps
	m.version++
	if err := m.svc.Refresh(context.Background()); err != nil {
		panic(err)
	}
}

func (m *midLoad) DataVersion(ctx context.Context) (uint64, error) {
	m.versions++
	v := m.version
	if m.versions == m.atCall {
		defer m.commit() // the version read is the old one; the load lands right after
	}
	return v, nil
}

func (m *midLoad) Observations(ctx context.Context, f warehouse.ObservationFilter) ([]warehouse.Observation, error) {
	rows, err := m.fakeStore.Observations(ctx, f)
	if m.inRead {
		m.inRead = false
		m.commit()
	}
	return rows, err
}

// A load that commits in the middle of a request never mixes into its answer: the answer
// is wholly the old data (catalogue and figures of the version the request started on) or,
// when the load lands while the request is reading rows it has not used yet, a retryable
// UNAVAILABLE error; the next request is wholly new.
func TestRequestSeesOneDataVersion(t *testing.T) {
	setup := func() (*Service, *midLoad) {
		fs := &fakeStore{version: 1, cat: testCatalog(), obs: []warehouse.Observation{ob("VN63-01", "share", "2020", 12), ob("VN63-02", "share", "2020", 20), ob("VN63-04", "share", "2020", 30)}}
		m := &midLoad{fakeStore: fs}
		m.svc = New(m, nil)
		if err := m.svc.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		m.versions = 0
		return m.svc, m
	}
	args := CompareArgs{Metric: "share", Year: 2020, Map: warehouse.VN63}
	hn := func(c *Comparison) (string, float64) {
		r := rowOf(t, c, "VN63-01")
		return r.Province.Name, *r.Fig.Value
	}

	// The load lands after the rows were read and checked: the answer is the old version's,
	// names and figures alike.
	svc, m := setup()
	m.atCall = 2
	ctx := svc.Pin(context.Background())
	c, err := svc.Compare(ctx, args)
	if err != nil {
		t.Fatal(err)
	}
	if name, v := hn(c); name != "Hà Nội" || v != 12 || svc.At(ctx).Catalog().Version != 1 {
		t.Errorf("old request: %s %v at version %d, want Hà Nội 12 at 1", name, v, svc.At(ctx).Catalog().Version)
	}
	if svc.Catalog().Version != 2 {
		t.Fatalf("the load did not land: live version %d", svc.Catalog().Version)
	}
	// Another field of the same request needs rows again: the old version's are gone, so it
	// is refused, never answered from the new rows.
	if _, err := svc.Compare(ctx, CompareArgs{Metric: "count", Year: 2020, Map: warehouse.VN63}); !errors.Is(err, ErrDataChanged) || warehouse.KindOf(err) != warehouse.ErrUnavailable {
		t.Errorf("a later read of the old request: %v, want %v", err, ErrDataChanged)
	}
	// A new request is wholly new.
	c, err = svc.Compare(context.Background(), args)
	if err != nil {
		t.Fatal(err)
	}
	if name, v := hn(c); name != "Hà Nội (renamed)" || v != 40 {
		t.Errorf("new request: %s %v, want the renamed unit at 40", name, v)
	}

	// The load lands while the request reads its rows: refused, nothing mixed.
	svc, m = setup()
	m.inRead = true
	if _, err := svc.Compare(svc.Pin(context.Background()), args); !errors.Is(err, ErrDataChanged) {
		t.Errorf("load during the read: %v, want %v", err, ErrDataChanged)
	}
	c, err = svc.Compare(context.Background(), args)
	if err != nil {
		t.Fatal(err)
	}
	if name, v := hn(c); name != "Hà Nội (renamed)" || v != 40 {
		t.Errorf("after: %s %v", name, v)
	}
}
