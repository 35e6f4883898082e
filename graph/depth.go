package graph

import (
	"context"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// shapeLimit refuses operations nested too deep or that expand to too many selections,
// before gqlgen's own complexity walk and before any resolver runs.
//
// Both bounds are computed once per fragment (memoised): a chain of 40 fragments that each
// spread the previous one twice is 1.6 KB of text but 2^40 selections once expanded, and a
// walk that expands every spread (as this check did, and as gqlgen's complexity does) never
// finishes. With the memo the check is linear in the document, and the expanded size it
// computes (with saturating arithmetic) is what gqlgen's walk would visit, so refusing
// large expansions here keeps that walk bounded too.
//
// Introspection fields (__schema, __type) are measured against their own depth bound: the
// standard introspection query of graphql-js and GraphiQL nests its TypeRef fragment ~15
// levels deep, far deeper than any data query needs, but it is still finite.
type shapeLimit struct {
	maxDepth, introspectionDepth, maxSelections int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimit{}

func (d shapeLimit) ExtensionName() string                          { return "ShapeLimit" }
func (d shapeLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d shapeLimit) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	return d.check(op.Operation, op.Doc.Fragments)
}

func (d shapeLimit) check(op *ast.OperationDefinition, frags ast.FragmentDefinitionList) *gqlerror.Error {
	s := measureShape(op.SelectionSet, frags)
	if d.maxDepth > 0 && s.depth > d.maxDepth {
		return codedError("DEPTH_LIMIT_EXCEEDED", "query is nested %d levels deep; the limit is %d", s.depth, d.maxDepth)
	}
	if d.introspectionDepth > 0 && s.introDepth > d.introspectionDepth {
		return codedError("DEPTH_LIMIT_EXCEEDED", "introspection is nested %d levels deep; the limit for __schema and __type is %d", s.introDepth, d.introspectionDepth)
	}
	if d.maxSelections > 0 && s.size > d.maxSelections {
		return codedError("COMPLEXITY_LIMIT_EXCEEDED", "query expands to %s selections once its fragments are spread; the limit is %d", sizeText(s.size), d.maxSelections)
	}
	return nil
}

func codedError(code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": code}
	return err
}

func sizeText(n int) string {
	if n >= saturated {
		return "more than a billion"
	}
	return strconv.Itoa(n)
}

// shape is what a selection set weighs: its deepest data nesting, its deepest nesting under
// an introspection field, and how many selections it expands to.
type shape struct{ depth, introDepth, size int }

// saturated caps sizes so that doubling chains cannot overflow.
const saturated = 1 << 30

func satAdd(a, b int) int { return min(a+b, saturated) }

type shapeWalker struct {
	frags ast.FragmentDefinitionList
	memo  map[string]shape
	busy  map[string]bool // fragment cycles are refused by validation; this guards the walk regardless
}

func measureShape(set ast.SelectionSet, frags ast.FragmentDefinitionList) shape {
	w := &shapeWalker{frags: frags, memo: map[string]shape{}, busy: map[string]bool{}}
	return w.set(set, false)
}

// set measures a selection set relative to its own level (depth 0 above its fields).
func (w *shapeWalker) set(set ast.SelectionSet, intro bool) shape {
	var out shape
	for _, sel := range set {
		var s shape
		switch f := sel.(type) {
		case *ast.Field:
			in := intro || strings.HasPrefix(f.Name, "__") && f.Name != "__typename"
			child := w.set(f.SelectionSet, in)
			if in {
				s = shape{introDepth: max(child.depth, child.introDepth) + 1, size: satAdd(child.size, 1)}
			} else {
				s = shape{depth: child.depth + 1, introDepth: child.introDepth + btoi(child.introDepth > 0), size: satAdd(child.size, 1)}
			}
		case *ast.InlineFragment:
			s = w.set(f.SelectionSet, intro)
			s.size = satAdd(s.size, 1)
		case *ast.FragmentSpread:
			s = w.fragment(f.Name, intro)
			s.size = satAdd(s.size, 1)
		}
		out.depth = max(out.depth, s.depth)
		out.introDepth = max(out.introDepth, s.introDepth)
		out.size = satAdd(out.size, s.size)
	}
	return out
}

func (w *shapeWalker) fragment(name string, intro bool) shape {
	key := name
	if intro {
		key = "\x00" + name
	}
	if s, ok := w.memo[key]; ok {
		return s
	}
	def := w.frags.ForName(name)
	if def == nil || w.busy[key] {
		return shape{}
	}
	w.busy[key] = true
	s := w.set(def.SelectionSet, intro)
	delete(w.busy, key)
	w.memo[key] = s
	return s
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
