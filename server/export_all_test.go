package server_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
)

// The series export takes "ALL" and group= as the GraphQL series does.
func TestSeriesCSVTakesAllAndGroup(t *testing.T) {
	ts, _ := newServer(t)
	read := func(query string) (int, [][]string) {
		t.Helper()
		resp, err := http.Get(ts.URL + "/export/series.csv?" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rows, _ := csv.NewReader(resp.Body).ReadAll()
		return resp.StatusCode, rows
	}
	status, rows := read("metric=voter_turnout&provinces=ALL&from=2021&to=2021")
	units := map[string]bool{}
	for _, r := range rows[1:] {
		units[r[0]] = true
		if !strings.HasPrefix(r[0], "VN63-") {
			t.Fatalf("ALL on VN63 gave %s", r[0])
		}
	}
	if status != 200 || len(units) < 20 {
		t.Fatalf("ALL: %d, %d units with a 2021 turnout", status, len(units))
	}
	status, rows = read("metric=voter_turnout&group=nosuchgroup&from=2021&to=2021")
	if status != 404 {
		t.Fatalf("unknown group: %d %v", status, rows)
	}
	if status, _ := read("metric=voter_turnout&from=2021&to=2021"); status != 400 {
		t.Fatalf("no provinces and no group: %d", status)
	}
}
