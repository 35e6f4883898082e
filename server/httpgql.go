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
	"strconv"
	"strings"
	"time"

	"github.com/cadrestat/cadrestat/graph"
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
func graphqlHTTP(next http.Handler, maxBody int64, bodyTimeout time.Duration, trusted *TrustedDocuments) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		var req gqlRequest
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			req.Query, req.OperationName = q.Get("query"), q.Get("operationName")
			req.Variables, req.Extensions = json.RawMessage(q.Get("variables")), json.RawMessage(q.Get("extensions"))
			req.DocumentID = q.Get("documentId")
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
			if b := bytes.TrimLeft(body, " \t\r\n"); len(b) > 0 && b[0] == '[' {
				writeRequestError(w, r, http.StatusBadRequest, "BAD_REQUEST", "batching is not supported: send one operation per request (a JSON object, not an array)")
				return
			}
			if json.Unmarshal(body, &req) != nil {
				writeRequestError(w, r, http.StatusBadRequest, "BAD_REQUEST", "the request body is not valid JSON")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		case http.MethodOptions:
			next.ServeHTTP(w, r) // CORS preflight and OPTIONS: gqlgen answers
			return
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			writeRequestError(w, r, http.StatusMethodNotAllowed, "BAD_REQUEST", "method %s is not allowed: POST a JSON body, or use GET", r.Method)
			return
		}
		if msg := checkParams(req); msg != "" {
			writeRequestError(w, r, http.StatusBadRequest, "BAD_REQUEST", "%s", msg)
			return
		}
		if trusted != nil {
			resolved, status, code, msg := trusted.resolve(req)
			if status != 0 {
				writeRequestError(w, r, status, code, "%s", msg)
				return
			}
			if resolved.Query != req.Query {
				req = resolved
				req.rewrite(r)
			}
		}
		if info := infoFrom(r.Context()); info != nil {
			info.gql.Operation = req.OperationName // else filled in from the document by the GraphQL handler
		}
		ctx := context.WithValue(r.Context(), requestKey{}, req)
		out := graph.OutcomeFrom(ctx) // withRequestID put one there; a bare test handler did not
		if out == nil {
			out = &graph.Outcome{}
			ctx = graph.WithOutcome(ctx, out)
		}
		fix := &responseFixer{ResponseWriter: w, get: r.Method == http.MethodGet, out: out}
		next.ServeHTTP(fix, r.WithContext(ctx))
		fix.finish()
	})
}

// checkParams refuses parameters of the wrong JSON type (variables and extensions must be
// objects) and a request with no query at all, as the GraphQL-over-HTTP spec allows (400).
func checkParams(req gqlRequest) string {
	for _, p := range []struct {
		name string
		raw  json.RawMessage
	}{{"variables", req.Variables}, {"extensions", req.Extensions}} {
		v := bytes.TrimSpace(p.raw)
		if len(v) == 0 || string(v) == "null" {
			continue
		}
		if v[0] != '{' || !json.Valid(v) {
			return p.name + " must be a JSON object"
		}
	}
	if req.Query == "" && len(bytes.TrimSpace(req.Extensions)) == 0 && req.DocumentID == "" {
		return "the request has no query"
	}
	return ""
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
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []gqlError{{fmt.Sprintf(format, args...), map[string]any{"code": code}}}}) // a failed write: the client has gone
}

// responseFixer applies the GraphQL-over-HTTP rules gqlgen does not, once the response is
// known. A GraphQL error answer to a well-formed request (parse, validation, variable
// coercion) is 200 in application/json, where the status cannot carry GraphQL's meaning,
// and stays 4xx in application/graphql-response+json, without a "data" entry, as the
// spec says. A GET answer that is not a 200 without errors drops any ETag and is no-store,
// so no proxy keeps an error for a minute. Successful POST answers pass straight through;
// GET answers and errors are buffered.
type responseFixer struct {
	http.ResponseWriter
	get         bool
	out         *graph.Outcome // the executor's word on errors (the cache marks its hits)
	status      int
	buffering   bool
	wroteHeader bool
	buf         bytes.Buffer
}

func (f *responseFixer) Unwrap() http.ResponseWriter { return f.ResponseWriter }

func (f *responseFixer) WriteHeader(code int) {
	if f.status != 0 {
		return
	}
	f.status = code
	if f.get || code != http.StatusOK {
		f.buffering = true
		return
	}
	f.wroteHeader = true
	f.ResponseWriter.WriteHeader(code)
}

func (f *responseFixer) Write(b []byte) (int, error) {
	if f.status == 0 {
		f.WriteHeader(http.StatusOK)
	}
	if f.buffering {
		return f.buf.Write(b)
	}
	return f.ResponseWriter.Write(b)
}

func (f *responseFixer) finish() {
	if !f.buffering {
		return
	}
	status, body := f.status, f.buf.Bytes()
	h := f.Header()
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	// A response the executor did not make (a transport's refusal) is an error response;
	// a 304 the cache answered is marked responded, so it keeps its validators.
	hasErrors := f.out.Errors > 0 || !f.out.Responded
	if hasErrors && (status == http.StatusUnprocessableEntity || status == http.StatusBadRequest) {
		switch mt {
		case "application/json":
			status = http.StatusOK
		case "application/graphql-response+json":
			var resp map[string]json.RawMessage
			if json.Unmarshal(body, &resp) == nil && string(resp["data"]) == "null" {
				delete(resp, "data")
				if b, err := json.Marshal(resp); err == nil {
					body = b
					h.Set("Content-Length", strconv.Itoa(len(b)))
				}
			}
		}
	}
	if f.get && (status != http.StatusOK && status != http.StatusNotModified || hasErrors) {
		h.Del("ETag")
		h.Set("Cache-Control", "no-store")
	}
	if status == http.StatusNotModified {
		h.Del("Content-Type")
		h.Del("Content-Length")
		body = nil
	}
	f.ResponseWriter.WriteHeader(status)
	f.ResponseWriter.Write(body)
}
