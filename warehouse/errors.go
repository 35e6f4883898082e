package warehouse

import (
	"errors"
	"fmt"
)

// ErrKind classifies an error for clients: the GraphQL layer maps it to extensions.code.
type ErrKind string

const (
	ErrInvalid     ErrKind = "BAD_USER_INPUT"
	ErrNotFound    ErrKind = "NOT_FOUND"
	ErrTimeout     ErrKind = "TIMEOUT"
	ErrUnavailable ErrKind = "UNAVAILABLE"
	ErrConflict    ErrKind = "CONFLICT"
	ErrInternal    ErrKind = "INTERNAL"
	// ErrTooComplex: the request asks for more work than the server's limits allow.
	ErrTooComplex ErrKind = "COMPLEXITY_LIMIT_EXCEEDED"
)

// Error is cadrestat's one error type: a kind, a message safe to show any client, and the
// underlying cause (which may hold SQL or driver text and is only logged).
type Error struct {
	Kind    ErrKind
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an Error with a safe message.
func Errorf(kind ErrKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a kind and safe message to a cause.
func Wrap(err error, kind ErrKind, msg string) *Error {
	return &Error{Kind: kind, Message: msg, Err: err}
}

// KindOf returns the kind of err, INTERNAL when it is not a *Error.
func KindOf(err error) ErrKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ErrInternal
}

// ErrorMessage returns the client-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
