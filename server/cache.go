package server

import (
	"bytes"
	"container/list"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// responseCache keeps whole GraphQL responses keyed by the canonical document, the coerced
// variables, the operation name, the Accept header and the data version (cachekey.go): the data changes
// only when a load commits, so a dashboard's repeat views never reach the warehouse. Only
// successful responses without errors are kept; the cache is bounded in bytes.
type responseCache struct {
	metrics  *Metrics // nil: none
	mu       sync.Mutex
	maxBytes int
	size     int
	order    *list.List // front = most recent
	items    map[string]*list.Element
}

type cached struct {
	key         string
	body        []byte
	contentType string
}

func newResponseCache(maxBytes int) *responseCache {
	return &responseCache{maxBytes: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

func (c *responseCache) get(key string) (*cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cached), true
	}
	return nil, false
}

func (c *responseCache) put(v *cached) {
	if len(v.body) > c.maxBytes/8 {
		return // one huge response must not evict everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[v.key]; ok {
		return
	}
	c.items[v.key] = c.order.PushFront(v)
	c.size += len(v.body)
	c.metrics.cacheEvent("store", c.size)
	for c.size > c.maxBytes {
		last := c.order.Back()
		old := last.Value.(*cached)
		c.order.Remove(last)
		delete(c.items, old.key)
		c.size -= len(old.body)
		c.metrics.cacheEvent("eviction", c.size)
	}
}

func (c *responseCache) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// Purge empties the cache (after a load; keys carry the version anyway).
func (c *responseCache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	c.items = map[string]*list.Element{}
	c.size = 0
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
func (c *responseCache) middleware(keys *keyer, version func() uint64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := requestFrom(r.Context())
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		v := version()
		key, ok := keys.key(req, r.Header.Get("Accept"), v)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		get := r.Method == http.MethodGet
		etag := `"` + strconv.FormatUint(v, 10) + "-" + key[:16] + `"`
		if get && etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.Header().Set("ETag", etag)
			w.Header().Set("Cache-Control", "public, max-age=60")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if hit, ok := c.get(key); ok {
			c.metrics.cacheEvent("hit", c.bytes())
			w.Header().Set("Content-Type", hit.contentType)
			w.Header().Set("X-Cache", "HIT")
			if get {
				w.Header().Set("ETag", etag)
				w.Header().Set("Cache-Control", "public, max-age=60")
			}
			w.Write(hit.body)
			return
		}
		c.metrics.cacheEvent("miss", c.bytes())
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		ok = rec.status == http.StatusOK && !bytes.Contains(rec.buf.Bytes(), []byte(`"errors":`))
		if ok {
			c.put(&cached{key: key, body: bytes.Clone(rec.buf.Bytes()), contentType: rec.header.Get("Content-Type")})
		}
		for k, vs := range rec.header {
			w.Header()[k] = vs
		}
		w.Header().Set("X-Cache", "MISS")
		if get && ok {
			w.Header().Set("ETag", etag)
			w.Header().Set("Cache-Control", "public, max-age=60")
		}
		w.WriteHeader(rec.status)
		w.Write(rec.buf.Bytes())
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

// recorder buffers a response so the cache can decide on its headers once it has seen the
// body (a response with errors must not be cached or marked cacheable).
type recorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.status = code }
func (r *recorder) Write(b []byte) (int, error) { return r.buf.Write(b) }
