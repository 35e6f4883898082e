package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
)

// TrustedDocuments is an allow-list of GraphQL documents: with it, the server runs only
// these operations, sent by hash (documentId, or an automatic-persisted-query hash) or as
// identical text, and refuses anything else. Public deployments use it so nobody can send
// arbitrary queries.
type TrustedDocuments struct {
	byHash map[string]string // sha256 hex → document
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// LoadTrustedDocuments reads a manifest in either common format:
//
//   - Apollo's persisted query manifest:
//     {"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":…,"body":…}]}
//   - a map of hash to document, as GraphQL Code Generator's client preset writes it:
//     {"<sha256>": "query …"} (a "sha256:" prefix on the key is accepted).
//
// Every id must be the SHA-256 of its document (checked: a manifest that does not match
// its documents is refused at start, not discovered per request).
func LoadTrustedDocuments(path string) (*TrustedDocuments, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseTrustedDocuments(raw)
}

// ParseTrustedDocuments parses a manifest (see LoadTrustedDocuments).
func ParseTrustedDocuments(raw []byte) (*TrustedDocuments, error) {
	var apollo struct {
		Format     string `json:"format"`
		Version    int    `json:"version"`
		Operations []struct {
			ID   string `json:"id"`
			Body string `json:"body"`
		} `json:"operations"`
	}
	docs := map[string]string{}
	if json.Unmarshal(raw, &apollo) == nil && apollo.Format != "" {
		if apollo.Format != "apollo-persisted-query-manifest" || apollo.Version != 1 {
			return nil, fmt.Errorf("trusted documents: unknown manifest format %q version %d", apollo.Format, apollo.Version)
		}
		for _, op := range apollo.Operations {
			docs[op.ID] = op.Body
		}
	} else if err := json.Unmarshal(raw, &docs); err != nil {
		return nil, fmt.Errorf("trusted documents: not a manifest (an Apollo persisted query manifest, or a JSON object of hash to document): %v", err)
	}
	t := &TrustedDocuments{byHash: map[string]string{}}
	for id, doc := range docs {
		h := strings.TrimPrefix(strings.ToLower(id), "sha256:")
		if !sha256Hex.MatchString(h) {
			return nil, fmt.Errorf("trusted documents: id %q is not a SHA-256 hash", id)
		}
		if got := hashDocument(doc); got != h {
			return nil, fmt.Errorf("trusted documents: id %s does not match its document (its SHA-256 is %s)", id, got)
		}
		t.byHash[h] = doc
	}
	if len(t.byHash) == 0 {
		return nil, fmt.Errorf("trusted documents: the manifest lists no document")
	}
	return t, nil
}

// Add trusts more documents (the server's own pre-rendered queries).
func (t *TrustedDocuments) Add(docs ...string) {
	for _, d := range docs {
		t.byHash[hashDocument(d)] = d
	}
}

// Len is the number of trusted documents.
func (t *TrustedDocuments) Len() int { return len(t.byHash) }

// Hashes lists the trusted hashes, sorted.
func (t *TrustedDocuments) Hashes() []string {
	out := make([]string, 0, len(t.byHash))
	for h := range t.byHash {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

func hashDocument(doc string) string {
	s := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(s[:])
}

// resolve checks a request against the list. A request by hash gets its document's text;
// one with text is allowed only if the text is trusted as it is. It returns the request to
// run, or a refusal (status, code, message).
func (t *TrustedDocuments) resolve(req gqlRequest) (gqlRequest, int, string, string) {
	id := strings.TrimPrefix(strings.ToLower(req.DocumentID), "sha256:")
	if id == "" && len(req.Extensions) > 0 {
		var ext struct {
			PersistedQuery struct {
				Hash string `json:"sha256Hash"`
			} `json:"persistedQuery"`
		}
		if json.Unmarshal(req.Extensions, &ext) == nil {
			id = strings.ToLower(ext.PersistedQuery.Hash)
		}
	}
	if req.Query != "" {
		if _, ok := t.byHash[hashDocument(req.Query)]; !ok {
			return req, http.StatusForbidden, "FORBIDDEN", "this server runs trusted documents only; send the document's id (documentId) or its exact text"
		}
		if id != "" && id != hashDocument(req.Query) {
			return req, http.StatusBadRequest, "BAD_REQUEST", "the document id does not match the query text"
		}
		return req, 0, "", ""
	}
	doc, ok := t.byHash[id]
	if id == "" || !ok {
		return req, http.StatusNotFound, "PERSISTED_QUERY_NOT_FOUND", "no trusted document has this id"
	}
	req.Query, req.DocumentID, req.Extensions = doc, "", nil
	return req, 0, "", ""
}

// rewrite puts a resolved request back into the HTTP request, for gqlgen to read.
func (req gqlRequest) rewrite(r *http.Request) {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		q.Set("query", req.Query)
		q.Del("extensions")
		q.Del("documentId")
		r.URL.RawQuery = q.Encode()
		return
	}
	body, _ := json.Marshal(req)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
}
