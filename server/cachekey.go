package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// keyer builds response-cache keys from the parsed document, never from the text: the
// document is parsed and validated by gqlparser, printed canonically by gqlparser's
// formatter (comments, whitespace and commas gone, every argument kept), and the variables
// are coerced against the operation's definitions (defaults applied, enums checked), then
// printed as JSON with sorted keys. Two requests share a key only when they are the same
// operation with the same coerced variables.
//
// Parsing costs more than hashing text, so the canonical form of each query text is kept in
// an LRU (exact text → document): a dashboard's repeat requests parse nothing.
//
// A dashboard also repeats its variables byte for byte, so the finished key of each exact
// request (query text, operation name, variables and extensions as sent, Accept, data
// version) is kept in a second LRU: a repeat view decodes, coerces, prints and hashes
// nothing. The key is a function of those bytes (the schema never changes), so the memo
// cannot return another request's key. Measured in BenchmarkDashboardHit (issue 19): the
// key was ~20 % of a hit's CPU and ~60 of its allocations.
type keyer struct {
	schema    *ast.Schema
	maxTokens int
	docs      *lru.LRU[*keyDoc]
	memo      *lru.LRU[string] // exact request → key; only requests up to maxMemoRequest bytes
}

// maxMemoRequest bounds what one memo entry holds: a dashboard's requests are well under
// 1 KB, and 4,096 entries of at most 4 KB stay under 16 MB.
const (
	maxMemoRequest = 4 << 10
	memoEntries    = 4096
)

// keyDoc is what a query text parses to. A text that does not parse or validate keeps a
// nil doc: such requests are never cached (gqlgen answers them with its own error).
type keyDoc struct {
	doc       *ast.QueryDocument
	canonical string
}

func newKeyer(schema *ast.Schema, maxTokens int) *keyer {
	return &keyer{schema: schema, maxTokens: maxTokens, docs: lru.New[*keyDoc](1000), memo: lru.New[string](memoEntries)}
}

// document returns the validated document of a query text and its canonical printing.
func (k *keyer) document(query string) *keyDoc {
	if d, ok := k.docs.Get(context.Background(), query); ok {
		return d
	}
	d := &keyDoc{}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, k.maxTokens)
	if err == nil && len(validator.ValidateWithRules(k.schema, doc, nil)) == 0 {
		d.doc, d.canonical = doc, canonicalDocument(doc)
	}
	k.docs.Add(context.Background(), query, d)
	return d
}

// sharedDocs lets gqlgen use the keyer's documents as its query cache (graphql.Cache). Both
// parse with the same token limit and validate with gqlparser's default rules, and gqlgen
// adds only documents that passed, so each side can trust what the other stored.
type sharedDocs struct{ k *keyer }

func (s sharedDocs) Get(ctx context.Context, query string) (*ast.QueryDocument, bool) {
	d, ok := s.k.docs.Get(ctx, query)
	if !ok || d.doc == nil {
		return nil, false
	}
	return d.doc, true
}

func (s sharedDocs) Add(ctx context.Context, query string, doc *ast.QueryDocument) {
	s.k.docs.Add(ctx, query, &keyDoc{doc: doc, canonical: canonicalDocument(doc)})
}

// canonicalDocument prints a document with gqlparser's formatter, without comments.
func canonicalDocument(doc *ast.QueryDocument) string {
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent(" ")).FormatQueryDocument(doc)
	return b.String()
}

// key returns the cache key of a request, or false when the request must not be cached
// (it does not parse, validate, name an operation that exists, or its variables do not
// coerce: gqlgen then answers with the precise error).
func (k *keyer) key(req gqlRequest, accept string, version uint64) (string, bool) {
	n := len(req.Query) + len(req.OperationName) + len(req.Variables) + len(req.Extensions) + len(accept)
	if n > maxMemoRequest {
		return k.compute(req, accept, version)
	}
	var m strings.Builder
	m.Grow(n + 64)
	m.WriteString(strconv.FormatUint(version, 10))
	for _, part := range []string{req.Query, req.OperationName, string(req.Variables), string(req.Extensions), accept} {
		m.WriteByte(':')
		m.WriteString(strconv.Itoa(len(part))) // length-prefixed: no two part lists read alike
		m.WriteByte(':')
		m.WriteString(part)
	}
	memoKey := m.String()
	if key, ok := k.memo.Get(context.Background(), memoKey); ok {
		return key, true
	}
	key, ok := k.compute(req, accept, version)
	if ok {
		k.memo.Add(context.Background(), memoKey, key)
	}
	return key, ok
}

// compute builds the key of key from the parsed document and coerced variables.
func (k *keyer) compute(req gqlRequest, accept string, version uint64) (string, bool) {
	var doc, vars string
	switch {
	case req.Query != "":
		d := k.document(req.Query)
		if d.doc == nil {
			return "", false
		}
		op := d.doc.Operations.ForName(req.OperationName)
		if op == nil || op.Operation != ast.Query {
			return "", false
		}
		coerced, ok := coerceVariables(k.schema, op, req.Variables)
		if !ok {
			return "", false
		}
		doc, vars = d.canonical, coerced
	case len(req.Extensions) > 0:
		// An automatic persisted query sent by hash alone: the hash names the text (gqlgen
		// checks it when the text is registered), and the variables are keyed as sent.
		doc, vars = "", canonicalJSON(req.Variables)
	default:
		return "", false
	}
	h := sha256.New()
	for _, part := range []string{doc, req.OperationName, vars, canonicalJSON(req.Extensions), accept, strconv.FormatUint(version, 10)} {
		h.Write([]byte(strconv.Itoa(len(part)))) // length-prefixed: no two part lists hash alike
		h.Write([]byte{':'})
		h.Write([]byte(part))
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// coerceVariables coerces the request's variables as gqlgen will (numbers kept exact),
// and prints them with sorted keys.
func coerceVariables(schema *ast.Schema, op *ast.OperationDefinition, raw json.RawMessage) (string, bool) {
	vars := map[string]any{}
	if len(raw) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if dec.Decode(&vars) != nil {
			return "", false
		}
	}
	coerced, err := validator.VariableValues(schema, op, vars)
	if err != nil {
		return "", false
	}
	out, err := json.Marshal(coerced) // map keys come out sorted
	return string(out), err == nil
}

func canonicalJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return "\x00" + string(raw) // not JSON: keyed as sent, apart from any JSON value
	}
	out, _ := json.Marshal(v)
	return string(out)
}
