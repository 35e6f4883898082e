package server

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// responseCache keeps whole GraphQL responses keyed by the normalised query, the variables,
// the operation name, the negotiated content type and the data version: the data changes
// only when a load commits, so a dashboard's repeat views never reach the warehouse. Only
// successful responses without errors are kept; the cache is bounded in bytes.
type responseCache struct {
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
	for c.size > c.maxBytes {
		last := c.order.Back()
		old := last.Value.(*cached)
		c.order.Remove(last)
		delete(c.items, old.key)
		c.size -= len(old.body)
	}
}

// Purge empties the cache (after a load; keys carry the version anyway).
func (c *responseCache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	c.items = map[string]*list.Element{}
	c.size = 0
}

type gqlRequest struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

// middleware serves cache hits and stores misses. GET responses also carry an ETag and
// Cache-Control so browsers and proxies can revalidate cheaply (304).
func (c *responseCache) middleware(version func() uint64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := readRequest(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		v := version()
		key := cacheKey(req, r.Header.Get("Accept"), v)
		etag := `"` + strconv.FormatUint(v, 10) + "-" + key[:16] + `"`
		if r.Method == http.MethodGet {
			w.Header().Set("ETag", etag)
			w.Header().Set("Cache-Control", "public, max-age=60")
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		if hit, ok := c.get(key); ok {
			w.Header().Set("Content-Type", hit.contentType)
			w.Header().Set("X-Cache", "HIT")
			w.Write(hit.body)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		w.Header().Set("X-Cache", "MISS")
		next.ServeHTTP(rec, r)
		if rec.status == http.StatusOK && !bytes.Contains(rec.buf.Bytes(), []byte(`"errors":`)) {
			c.put(&cached{key: key, body: bytes.Clone(rec.buf.Bytes()), contentType: w.Header().Get("Content-Type")})
		}
	})
}

// readRequest extracts the GraphQL request (leaving the body readable downstream).
func readRequest(r *http.Request) (gqlRequest, bool) {
	var req gqlRequest
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		req.Query, req.OperationName = q.Get("query"), q.Get("operationName")
		req.Variables, req.Extensions = json.RawMessage(q.Get("variables")), json.RawMessage(q.Get("extensions"))
	case http.MethodPost:
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil || json.Unmarshal(body, &req) != nil {
			return req, false
		}
	default:
		return req, false
	}
	return req, req.Query != "" || len(req.Extensions) > 0
}

func cacheKey(req gqlRequest, accept string, version uint64) string {
	h := sha256.New()
	for _, part := range []string{normalizeQuery(req.Query), req.OperationName, canonicalJSON(req.Variables), canonicalJSON(req.Extensions), accept, strconv.FormatUint(version, 10)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// normalizeQuery collapses whitespace and commas outside string literals, so formatting
// differences share a cache entry while different string arguments never do.
func normalizeQuery(q string) string {
	var b strings.Builder
	inString, block, space := false, false, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case !inString && strings.HasPrefix(q[i:], `"""`):
			inString, block = true, true
			b.WriteString(`"""`)
			i += 2
		case inString && block && strings.HasPrefix(q[i:], `"""`):
			inString, block = false, false
			b.WriteString(`"""`)
			i += 2
		case inString && !block && c == '\\' && i+1 < len(q):
			b.WriteByte(c)
			b.WriteByte(q[i+1])
			i++
		case c == '"' && !block:
			inString = !inString
			b.WriteByte(c)
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ','):
			space = true
		default:
			if space && !inString && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
		}
	}
	return b.String()
}

func canonicalJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	out, _ := json.Marshal(v) // map keys come out sorted
	return string(out)
}

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
