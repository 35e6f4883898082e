package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/cadrestat/cadrestat/warehouse"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// presentError maps every error to a client-safe message and an extensions.code. Messages
// of *warehouse.Error are safe by construction; anything else (driver text, SQL, paths) is
// logged with the request id and replaced by a generic message. The first code is noted in
// the request's Outcome, for its log line and metrics.
func presentError(log *slog.Logger, requestID func(context.Context) string) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var werr *warehouse.Error
		var already *gqlerror.Error
		switch {
		case errors.As(err, &werr):
			if werr.Kind == warehouse.ErrInternal || werr.Kind == warehouse.ErrUnavailable || werr.Kind == warehouse.ErrTimeout {
				log.ErrorContext(ctx, "request failed", "request_id", requestID(ctx), "kind", werr.Kind, "err", err)
			}
			gqlErr.Message = werr.Message
			setCode(gqlErr, string(werr.Kind))
		case errors.As(err, &already) && variableNumberError(already) != "":
			// gqlparser prints the value it failed to make (0 for 1e400 or 1.5 as an Int).
			gqlErr.Message = variableNumberError(already)
			setCode(gqlErr, string(warehouse.ErrInvalid))
		case errors.As(err, &already) && already.Extensions["code"] != nil:
			// gqlgen's own validation, parse and complexity errors: already safe and coded.
		case errors.As(err, &already) && already.Path == nil && already.Err == nil:
			// A request-level error from the transport (unreadable or malformed body). Its
			// text may echo the body back, so it is replaced.
			gqlErr.Message = requestErrorMessage(already.Message)
			setCode(gqlErr, "BAD_REQUEST")
		case strings.HasSuffix(err.Error(), "introspection disabled"): // gqlgen: errors.New("introspection disabled")
			gqlErr.Message = "schema introspection is turned off on this server"
			setCode(gqlErr, "INTROSPECTION_DISABLED")
		case errors.Is(err, context.DeadlineExceeded):
			gqlErr.Message = "the query took too long and was stopped"
			setCode(gqlErr, string(warehouse.ErrTimeout))
		default:
			log.ErrorContext(ctx, "unexpected error", "request_id", requestID(ctx), "err", err)
			gqlErr.Message = "internal error"
			setCode(gqlErr, string(warehouse.ErrInternal))
		}
		if o := OutcomeFrom(ctx); o != nil && o.ErrorCode == "" {
			o.ErrorCode, _ = gqlErr.Extensions["code"].(string)
		}
		return gqlErr
	}
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// recoverPanic logs a resolver panic with its stack and the request id; the client sees
// only "internal error".
func recoverPanic(log *slog.Logger, requestID func(context.Context) string) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", requestID(ctx), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return warehouse.Errorf(warehouse.ErrInternal, "internal error")
	}
}

// variableNumberError rewrites gqlparser's coercion error for a JSON number that is not a
// valid Int ("cannot use value 0 as Int" for 1e400) into a message that names the
// variable and what it accepts, or returns "" for any other error.
func variableNumberError(e *gqlerror.Error) string {
	if len(e.Path) != 2 || e.Path[0] != ast.PathName("variable") || !strings.HasPrefix(e.Message, "cannot use value ") {
		return ""
	}
	name, _ := e.Path[1].(ast.PathName)
	switch {
	case strings.HasSuffix(e.Message, " as Int"):
		return fmt.Sprintf("variable $%s is not a valid Int: a whole number from -2147483648 to 2147483647 is expected", name)
	}
	return "" // the schema has no Float arguments
}

func requestErrorMessage(msg string) string {
	switch {
	case msg == "provided APQ hash does not match query":
		return "the persisted query's sha256Hash is not the SHA-256 of the query sent with it"
	case msg == "invalid APQ extension data" || msg == "unsupported APQ version":
		return "the persistedQuery extension is not valid: send version 1 and the query's sha256Hash"
	case strings.HasPrefix(msg, "json request body could not be decoded"):
		return "the request body is not valid JSON"
	case strings.HasPrefix(msg, "could not read request body"):
		return "the request body could not be read (is it larger than the limit?)"
	case strings.HasPrefix(msg, "transport not supported"):
		return "unsupported request: use POST with Content-Type application/json, or GET"
	}
	return "malformed request"
}
