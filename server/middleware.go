package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/cadrestat/cadrestat/warehouse"
)

// recoverHTTP turns a panic outside the GraphQL executor into a logged 500.
func recoverHTTP(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic in handler", "request_id", RequestID(r.Context()), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// withLimits gives a request its limits (see limited).
func withLimits(h http.Handler, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := limited(r.Context(), cfg)
		defer cancel()
		if cfg.admit != nil {
			if !admit(ctx, w, r, cfg.admit, cfg.Metrics) {
				return
			}
			defer release(cfg.admit, cfg.Metrics)
		}
		h.ServeHTTP(w, r.WithContext(ctx))
		if info := infoFrom(ctx); info != nil {
			n, took := warehouse.RequestStats(ctx)
			info.warehouseQueries, info.warehouseMS = n, float64(took.Microseconds())/1000
		}
	})
}

// limited gives ctx a request's deadline (passed on to ClickHouse as max_execution_time)
// and its budget of warehouse queries; the warm-up renders its views under the same.
func limited(ctx context.Context, cfg Config) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
	return warehouse.WithQueryBudget(ctx, cfg.MaxWarehouseQueries), cancel
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int)        { s.status = code; s.ResponseWriter.WriteHeader(code) }
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = 200
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func withLogging(h http.Handler, log *slog.Logger, m *Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		took := time.Since(start)
		info := infoFrom(r.Context())
		cache := sw.Header().Get("X-Cache")
		m.observeRequest(route(r.URL.Path), info, sw.status, cache, took)
		// Typed attributes in one array on the stack: the []any form boxed every value
		// (about 10 allocations a request; BenchmarkDashboardHit, issue 19).
		var buf [13]slog.Attr
		attrs := append(buf[:0], slog.String("request_id", info.id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes), slog.Float64("duration_ms", float64(took.Microseconds())/1000))
		if info.traceID != "" {
			attrs = append(attrs, slog.String("trace_id", info.traceID))
		}
		if r.URL.Path == "/graphql" {
			attrs = append(attrs, slog.String("operation", info.gql.Operation), slog.String("cache", cache), slog.Int("complexity", info.gql.Complexity),
				slog.Int("warehouse_queries", info.warehouseQueries), slog.Float64("warehouse_ms", info.warehouseMS))
		}
		if info.gql.ErrorCode != "" {
			attrs = append(attrs, slog.String("error_code", info.gql.ErrorCode))
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}
