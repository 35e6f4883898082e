package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

type requestKey struct{}

// requestFrom returns the GraphQL request graphqlHTTP read, if it read one.
func requestFrom(ctx context.Context) (gqlRequest, bool) {
	r, ok := ctx.Value(requestKey{}).(gqlRequest)
	return r, ok
}

// graphqlHTTP checks a /graphql request before anything else sees it (the response cache
// included, so a request that would be refused is never answered from the cache): the
// method, the content type of a POST, the body's size (413 whether or not the length was
// declared) and the time it takes to arrive. Every refusal is a GraphQL error with an
// extensions.code. The request it read is passed on in the context; the body stays readable.
// GET responses that carry errors get Cache-Control: no-store, and every response
// Vary: Accept (its media type follows the Accept header).
func graphqlHTTP(next http.Handler, maxBody int64, bodyTimeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		var req gqlRequest
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			req.Query, req.OperationName = q.Get("query"), q.Get("operationName")
			req.Variables, req.Extensions = json.RawMessage(q.Get("variables")), json.RawMessage(q.Get("extensions"))
			ns := &noStoreOnError{ResponseWriter: w}
			next.ServeHTTP(ns, r.WithContext(context.WithValue(r.Context(), requestKey{}, req)))
			ns.flush()
			return
		case http.MethodPost:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeRequestError(w, r, http.StatusUnsupportedMediaType, "BAD_REQUEST",
					"unsupported content type %q: POST a JSON body with Content-Type: application/json, or use GET", r.Header.Get("Content-Type"))
				return
			}
			if r.ContentLength > maxBody {
				writeRequestError(w, r, http.StatusRequestEntityTooLarge, "BAD_REQUEST", "request body larger than %d bytes", maxBody)
				return
			}
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Now().Add(bodyTimeout)) // not every writer supports it (tests)
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
			if err == nil {
				// Cleared only after a good read: after a failed one the server would
				// otherwise wait for the rest of the body before sending the refusal.
				_ = rc.SetReadDeadline(time.Time{})
			}
			var tooLarge *http.MaxBytesError
			var netErr net.Error
			switch {
			case errors.As(err, &tooLarge):
				writeRequestError(w, r, http.StatusRequestEntityTooLarge, "BAD_REQUEST", "request body larger than %d bytes", maxBody)
				return
			case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
				writeRequestError(w, r, http.StatusRequestTimeout, "BAD_REQUEST", "the request body did not arrive within %s", bodyTimeout)
				return
			case err != nil:
				writeRequestError(w, r, http.StatusBadRequest, "BAD_REQUEST", "the request body could not be read")
				return
			}
			if json.Unmarshal(body, &req) != nil {
				writeRequestError(w, r, http.StatusBadRequest, "BAD_REQUEST", "the request body is not valid JSON")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		default:
			next.ServeHTTP(w, r) // OPTIONS and the rest: gqlgen answers
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey{}, req)))
	})
}

// writeRequestError answers a request refused before GraphQL execution, in the media type
// the client asked for.
func writeRequestError(w http.ResponseWriter, r *http.Request, status int, code, format string, args ...any) {
	ct := "application/json"
	if strings.Contains(r.Header.Get("Accept"), "application/graphql-response+json") {
		ct = "application/graphql-response+json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	type gqlError struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
	json.NewEncoder(w).Encode(map[string]any{"errors": []gqlError{{fmt.Sprintf(format, args...), map[string]any{"code": code}}}})
}

// noStoreOnError buffers a GET response and, when it is not a 200 without errors, drops any
// ETag and marks it no-store: a proxy must not keep an error for a minute.
type noStoreOnError struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (n *noStoreOnError) WriteHeader(code int)        { n.status = code }
func (n *noStoreOnError) Write(b []byte) (int, error) { return n.buf.Write(b) }
func (n *noStoreOnError) Unwrap() http.ResponseWriter { return n.ResponseWriter }

func (n *noStoreOnError) flush() {
	if n.status == 0 {
		n.status = http.StatusOK
	}
	if n.status != http.StatusOK && n.status != http.StatusNotModified || bytes.Contains(n.buf.Bytes(), []byte(`"errors":`)) {
		n.Header().Del("ETag")
		n.Header().Set("Cache-Control", "no-store")
	}
	n.ResponseWriter.WriteHeader(n.status)
	n.ResponseWriter.Write(n.buf.Bytes())
}
