// Package warehouse is cadrestat's vocabulary: the domain types (provinces, metrics,
// observations, targets, the catalogue), the Store interface every engine implements and its
// optional capabilities, the error kinds, content hashing and identities, and Limited, the
// concurrency limit and per-request query budget around a Store. It holds no SQL: that is
// warehouse/chsql, shared by the engines (warehouse/embedded, warehouse/clickhouse), so
// nothing above the warehouse sees a driver type or a query.
package warehouse

import "strconv"

// Map is a province map: the 63 units in force until 2025-06-30, or the 34 from 2025-07-01.
type Map string

const (
	VN63 Map = "VN63"
	VN34 Map = "VN34"
)

// MapChangeYear is the first year reported on the 34-unit map.
const MapChangeYear = 2025

// MapInForce is the map provinces were reported on in a year.
func MapInForce(year int) Map {
	if year >= MapChangeYear {
		return VN34
	}
	return VN63
}

// Province is one provincial-level unit on one map. ID is "<map>-<code>" because a code can
// mean different units on the two maps (15 is Yên Bái on VN63 but Lào Cai on VN34).
type Province struct {
	ID        string
	Map       Map
	Code      string
	Name      string
	NameASCII string
	Kind      string // province | city
	Region    string
	ValidFrom string
	ValidTo   string
	// Predecessors (on VN34) and Successors (on VN63) hold province IDs from the lineage.
	Predecessors []string
	Successors   []string
}

// Group is a named peer group of provinces: a region, an emulation cluster, …
type Group struct {
	ID       string
	Kind     string // region | cluster
	Name     string
	NameVI   string
	Map      Map
	Members  []string // province IDs
	SourceID string
	Note     string
}

// MetricKind says how a metric's values combine.
type MetricKind string

const (
	MetricShare  MetricKind = "SHARE"  // a percentage with numerator and denominator
	MetricCount  MetricKind = "COUNT"  // persons, units, positions: summed across provinces
	MetricAmount MetricKind = "AMOUNT" // a rate or amount that cannot be summed or re-computed
)

// Metric is one indicator from the catalogue.
type Metric struct {
	ID          string
	NameEN      string
	NameVI      string
	Unit        string
	Kind        MetricKind
	Body        string
	Level       string
	Better      Direction
	Aggregation Aggregation
	Description string
}

// Source is a document a figure comes from.
type Source struct {
	ID        string
	Title     string
	Issuer    string
	DocNumber string
	Date      string
	Language  string
	Location  string
	Kind      string // seed | official | press
	Licence   string
	// URL is the page a reader can open (required for official and press sources; seeds
	// keep their file name in Location). Retrieved is the date (YYYY-MM-DD) it was read.
	URL       string
	Retrieved string
	// Priority is the catalogue's declared preference among sources that tie on everything
	// else in the preference rule: higher first (default 0).
	Priority int
}

// Period is when a value applies. A term (2020-2025) or range is compared on its start year.
type Period struct {
	Kind  PeriodKind
	Start int
	End   int
	Label string
}

// PeriodKind says what a period is: a calendar year, a term of office (2020–2025), a range of
// years a report sums over, or a date a count was taken on.
type PeriodKind string

const (
	PeriodYear  PeriodKind = "YEAR"
	PeriodTerm  PeriodKind = "TERM"
	PeriodRange PeriodKind = "RANGE"
	PeriodAsOf  PeriodKind = "ASOF"
)

// Status of an observation: how firmly it is known.
type Status string

const (
	StatusPublished   Status = "PUBLISHED"
	StatusDerived     Status = "DERIVED"
	StatusProvisional Status = "PROVISIONAL"
	StatusSynthetic   Status = "SYNTHETIC"
)

// Qualifier of a value: exact, or a bound ("trên 98,4%" is a lower bound, not 98.4).
type Qualifier string

const (
	QualExact       Qualifier = "EXACT"
	QualLowerBound  Qualifier = "LOWER_BOUND"
	QualUpperBound  Qualifier = "UPPER_BOUND"
	QualApproximate Qualifier = "APPROXIMATE"
)

// Direction says which way a metric improves.
type Direction string

const (
	HigherIsBetter Direction = "HIGHER"
	LowerIsBetter  Direction = "LOWER"
	NoDirection    Direction = "NONE" // neither: a rate or count nobody aims up or down
)

// Aggregation says how a metric's figures of several units combine.
type Aggregation string

const (
	AggRatio Aggregation = "RATIO" // summed numerators over summed denominators
	AggSum   Aggregation = "SUM"   // summed
	AggNone  Aggregation = "NONE"  // never combined
)

// Subject kinds: a value describes one province, a group, or the nation.
const (
	SubjectProvince = "province"
	SubjectGroup    = "group"
	SubjectNational = "national"
)

// NationalID is the subject ID of nation-wide values.
const NationalID = "VN"

// Observation is one published (or derived, or synthetic) value for one cell
// (subject, metric, period) from one source.
type Observation struct {
	ID          string
	SubjectKind string
	SubjectID   string
	MetricID    string
	Period      Period
	Value       *float64
	Numerator   *float64
	Denominator *float64
	Qualifier   Qualifier
	Status      Status
	SourceID    string
	Quote       string
	Note        string
	Revision    uint64
	LoadID      string
	// Src is the catalogue entry of SourceID, attached by the service when observations
	// enter it (see service.AttachSources), so the API reads it without a lookup per row.
	Src *Source
}

// Source returns the attached source document (nil if none was attached).
func (o *Observation) Source() *Source { return o.Src }

// CellKey identifies the cell an observation fills; several sources may fill one cell.
func (o *Observation) CellKey() string {
	return o.SubjectID + "|" + o.MetricID + "|" + o.Period.Label
}

// GraphID is the observation's id in the GraphQL API: its ID and revision, since a later
// load keeps the ID and changes the content, and a client cache keyed on the id alone would
// mix one revision's fields into another's.
func (o *Observation) GraphID() string {
	return o.ID + "|" + strconv.FormatUint(o.Revision, 10)
}

// Target is an official target for a metric: national or for one province.
type Target struct {
	ID             string
	MetricID       string
	Scope          string // "VN" (the nation), a province ID, or "group:<group ID>"
	Lower          *float64
	Upper          *float64
	LowerInclusive bool
	UpperInclusive bool
	Deadline       int
	Directive      string
	SourceID       string
	Quote          string
	Note           string
	// Applies lists the periods the target judges, as period labels ("term:2020-2025",
	// "range:2022-2026"): a directive for one term's congresses does not judge the next
	// term's committees, whatever its deadline (issue 25). Empty: judged by deadline only.
	Applies []string
}
