package server

import (
	"context"
	"net/http"
	"os"

	"github.com/99designs/gqlgen/graphql"
	"github.com/cadrestat/cadrestat/warehouse"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
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
	return otelhttp.NewHandler(h, "cadrestat",
		otelhttp.WithTracerProvider(t.Provider),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + route(r.URL.Path) }))
}

// aroundOperations opens the span of one GraphQL operation.
func (t *Tracing) aroundOperations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	name := oc.OperationName
	if name == "" && oc.Operation != nil {
		name = oc.Operation.Name
	}
	ctx, span := t.tracer.Start(ctx, "graphql.operation", trace.WithAttributes(
		attribute.String("graphql.operation.name", name),
		attribute.String("graphql.operation.type", string(oc.Operation.Operation))))
	handler := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := handler(ctx)
		if resp != nil && len(resp.Errors) > 0 {
			span.SetStatus(codes.Error, resp.Errors[0].Message)
		}
		span.End() // a query answers once; later calls of End are ignored
		return resp
	}
}

// TraceQuery implements warehouse.QueryTracer.
func (t *Tracing) TraceQuery(ctx context.Context, call string) (context.Context, func(error)) {
	ctx, span := t.tracer.Start(ctx, "warehouse."+call, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "clickhouse"), attribute.String("db.operation.name", call)))
	return ctx, func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, string(warehouse.KindOf(err)))
		}
		span.End()
	}
}
