package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/cadrestat/cadrestat/graph"
	"github.com/cadrestat/cadrestat/internal/lru"
)

// responseCache keeps whole GraphQL responses keyed by the canonical document, the coerced
// variables, the operation name, the Accept header and the data version (cachekey.go): the data changes
// only when a load commits, so a dashboard's repeat views never reach the warehouse. Only
// successful responses without errors are kept; the cache is bounded in bytes (internal/lru).
type responseCache struct {
	metrics  *Metrics // nil: none
	maxBytes int
	lru      *lru.Cache[string, *cached]
}

type cached struct {
	body        []byte
	contentType string
}

func newResponseCache(maxBytes int) *responseCache {
	return &responseCache{maxBytes: maxBytes, lru: lru.New[string](maxBytes, func(c *cached) int { return len(c.body) })}
}

// get looks a response up and counts the hit or miss.
func (c *responseCache) get(key string) (*cached, bool) {
	v, ok := c.lru.Get(key)
	if ok {
		c.metrics.cacheEvent("hit", c.lru.Bytes())
	} else {
		c.metrics.cacheEvent("miss", c.lru.Bytes())
	}
	return v, ok
}

// has reports whether key is held, without counting a hit or a miss (the warm-up asks).
func (c *responseCache) has(key string) bool {
	_, ok := c.lru.Get(key)
	return ok
}

func (c *responseCache) put(key string, v *cached) {
	if len(v.body) > c.maxBytes/8 {
		return // one huge response must not evict everything else
	}
	evicted := c.lru.Add(key, v)
	c.metrics.cacheEvent("store", c.lru.Bytes())
	for range evicted {
		c.metrics.cacheEvent("eviction", c.lru.Bytes())
	}
}

// Purge empties the cache (after a load; keys carry the version anyway).
func (c *responseCache) Purge() {
	c.lru.Purge()
	c.metrics.cacheEvent("purge", 0)
}

type gqlRequest struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName,omitempty"`
	Variables     json.RawMessage `json:"variables,omitempty"`
	Extensions    json.RawMessage `json:"extensions,omitempty"`
	DocumentID    string          `json:"documentId,omitempty"` // trusted documents
}

// middleware serves cache hits and stores misses. It runs after the request checks
// (graphqlHTTP), so a request with a wrong content type never reaches it. GET responses
// also carry an ETag and Cache-Control so browsers and proxies can revalidate cheaply
// (304); responses with errors are never stored and are sent with no-store.
func (c *responseCache) middleware(keys *keyer, version func(context.Context) uint64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := requestFrom(r.Context())
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		v := version(r.Context())
		key, ok := keys.key(req, r.Header.Get("Accept"), v)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodGet { // only GET answers carry an ETag: POSTs skip building one
			etag := `"` + strconv.FormatUint(v, 10) + "-" + key[:16] + `"`
			// Set before the answer is known: graphqlHTTP's responseFixer, which always wraps
			// this middleware, drops both and sends no-store when the answer has errors.
			w.Header().Set("ETag", etag)
			w.Header().Set("Cache-Control", "public, max-age=60")
			if etagMatches(r.Header.Get("If-None-Match"), etag) {
				// A 304 is an answer without errors: the fixer keeps the ETag and
				// Cache-Control set above, as RFC 9110 §15.4.5 asks (the same validators
				// and caching headers as the 200 it stands for).
				if out := graph.OutcomeFrom(r.Context()); out != nil {
					out.Responded = true
				}
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		if hit, ok := c.get(key); ok {
			w.Header().Set("Content-Type", hit.contentType)
			w.Header().Set("X-Cache", "HIT")
			if out := graph.OutcomeFrom(r.Context()); out != nil {
				out.Responded = true // an executor's response with no errors: only those are stored
			}
			w.Write(hit.body)
			return
		}
		w.Header().Set("X-Cache", "MISS")
		out := graph.OutcomeFrom(r.Context()) // withRequestID put one there; a bare test handler did not
		if out == nil {
			out = &graph.Outcome{}
			r = r.WithContext(graph.WithOutcome(r.Context(), out))
		}
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		// Whether the answer had errors is the executor's word, not a search of the body.
		if (rec.status == 0 || rec.status == http.StatusOK) && out.Responded && out.Errors == 0 {
			c.put(key, &cached{body: rec.buf.Bytes(), contentType: w.Header().Get("Content-Type")})
		}
	})
}

// etagMatches applies If-None-Match as RFC 9110 §13.1.2 says: "*" matches any current
// representation, otherwise any tag in the comma-separated list matches by weak comparison
// (a W/ prefix is ignored on either side).
func etagMatches(header, etag string) bool {
	header = strings.TrimSpace(header)
	if header == "" {
		return false
	}
	if header == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == want {
			return true
		}
	}
	return false
}

// recorder passes a response through and keeps a copy of its body for the cache.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }
func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}
