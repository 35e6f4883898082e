package chsql

import (
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/warehouse"
)

// loadTable describes how one table's rows come out of a Batch. Hash covers every content
// column, so an unchanged row is recognised and skipped on reload.
type loadTable struct {
	name    string
	columns []string
	rows    func(b *warehouse.Batch, loadID string, rev uint64) [][]any
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

var loadTables = []loadTable{
	{"sources", []string{"id", "title", "issuer", "doc_number", "date", "language", "location", "kind", "licence", "url", "retrieved", "priority", "hash", "load_id", "revision"},
		func(b *warehouse.Batch, id string, rev uint64) [][]any {
			out := make([][]any, len(b.Sources))
			for i, s := range b.Sources {
				out[i] = []any{s.ID, s.Title, s.Issuer, s.DocNumber, s.Date, s.Language, s.Location, s.Kind, s.Licence, s.URL, s.Retrieved,
					int64(s.Priority), SourceHash(&s), id, rev}
			}
			return out
		}},
	{"provinces", []string{"id", "map", "code", "name", "name_ascii", "kind", "region", "valid_from", "valid_to", "hash", "load_id", "revision"},
		func(b *warehouse.Batch, id string, rev uint64) [][]any {
			out := make([][]any, len(b.Provinces))
			for i, p := range b.Provinces {
				out[i] = []any{p.ID, string(p.Map), p.Code, p.Name, p.NameASCII, p.Kind, p.Region, p.ValidFrom, p.ValidTo,
					warehouse.Hash(p.ID, string(p.Map), p.Code, p.Name, p.NameASCII, p.Kind, p.Region, p.ValidFrom, p.ValidTo), id, rev}
			}
			return out
		}},
	{"lineage", []string{"id", "from_id", "to_id", "hash", "load_id", "revision"},
		func(b *warehouse.Batch, id string, rev uint64) [][]any {
			out := make([][]any, len(b.Lineage))
			for i, l := range b.Lineage {
				out[i] = []any{l.From, l.From, l.To, warehouse.Hash(l.From, l.To), id, rev}
			}
			return out
		}},
	{"groups", []string{"id", "kind", "name", "name_vi", "map", "members", "source_id", "note", "hash", "load_id", "revision"},
		func(b *warehouse.Batch, id string, rev uint64) [][]any {
			out := make([][]any, len(b.Groups))
			for i, g := range b.Groups {
				members := g.Members
				if members == nil {
					members = []string{}
				}
				out[i] = []any{g.ID, g.Kind, g.Name, g.NameVI, string(g.Map), members, g.SourceID, g.Note,
					warehouse.Hash(g.ID, g.Kind, g.Name, g.NameVI, string(g.Map), strings.Join(members, ","), g.SourceID, g.Note), id, rev}
			}
			return out
		}},
	{"metrics", []string{"id", "name_en", "name_vi", "unit", "kind", "body", "level", "better", "aggregation", "description", "hash", "load_id", "revision"},
		func(b *warehouse.Batch, id string, rev uint64) [][]any {
			out := make([][]any, len(b.Metrics))
			for i, m := range b.Metrics {
				out[i] = []any{m.ID, m.NameEN, m.NameVI, m.Unit, string(m.Kind), m.Body, m.Level, m.Better, m.Aggregation, m.Description,
					warehouse.Hash(m.ID, m.NameEN, m.NameVI, m.Unit, string(m.Kind), m.Body, m.Level, m.Better, m.Aggregation, m.Description), id, rev}
			}
			return out
		}},
	{"targets", []string{"id", "metric_id", "scope", "lower", "upper", "lower_inclusive", "upper_inclusive", "deadline", "directive", "source_id", "quote", "note", "hash", "load_id", "revision"},
		func(b *warehouse.Batch, id string, rev uint64) [][]any {
			out := make([][]any, len(b.Targets))
			for i, t := range b.Targets {
				out[i] = []any{t.ID, t.MetricID, t.Scope, t.Lower, t.Upper, b2u(t.LowerInclusive), b2u(t.UpperInclusive), uint16(t.Deadline), t.Directive, t.SourceID, t.Quote, t.Note,
					warehouse.Hash(t.ID, t.MetricID, t.Scope, fstr(t.Lower), fstr(t.Upper), fstr(ptr(float64(b2u(t.LowerInclusive)))), fstr(ptr(float64(b2u(t.UpperInclusive)))), fstr(ptr(float64(t.Deadline))), t.Directive, t.SourceID, t.Quote, t.Note), id, rev}
			}
			return out
		}},
	// Observations are not boxed into rows here: Load hands them to the stage, which encodes
	// them directly (stage.addObservations), in the batch and from its stream.
	{"observations", obsColumns, nil},
}

var obsColumns = []string{"id", "subject_kind", "subject_id", "metric_id", "period_kind", "period_start", "period_end", "period_label", "value", "numerator", "denominator", "qualifier", "status", "source_id", "quote", "note", "hash", "load_id", "revision"}

// SourceHash covers every content field of a source. URL and retrieval date (migration 3)
// and priority (migration 4)
// are hashed only when one is set, so a source without them keeps the hash it had before
// they existed and reloading an older folder's files changes nothing.
func SourceHash(s *warehouse.Source) uint64 {
	f := []string{s.ID, s.Title, s.Issuer, s.DocNumber, s.Date, s.Language, s.Location, s.Kind, s.Licence}
	if s.URL != "" || s.Retrieved != "" {
		f = append(f, s.URL, s.Retrieved)
	}
	if s.Priority != 0 { // migration 4, hashed only when set for the same reason
		f = append(f, "priority:"+strconv.Itoa(s.Priority))
	}
	return warehouse.Hash(f...)
}

func ptr[T any](v T) *T { return &v }
