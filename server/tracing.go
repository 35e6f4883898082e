package server

import (
	"context"
	"net/http"
	"os"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/cadrestat/cadrestat/warehouse"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Tracing makes OpenTelemetry spans: one per HTTP request (otelhttp, which also continues
// an incoming W3C traceparent), one per GraphQL operation, one per warehouse query (named
// by its call, never by its SQL). With no exporter configured the provider is a no-op, but
// incoming trace ids still reach the logs.
type Tracing struct {
	Provider trace.TracerProvider
	tracer   trace.Tracer
	noop     bool // no exporter: spans are never recorded (see handler)
}

// NewTracing uses provider, or a no-op one when it is nil.
func NewTracing(provider trace.TracerProvider) *Tracing {
	if provider == nil {
		provider = noop.NewTracerProvider()
	}
	_, isNoop := provider.(noop.TracerProvider)
	return &Tracing{Provider: provider, tracer: provider.Tracer("github.com/cadrestat/cadrestat"), noop: isNoop}
}

// TracingFromEnv exports spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (the exporter reads the standard OTEL_*
// variables), and makes none otherwise. The returned func flushes and stops the exporter.
func TracingFromEnv(ctx context.Context) (*Tracing, func(context.Context) error, error) {
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return NewTracing(nil), func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	return NewTracing(tp), tp.Shutdown, nil
}

// handler opens each request's span. With no exporter there is no span to record, so
// otelhttp is left out and only an incoming traceparent is read, for the logs: otelhttp's
// wrappers, attribute sets and (no-op) metrics were about 15 % of a cache hit's CPU
// (BenchmarkDashboardHit, issue 19).
func (t *Tracing) handler(h http.Handler) http.Handler {
	if t.noop {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("traceparent") != "" {
				r = r.WithContext(propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header)))
			}
			h.ServeHTTP(w, r)
		})
	}
	routed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// otelhttp reads http.route from the request the mux matched, which is a copy
		// made below this point (every middleware adds to the context): named here instead.
		if rt := spanRoute(r.URL.Path); rt != "" {
			trace.SpanFromContext(r.Context()).SetAttributes(semconv.HTTPRoute(rt))
		}
		h.ServeHTTP(w, r)
	})
	return otelhttp.NewHandler(routed, "cadrestat",
		otelhttp.WithTracerProvider(t.Provider),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithFilter(traced),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			// "{method} {http.route}", or the method alone when no route matched (OTel HTTP
			// semantic conventions: the path itself would make names unbounded).
			if rt := spanRoute(r.URL.Path); rt != "" {
				return r.Method + " " + rt
			}
			return r.Method
		}))
}

// traced leaves out requests that are not work a trace should show: Prometheus scrapes and
// health probes (every few seconds, forever) and CORS preflights (answered by the CORS
// layer before any handler; the request that follows is traced).
func traced(r *http.Request) bool {
	switch r.URL.Path {
	case "/metrics", "/healthz", "/readyz":
		return false
	}
	return r.Method != http.MethodOptions || r.Header.Get("Origin") == "" || r.Header.Get("Access-Control-Request-Method") == ""
}

// spanRoute is the route template of path as the mux registers it, or "" when none matched.
func spanRoute(path string) string {
	switch rt := route(path); rt {
	case "other":
		return ""
	case "/brief/":
		return "/brief/{id}"
	default:
		return rt
	}
}

// aroundOperations opens the span of one GraphQL operation, named and described as OTel's
// GraphQL semantic conventions say: "{graphql.operation.type} {graphql.operation.name}"
// (the type alone for an anonymous operation), with both as attributes and, on errors, the
// first error's code as error.type. The document is not recorded: it may be up to a
// megabyte and carry literal arguments; the operation name and the request id identify it.
// Inside a summarised span (the warm-up) operations are counted instead.
func (t *Tracing) aroundOperations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if sum := summaryFrom(ctx); sum != nil {
		handler := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			resp := handler(ctx)
			sum.operations.Add(1)
			if resp != nil && len(resp.Errors) > 0 {
				sum.failed.Add(1)
			}
			return resp
		}
	}
	oc := graphql.GetOperationContext(ctx)
	name := oc.OperationName
	if name == "" && oc.Operation != nil {
		name = oc.Operation.Name
	}
	kind := "query"
	if oc.Operation != nil {
		kind = string(oc.Operation.Operation)
	}
	attrs := []attribute.KeyValue{attribute.String("graphql.operation.type", kind)}
	spanName := kind
	if name != "" {
		attrs = append(attrs, attribute.String("graphql.operation.name", name))
		spanName += " " + name
	}
	ctx, span := t.tracer.Start(ctx, spanName, trace.WithAttributes(attrs...))
	handler := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := handler(ctx)
		if resp != nil && len(resp.Errors) > 0 {
			code, _ := resp.Errors[0].Extensions["code"].(string)
			if code == "" {
				code = "_OTHER"
			}
			span.SetAttributes(semconv.ErrorTypeKey.String(code))
			span.SetStatus(codes.Error, resp.Errors[0].Message)
		}
		span.End() // a query answers once; later calls of End are ignored
		return resp
	}
}

// summary counts what runs under one summarising span instead of giving each its own: the
// warm-up renders thousands of views, which as spans of their own buried every request's
// trace (issue 28: ~2,900 root traces per start and per load).
type summary struct {
	operations, failed, queries, queryErrors atomic.Int64
}

type summaryKey struct{}

func summaryFrom(ctx context.Context) *summary {
	s, _ := ctx.Value(summaryKey{}).(*summary)
	return s
}

// startSummary opens one span for many operations; end closes it with their counts. t may
// be nil (no tracing): the counts are still kept, nothing is sent.
func (t *Tracing) startSummary(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, func(extra ...attribute.KeyValue)) {
	sum := &summary{}
	ctx = context.WithValue(ctx, summaryKey{}, sum)
	span := trace.SpanFromContext(ctx) // a no-op span
	if t != nil {
		ctx, span = t.tracer.Start(ctx, name, trace.WithNewRoot(), trace.WithAttributes(attrs...))
	}
	return ctx, func(extra ...attribute.KeyValue) {
		span.SetAttributes(append(extra,
			attribute.Int64("cadrestat.operations", sum.operations.Load()),
			attribute.Int64("cadrestat.operations.failed", sum.failed.Load()),
			attribute.Int64("cadrestat.warehouse.queries", sum.queries.Load()),
			attribute.Int64("cadrestat.warehouse.query_errors", sum.queryErrors.Load()))...)
		if sum.failed.Load() > 0 || sum.queryErrors.Load() > 0 {
			span.SetStatus(codes.Error, "some operations failed")
		}
		span.End()
	}
}

// TraceQuery implements warehouse.QueryTracer. Under a summarised span a query is counted.
func (t *Tracing) TraceQuery(ctx context.Context, call string) (context.Context, func(error)) {
	if sum := summaryFrom(ctx); sum != nil {
		sum.queries.Add(1)
		return ctx, func(err error) {
			if err != nil {
				sum.queryErrors.Add(1)
			}
		}
	}
	ctx, span := t.tracer.Start(ctx, "warehouse."+call, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "clickhouse"), attribute.String("db.operation.name", call)))
	return ctx, func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, string(warehouse.KindOf(err)))
		}
		span.End()
	}
}
