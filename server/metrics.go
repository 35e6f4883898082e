package server

import (
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the server's Prometheus metrics. One value serves one registry; the
// handler of /metrics is Handler. Label values are bounded: routes are fixed, operation
// names are the client's but only the first maxOperations well-formed names get their own
// label (others count as "other"), outcomes are error codes.
type Metrics struct {
	reg *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	cacheEvents     *prometheus.CounterVec
	cacheBytes      prometheus.Gauge
	queryDuration   *prometheus.HistogramVec
	queueWait       prometheus.Histogram
	queryErrors     *prometheus.CounterVec
	inFlight        prometheus.Gauge
	loads           *prometheus.CounterVec
	loadRows        *prometheus.CounterVec
	loadDuration    prometheus.Histogram
	dataVersion     prometheus.Gauge
	warmSeconds     prometheus.Gauge
	warmViews       prometheus.Gauge
	execQueued      prometheus.Gauge
	execRunning     prometheus.Gauge

	mu  sync.Mutex
	ops map[string]bool
}

const maxOperations = 200

var operationName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// NewMetrics registers every metric, the Go runtime's and the process's, and build info.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f(collectors.NewBuildInfoCollector())
	secs := prometheus.ExponentialBuckets(0.0005, 2.5, 12) // 0.5 ms … ~30 s
	m := &Metrics{reg: reg, ops: map[string]bool{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cadrestat_http_requests_total",
			Help: "HTTP requests by route, GraphQL operation name and outcome (ok or the first error code)."}, []string{"route", "operation", "outcome"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cadrestat_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by route, operation name and response-cache status.", Buckets: secs}, []string{"route", "operation", "cache"}),
		cacheEvents: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cadrestat_response_cache_events_total",
			Help: "Response cache hits, misses, stores and evictions."}, []string{"event"}),
		cacheBytes: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadrestat_response_cache_bytes", Help: "Bytes held by the response cache."}),
		queryDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cadrestat_warehouse_query_duration_seconds",
			Help: "Time a warehouse query ran, by call.", Buckets: secs}, []string{"call"}),
		queueWait: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "cadrestat_warehouse_queue_wait_seconds",
			Help: "Time a warehouse query waited for a slot (-warehouse-concurrency).", Buckets: secs}),
		queryErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cadrestat_warehouse_query_errors_total",
			Help: "Warehouse queries that failed, by call."}, []string{"call"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadrestat_warehouse_queries_in_flight", Help: "Warehouse queries running now."}),
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cadrestat_loads_total",
			Help: "Loads by outcome (ok or failed)."}, []string{"outcome"}),
		loadRows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cadrestat_load_rows_total",
			Help: "Rows read by loads, and rows they changed."}, []string{"kind"}),
		loadDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "cadrestat_load_duration_seconds",
			Help: "Time a load took.", Buckets: prometheus.ExponentialBuckets(0.01, 3, 10)}),
		dataVersion: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadrestat_data_version", Help: "The data version being served."}),
		warmSeconds: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadrestat_warm_seconds", Help: "How long the last warm-up of the explorer's standard views took."}),
		warmViews:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadrestat_warm_views", Help: "Views rendered by the last warm-up."}),
		execQueued: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadrestat_executor_queue_length",
			Help: "Requests waiting for a place to run past the response cache (-max-executing)."}),
		execRunning: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cadrestat_executor_running",
			Help: "Requests running past the response cache now (at most -max-executing)."}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.requestDuration, m.cacheEvents, m.cacheBytes, m.queryDuration, m.queueWait,
		m.queryErrors, m.inFlight, m.loads, m.loadRows, m.loadDuration, m.dataVersion, m.warmSeconds, m.warmViews, m.execQueued, m.execRunning} {
		f(c)
	}
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// operation bounds the label values taken from clients' operation names. A name takes one of
// the maxOperations label slots only when its request's document parsed and validated
// (validated): otherwise anyone could fill every slot in a fraction of a second with names
// that fail, and the server's own operations would count as "other" from then on.
func (m *Metrics) operation(name string, validated bool) string {
	if name == "" {
		return "anonymous"
	}
	if !operationName.MatchString(name) {
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ops[name] {
		return name
	}
	if !validated || len(m.ops) >= maxOperations {
		return "other"
	}
	m.ops[name] = true
	return name
}

// refusedBeforeValidation are the error codes of requests whose document did not parse or
// validate, or that never reached the executor's validation (their operation name is the
// client's word only).
var refusedBeforeValidation = map[string]bool{
	"GRAPHQL_PARSE_FAILED": true, "GRAPHQL_VALIDATION_FAILED": true, "BAD_REQUEST": true,
	"PERSISTED_QUERY_NOT_FOUND": true, "PERSISTED_QUERY_NOT_SUPPORTED": true, "FORBIDDEN": true,
}

func (m *Metrics) observeRequest(route string, info *requestInfo, status int, cache string, took time.Duration) {
	if m == nil {
		return
	}
	op := m.operation(info.gql.Operation, info.gql.Responded && !refusedBeforeValidation[info.gql.ErrorCode])
	outcome := info.gql.ErrorCode
	if outcome == "" {
		outcome = "ok"
		if status >= 400 {
			outcome = "http_" + strconv.Itoa(status)
		}
	}
	if cache == "" {
		cache = "none"
	}
	m.requests.WithLabelValues(route, op, outcome).Inc()
	m.requestDuration.WithLabelValues(route, op, cache).Observe(took.Seconds())
}

// cacheEvent counts a response-cache event and follows its size.
func (m *Metrics) cacheEvent(event string, size int) {
	if m == nil {
		return
	}
	m.cacheEvents.WithLabelValues(event).Inc()
	m.cacheBytes.Set(float64(size))
}

// ObserveQuery, InFlight and ObserveLoad implement warehouse.QueryObserver.
func (m *Metrics) ObserveQuery(call string, wait, run time.Duration, err error) {
	m.queueWait.Observe(wait.Seconds())
	m.queryDuration.WithLabelValues(call).Observe(run.Seconds())
	if err != nil {
		m.queryErrors.WithLabelValues(call).Inc()
	}
}

func (m *Metrics) InFlight(delta int) { m.inFlight.Add(float64(delta)) }

func (m *Metrics) ObserveLoad(rows, changed int, took time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	m.loads.WithLabelValues(outcome).Inc()
	m.loadRows.WithLabelValues("read").Add(float64(rows))
	m.loadRows.WithLabelValues("changed").Add(float64(changed))
	m.loadDuration.Observe(took.Seconds())
}

func (m *Metrics) setDataVersion(v uint64) {
	if m != nil {
		m.dataVersion.Set(float64(v))
	}
}

func (m *Metrics) warmed(views int, took time.Duration) {
	if m != nil {
		m.warmViews.Set(float64(views))
		m.warmSeconds.Set(took.Seconds())
	}
}

// queued and executing follow the executor's queue (admit.go).
func (m *Metrics) queued(delta int) {
	if m != nil {
		m.execQueued.Add(float64(delta))
	}
}

func (m *Metrics) executing(delta int) {
	if m != nil {
		m.execRunning.Add(float64(delta))
	}
}
