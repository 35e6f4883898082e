package embedded_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadrestat/cadrestat/internal/testenv"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/cadrestat/cadrestat/warehouse/chsql"
	"github.com/cadrestat/cadrestat/warehouse/embedded"
	"github.com/cadrestat/cadrestat/warehouse/embedded/chdb"
	"github.com/cadrestat/cadrestat/warehouse/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Caps{}, func(t *testing.T) (warehouse.Store, *chsql.Core) {
		s := testenv.Store(t)
		return s, s.Core
	})
}

func TestOlderFolderIsUpgraded(t *testing.T) {
	ctx := context.Background()
	s := testenv.Store(t)
	// Simulate a folder written by a binary that knew only migration 1.
	if err := s.Exec(ctx, "DROP TABLE "+s.DB+".rejections"); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(ctx, "ALTER TABLE "+s.DB+".schema_migrations DELETE WHERE version > 1 SETTINGS mutations_sync = 1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.SchemaVersionApplied(ctx); v != 1 {
		t.Fatalf("set-up: version %d", v)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.SchemaVersionApplied(ctx); v != chsql.SchemaVersion() {
		t.Fatalf("after upgrade: version %d, want %d", v, chsql.SchemaVersion())
	}
	if err := s.RecordRejection(ctx, "f.csv", 1, "x"); err != nil {
		t.Fatalf("table from migration 2 missing: %v", err)
	}
}

func TestEngineErrorsAreSafe(t *testing.T) {
	s := testenv.Store(t)
	err := s.Exec(context.Background(), "SELECT * FROM nowhere.secret_table")
	if warehouse.KindOf(err) != warehouse.ErrInternal || strings.Contains(warehouse.ErrorMessage(err), "secret_table") {
		t.Fatalf("err = %v; the client-safe message must hide the SQL", err)
	}
}

func TestMissingLibraryIsAnErrorNotAPanic(t *testing.T) {
	// The library is already loaded in this process, so exercise the path check through
	// the binary instead: see cmd/cadrestat's TestMissingEngineLibrary. Here: a folder that
	// is already open in this process cannot be opened twice, and says why.
	_, err := embedded.Open(context.Background(), t.TempDir(), "x")
	if err == nil || !strings.Contains(warehouse.ErrorMessage(err), "another cadrestat process") {
		t.Fatalf("second open: %v", err)
	}
}

// A client that goes away cancels its context: the call returns at once with a clear
// error, without waiting for the engine (chDB cannot abort a running query).
func TestCancelledRequestReturnsPromptly(t *testing.T) {
	s := testenv.Store(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err := s.Exec(ctx, "SELECT sleep(2)")
	if took := time.Since(start); took > time.Second {
		t.Fatalf("cancelled call returned after %v", took)
	}
	if warehouse.KindOf(err) != warehouse.ErrTimeout || warehouse.ErrorMessage(err) != "the request was cancelled" {
		t.Fatalf("err = %v", err)
	}
}

func TestDeadlineBecomesMaxExecutionTime(t *testing.T) {
	s := testenv.Store(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := s.Exec(ctx, "SELECT sleep(2)")
	if warehouse.KindOf(err) != warehouse.ErrTimeout || warehouse.ErrorMessage(err) != "the query took too long and was stopped" {
		t.Fatalf("err = %v", err)
	}
}

func TestParams(t *testing.T) {
	storetest.Params(t, func(t *testing.T) (warehouse.Store, *chsql.Core) {
		s := testenv.Store(t)
		return s, s.Core
	})
}

// TestNoValueIsSplicedIntoSQL: every value of a read and of a write reaches the engine as a
// parameter (chdb_query_with_params_n), never in the statement's text, the file stage's
// merge (a load's metric IDs) included; this engine does not use chsql.Inline at all.
func TestNoValueIsSplicedIntoSQL(t *testing.T) {
	ctx := context.Background()
	s := testenv.Store(t)
	const marker = "zz-marker'\\{v:String}"
	var sent []string
	var bound []string
	embedded.SetSent(s, func(sql string, params []chdb.Param) {
		sent = append(sent, sql)
		for _, p := range params {
			bound = append(bound, p.Value)
		}
	})
	if err := s.RecordRejection(ctx, marker, 1, marker); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Observations(ctx, warehouse.ObservationFilter{MetricIDs: []string{marker}, SubjectIDs: []string{marker}, SourceIDs: []string{marker},
		PeriodLabels: []string{marker}, AfterID: marker, OnePerCell: &warehouse.CellOrder{Sources: []string{marker}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HasLoad(ctx, marker); err != nil {
		t.Fatal(err)
	}
	b := storetest.Fixture()
	b.File = marker
	if _, err := s.Load(ctx, b); err != nil {
		t.Fatal(err)
	}
	for _, sql := range sent {
		if strings.Contains(sql, "zz-marker") {
			t.Fatalf("a value was spliced into the SQL: %.300s", sql)
		}
	}
	if !slices.ContainsFunc(bound, func(v string) bool { return strings.Contains(v, "zz-marker") }) {
		t.Fatal("the marker was not bound as a parameter either")
	}

	// A load's metric IDs reach the file stage's merge as a parameter too.
	sent = nil
	b = storetest.Fixture()
	b.File = "metric-ids"
	for i := range b.Observations {
		b.Observations[i].MetricID = "zz-marker-metric'"
	}
	b.Metrics = append(b.Metrics, warehouse.Metric{ID: "zz-marker-metric'", NameEN: "m", Unit: "percent", Kind: warehouse.MetricShare, Aggregation: "RATIO", Better: "HIGHER"})
	if _, err := s.Load(ctx, b); err != nil {
		t.Fatal(err)
	}
	merged := false
	for _, sql := range sent {
		if strings.Contains(sql, "zz-marker-metric") {
			t.Fatalf("a metric ID was spliced into the SQL: %.300s", sql)
		}
		merged = merged || strings.Contains(sql, " FROM file(") && strings.Contains(sql, "{scope_metrics:Array(String)}")
	}
	if !merged {
		t.Fatal("the file stage's merge did not bind the load's metric IDs")
	}
}
