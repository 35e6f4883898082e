package service

import (
	"testing"

	"github.com/cadrestat/cadrestat/warehouse"
)

// A name both maps have resolves to the current map unless a map is given; an ID or a name
// on one map only resolves as before.
func TestNameOnBothMapsResolvesToTheCurrentMap(t *testing.T) {
	svc, _ := newFake(t)
	for _, c := range []struct {
		m         warehouse.Map
		ref, want string
	}{
		{"", "Hà Nội", "VN34-01"},
		{"", "ha noi", "VN34-01"},
		{warehouse.VN63, "Hà Nội", "VN63-01"},
		{"", "VN63-01", "VN63-01"},
		{"", "Hà Giang", "VN63-02"}, // merged into Tuyên Quang: VN63 only
		{"", "Tuyên Quang", "VN34-08"},
	} {
		p, err := svc.findProvince(c.m, "province", c.ref)
		if err != nil || p.ID != c.want {
			t.Errorf("%q on %q: %v %v, want %s", c.ref, c.m, p, err, c.want)
		}
	}
}
