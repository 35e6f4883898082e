package graph

import "context"

// Outcome is what the executor learnt about a request's operation, for the HTTP layer to
// act on once the response is written: the response cache keeps only answers the executor
// made without errors (Responded and no Errors), and the log line and metrics report the
// operation, its complexity and its first error code. The HTTP layer puts one in the
// request's context (WithOutcome) before the handler runs; without one nothing is noted.
type Outcome struct {
	// Operation is the operation's name; a name the HTTP layer set already is kept.
	Operation  string
	Complexity int
	// ErrorCode is the extensions.code of the first error presented.
	ErrorCode string
	// Responded says the executor made the response; a response written without it (a
	// transport's refusal, a cancelled request) says nothing about errors and is not cached.
	Responded bool
	// Errors counts the errors of that response.
	Errors int
}

type outcomeKey struct{}

// WithOutcome returns ctx carrying o, which the handler fills in.
func WithOutcome(ctx context.Context, o *Outcome) context.Context {
	return context.WithValue(ctx, outcomeKey{}, o)
}

// OutcomeFrom returns the Outcome ctx carries, or nil.
func OutcomeFrom(ctx context.Context) *Outcome {
	o, _ := ctx.Value(outcomeKey{}).(*Outcome)
	return o
}
