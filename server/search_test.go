package server_test

import (
	"fmt"
	"testing"
)

// searchProvinces over the bundle: the aliases people type, and on one map the unit a name of
// the other map became (Bà Rịa–Vũng Tàu, Bình Dương and Hồ Chí Minh merged into Hồ Chí Minh).
func TestSearchProvincesAliasesAndSuccessors(t *testing.T) {
	ts, _ := newServer(t)
	for _, c := range []struct{ text, mp, want string }{
		{"HCMC", "VN63", "VN63-79"}, {"Sai Gon", "VN63", "VN63-79"}, {"hanoi", "VN63", "VN63-01"},
		{"HCMC", "VN34", "VN34-79"}, {"Sai Gon", "VN34", "VN34-79"}, {"hanoi", "VN34", "VN34-01"},
		{"ba ria vung tau", "VN63", "VN63-77"}, {"ba ria vung tau", "VN34", "VN34-79"},
		{"binh duong", "VN34", "VN34-79"},
	} {
		var hits []struct{ ID string }
		gql(t, ts, fmt.Sprintf(`{ searchProvinces(text: %q, map: %s) { id } }`, c.text, c.mp), &hits)
		if len(hits) == 0 || hits[0].ID != c.want {
			t.Errorf("%q on %s: %v, want %s first", c.text, c.mp, hits, c.want)
		}
	}
}
