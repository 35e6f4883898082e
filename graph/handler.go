package graph

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/cadrestat/cadrestat/graph/model"
	"github.com/cadrestat/cadrestat/loaders"
	"github.com/cadrestat/cadrestat/service"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits bound what one operation may cost before any resolver runs.
type Limits struct {
	Introspection bool
	MaxComplexity int // the cost of the work an operation may cause, in points (complexity.go)
	MaxDepth      int // deepest selection nesting
	MaxTokens     int // parser token limit: bounds the cost of parsing any request
	// MaxIntrospectionDepth bounds nesting under __schema and __type (GraphiQL's own
	// introspection query is 13–15 levels deep).
	MaxIntrospectionDepth int
	// MaxSelections bounds the selections a query expands to once fragments are spread.
	MaxSelections int
}

// DefaultLimits are safe for a public server.
func DefaultLimits() Limits {
	return Limits{Introspection: true, MaxComplexity: 100000, MaxDepth: 12, MaxIntrospectionDepth: 20, MaxSelections: 5000, MaxTokens: 10000}
}

// Options configure a Handler. Only Limits is required.
type Options struct {
	Limits
	Log *slog.Logger
	// QueryCache holds parsed and validated documents by query text; nil: an LRU of 1000.
	// The HTTP layer's response cache passes the documents it keys on, so a document is
	// parsed once for both (server/cachekey.go).
	QueryCache graphql.Cache[*ast.QueryDocument]
	// Available, when it returns an error, answers every data field with it (UNAVAILABLE
	// until the catalogue is loaded, say, rather than "not found").
	Available func() error
	// RequestID names the request in the log lines of errors.
	RequestID func(context.Context) string
	// AroundOperations, when set, wraps every operation (tracing spans).
	AroundOperations graphql.OperationMiddleware
	// DataChanges feeds Subscription.dataChanged (see Resolver).
	DataChanges func(ctx context.Context) (<-chan *model.DataChange, error)
	// Extensions are added to the executor after the built-in ones (the stream handler's
	// trusted-documents check).
	Extensions []graphql.HandlerExtension
	// Transports replace the default HTTP ones (OPTIONS, GET, POST): the server's stream
	// handler passes SSE and WebSocket, and then only subscriptions are run.
	Transports []graphql.Transport
}

// Handler is the GraphQL API: gqlgen's executor configured once, served over HTTP
// (ServeHTTP) and callable without HTTP (Exec). The HTTP concerns around it (request checks,
// response cache, deadlines, logs) are the server's. The worker limit of list fields is
// not here: gqlgen writes it into the generated code (gqlgen.yml, worker_limit).
type Handler struct {
	exec       *executor.Executor
	transports []graphql.Transport
}

// Schema is the parsed schema (schema.graphqls); it needs no resolvers.
func Schema() *ast.Schema { return NewExecutableSchema(Config{}).Schema() }

// NewHandler returns the API over svc, with limits, caches, the error presenter and
// per-operation loaders.
func NewHandler(svc *service.Service, o Options) *Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.RequestID == nil {
		o.RequestID = func(context.Context) string { return "" }
	}
	cfg := Config{Resolvers: &Resolver{Svc: svc, DataChanges: o.DataChanges}}
	schema := NewExecutableSchema(cfg)
	e := executor.New(schema)
	e.SetParserTokenLimit(o.MaxTokens)
	if o.QueryCache == nil {
		o.QueryCache = lru.New[*ast.QueryDocument](1000)
	}
	e.SetQueryCache(o.QueryCache)
	if o.Introspection {
		e.Use(extension.Introspection{})
	}
	e.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	e.Use(enumVariables{schema: schema.Schema()})
	// Before the cost: its walk expands every fragment spread, so the expanded size is
	// bounded first (depth.go).
	e.Use(shapeLimit{maxDepth: o.MaxDepth, introspectionDepth: o.MaxIntrospectionDepth, maxSelections: o.MaxSelections})
	e.Use(costLimit{max: o.MaxComplexity})
	for _, x := range o.Extensions {
		e.Use(x)
	}
	if o.Available != nil {
		e.AroundRootFields(func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
			if f := graphql.GetRootFieldContext(ctx); f != nil && !strings.HasPrefix(f.Field.Name, "__") && f.Field.Name != "preferenceRule" {
				if err := o.Available(); err != nil {
					graphql.AddError(ctx, err)
					return graphql.Null
				}
			}
			return next(ctx)
		})
	}
	// Loaders are per operation: they batch one response's look-ups and cache nothing beyond it.
	e.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(loaders.With(ctx, svc))
	})
	if o.AroundOperations != nil {
		e.AroundOperations(o.AroundOperations)
	}
	e.AroundResponses(noteOutcome)
	e.SetErrorPresenter(presentError(o.Log, o.RequestID))
	e.SetRecoverFunc(recoverPanic(o.Log, o.RequestID))
	if o.Transports != nil {
		// Streams run outside the HTTP layer's deadline, budget and response cache, so they
		// carry subscriptions only; a query or mutation is refused with a pointer to HTTP.
		e.AroundOperations(onlySubscriptions)
		return &Handler{exec: e, transports: o.Transports}
	}
	return &Handler{exec: e, transports: []graphql.Transport{transport.Options{}, transport.GET{}, transport.POST{}}}
}

func onlySubscriptions(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation != ast.Subscription {
		err := gqlerror.Errorf("only subscriptions are served over server-sent events and WebSocket; send queries with HTTP GET or POST")
		err.Extensions = map[string]any{"code": "BAD_REQUEST"}
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{err}})
	}
	return next(ctx)
}

// noteOutcome records what the HTTP layer needs to know of a response (see Outcome).
func noteOutcome(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	o := OutcomeFrom(ctx)
	if o == nil {
		return resp
	}
	if stats := extension.GetComplexityStats(ctx); stats != nil {
		o.Complexity = stats.Complexity
	}
	if oc := graphql.GetOperationContext(ctx); o.Operation == "" && oc.Operation != nil {
		o.Operation = oc.Operation.Name
	}
	if resp != nil {
		o.Responded, o.Errors = true, len(resp.Errors)
	}
	return resp
}

// ServeHTTP answers a GraphQL request over HTTP, as gqlgen's handler.Server does; it is
// written out here because that server keeps its executor to itself, and Exec needs it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			err := h.exec.PresentRecoveredError(r.Context(), p)
			gqlErr, _ := err.(*gqlerror.Error)
			b, _ := json.Marshal(&graphql.Response{Errors: []*gqlerror.Error{gqlErr}})
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write(b)
		}
	}()
	r = r.WithContext(graphql.StartOperationTrace(r.Context()))
	for _, t := range h.transports {
		if t.Supports(r) {
			t.Do(w, r, h.exec)
			return
		}
	}
	w.WriteHeader(http.StatusBadRequest)
	b, _ := json.Marshal(&graphql.Response{Errors: gqlerror.List{{Message: "transport not supported"}}})
	_, _ = w.Write(b)
}

// Exec runs one operation as a POST of params would, without HTTP, and returns the response
// the POST would have marshalled. ctx carries what the HTTP layer would give a request (its
// deadline and warehouse budget).
func (h *Handler) Exec(ctx context.Context, params *graphql.RawParams) *graphql.Response {
	ctx = graphql.StartOperationTrace(ctx)
	now := graphql.Now()
	params.ReadTime = graphql.TraceTiming{Start: now, End: now}
	oc, errs := h.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		return h.exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
	}
	responses, ctx := h.exec.DispatchOperation(ctx, oc)
	return responses(ctx)
}
