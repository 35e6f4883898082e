package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cadrestat/cadrestat/graph"
	"github.com/cadrestat/cadrestat/graph/model"
	"github.com/cadrestat/cadrestat/service"
	"github.com/cadrestat/cadrestat/warehouse"
)

// DefaultMaxSubscribers bounds the open dataChanged subscriptions (each holds a connection
// and a goroutine; a notice is a few dozen bytes); more are refused with UNAVAILABLE.
const DefaultMaxSubscribers = 1000

// liveKeepAlive is how often an idle stream sends a ping, so proxies that close idle
// connections (often after 60 s) keep it open.
const liveKeepAlive = 25 * time.Second

// live tells subscribers that the data changed. It learns a new version from the
// service (when the version changed: loadedAt) and publishes it once the lifecycle says the
// version's metric cells are warm (OnWarm), so dashboards refetch from warm cells.
type live struct {
	svc *service.Service
	max int

	mu      sync.Mutex
	subs    map[chan *model.DataChange]struct{}
	seen    map[uint64]time.Time // when each recent version was first answered with
	current *model.DataChange
	closed  bool
	streams map[int]context.CancelFunc // the open streams' request contexts, ended after a drain
	nextID  int
}

func newLive(svc *service.Service, max int) *live {
	if max <= 0 {
		max = DefaultMaxSubscribers
	}
	l := &live{svc: svc, max: max, subs: map[chan *model.DataChange]struct{}{}, streams: map[int]context.CancelFunc{}, seen: map[uint64]time.Time{}}
	l.saw(svc.Catalog().Version)
	svc.OnChange(l.saw)
	return l
}

// saw records when this server started answering with version.
func (l *live) saw(version uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[version]; !ok {
		if len(l.seen) > 16 { // versions are published in order; old ones are never asked for
			clear(l.seen)
		}
		l.seen[version] = time.Now().UTC()
	}
	if l.current == nil {
		l.current = l.change(version)
	}
}

func (l *live) change(version uint64) *model.DataChange {
	at, ok := l.seen[version]
	if !ok {
		at = time.Now().UTC()
		l.seen[version] = at
	}
	return &model.DataChange{Version: versionString(version), LoadedAt: at.Format(time.RFC3339)}
}

// publish tells every subscriber that version is served (ready to be read).
func (l *live) publish(version uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.change(version)
	if l.current != nil && l.current.Version == c.Version {
		return
	}
	l.current = c
	for ch := range l.subs {
		// A subscriber that has not read the last notice gets only the newest: the
		// version is what matters, not every step.
		select {
		case <-ch:
		default:
		}
		ch <- c
	}
}

// subscribe streams the current version, then each change, until ctx ends or the server
// drains.
func (l *live) subscribe(ctx context.Context) (<-chan *model.DataChange, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, warehouse.Errorf(warehouse.ErrUnavailable, "the server is shutting down; subscribe again (to another instance)")
	}
	if len(l.subs) >= l.max {
		return nil, warehouse.Errorf(warehouse.ErrUnavailable, "too many subscribers (%d); try again later", l.max)
	}
	ch := make(chan *model.DataChange, 1)
	ch <- l.change(l.svc.Catalog().Version)
	l.subs[ch] = struct{}{}
	go func() {
		<-ctx.Done()
		l.mu.Lock()
		defer l.mu.Unlock()
		if _, ok := l.subs[ch]; ok {
			delete(l.subs, ch)
			close(ch)
		}
	}()
	return ch, nil
}

// drain ends every subscription (a complete message on each stream) and refuses new ones;
// a second later it closes the streams' connections that are still open.
func (l *live) drain() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	for ch := range l.subs {
		delete(l.subs, ch)
		close(ch)
	}
	time.AfterFunc(time.Second, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, c := range l.streams {
			c()
		}
	})
}

// isStream reports whether a /graphql request opens a stream: a WebSocket upgrade, or a
// POST that accepts server-sent events and no JSON (as graphql-sse sends it). A client that
// also accepts JSON (urql lists text/event-stream beside the JSON types on every query)
// gets an ordinary JSON answer.
func isStream(r *http.Request) bool {
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return true
	}
	accept := strings.ToLower(r.Header.Get("Accept"))
	return r.Method == http.MethodPost && strings.Contains(accept, "text/event-stream") && !strings.Contains(accept, "json") && !strings.Contains(accept, "*/*")
}

// streamHandler serves subscriptions over SSE and graphql-transport-ws with the API's
// limits (depth, complexity, tokens, introspection), outside the request deadline, the
// admission queue and the response cache (a stream lasts; it runs no warehouse query).
func streamHandler(svc *service.Service, cfg Config, l *live, log *slog.Logger) http.Handler {
	limit := cfg.MaxBodyBytes
	if limit <= 0 {
		limit = 1 << 20
	}
	ws := transport.Websocket{
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: originHosts(cfg.CORSOrigins)}},
		KeepAlivePingInterval: liveKeepAlive,
		InitTimeout:           10 * time.Second,
		PayloadReadLimit:      &limit,
	}
	opts := graph.Options{Limits: cfg.Limits, Log: log, Available: cfg.Lifecycle.Available, RequestID: RequestID, DataChanges: l.subscribe,
		Transports: []graphql.Transport{transport.SSE{KeepAlivePingInterval: liveKeepAlive}, ws}}
	if cfg.TrustedDocuments != nil {
		opts.Extensions = append(opts.Extensions, trustedStream{cfg.TrustedDocuments})
	}
	h := graph.NewHandler(svc, opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		l.mu.Lock()
		id := l.nextID
		l.nextID++
		l.streams[id] = cancel
		l.mu.Unlock()
		defer func() {
			l.mu.Lock()
			delete(l.streams, id)
			l.mu.Unlock()
		}()
		h.ServeHTTP(flushWriter{w}, r.WithContext(ctx))
	})
}

// originHosts turns the CORS origins into the WebSocket origin patterns (host[:port]); a
// browser page of another origin may open a socket only if it may call the API by CORS.
// The same origin is always allowed.
func originHosts(origins []string) []string {
	var out []string
	for _, o := range origins {
		if u, err := url.Parse(strings.TrimSpace(o)); err == nil && u.Host != "" {
			out = append(out, u.Host)
		}
	}
	return out
}

// flushWriter gives gqlgen's SSE transport the Flusher it asserts on, through the
// middleware's wrappers (which unwrap but do not flush themselves).
type flushWriter struct{ http.ResponseWriter }

func (f flushWriter) Flush()                      { http.NewResponseController(f.ResponseWriter).Flush() }
func (f flushWriter) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// trustedStream applies -trusted-documents to the streams: the subscription's text must be
// a trusted document (an automatic-persisted-query hash is resolved to its text first).
type trustedStream struct{ t *TrustedDocuments }

func (trustedStream) ExtensionName() string                   { return "TrustedDocuments" }
func (trustedStream) Validate(graphql.ExecutableSchema) error { return nil }
func (s trustedStream) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if _, status, code, msg := s.t.resolve(gqlRequest{Query: p.Query}); status != 0 {
		err := gqlerror.Errorf("%s", msg)
		err.Extensions = map[string]any{"code": code}
		return err
	}
	return nil
}
