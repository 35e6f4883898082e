package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// enumVariables refuses a variable whose enum value is not one of the enum's values (a
// lower-case "vn63" for a Map, say) with BAD_USER_INPUT before any resolver runs. gqlparser's
// variable coercion (v2.5.37) does not check enum values; gqlgen's generated unmarshalling
// does, but its error reached clients as INTERNAL.
type enumVariables struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = enumVariables{}

func (enumVariables) ExtensionName() string                          { return "EnumVariables" }
func (enumVariables) Validate(schema graphql.ExecutableSchema) error { return nil }

func (e enumVariables) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	for _, v := range op.Operation.VariableDefinitions {
		if msg := e.check(v.Type, op.Variables[v.Variable], "$"+v.Variable); msg != "" {
			return codedError("BAD_USER_INPUT", "%s", msg)
		}
	}
	return nil
}

// checkEnums walks a coerced variable value along its type (lists and input objects
// included) and names the first enum value that is not allowed.
func (e enumVariables) check(typ *ast.Type, val any, path string) string {
	if val == nil || typ == nil {
		return ""
	}
	if typ.Elem != nil {
		list, ok := val.([]any)
		if !ok {
			return e.check(typ.Elem, val, path) // a single value coerced to a list
		}
		for i, item := range list {
			if msg := e.check(typ.Elem, item, fmt.Sprintf("%s[%d]", path, i)); msg != "" {
				return msg
			}
		}
		return ""
	}
	def := e.schema.Types[typ.NamedType]
	if def == nil {
		return ""
	}
	switch def.Kind {
	case ast.Enum:
		s, _ := val.(string)
		if def.EnumValues.ForName(s) != nil {
			return ""
		}
		names := make([]string, len(def.EnumValues))
		for i, e := range def.EnumValues {
			names[i] = e.Name
		}
		return fmt.Sprintf("variable %s: %q is not a valid %s (one of %s)", path, fmt.Sprint(val), def.Name, strings.Join(names, ", "))
	case ast.InputObject:
		obj, _ := val.(map[string]any)
		for _, f := range def.Fields {
			if msg := e.check(f.Type, obj[f.Name], path+"."+f.Name); msg != "" {
				return msg
			}
		}
	}
	return ""
}
