// Package httperr maps cadrestat's error kinds to HTTP status codes, for the handlers that
// answer outside GraphQL (CSV exports, the brief page).
package httperr

import (
	"errors"
	"net/http"

	"github.com/cadrestat/cadrestat/warehouse"
)

// Status is the HTTP status and the kind of err: 400 for bad input, 404 for unknown
// references, 503 for a timeout or an unavailable warehouse, 500 for anything else.
func Status(err error) (int, warehouse.ErrKind) {
	var we *warehouse.Error
	if !errors.As(err, &we) {
		return http.StatusInternalServerError, warehouse.ErrInternal
	}
	switch we.Kind {
	case warehouse.ErrInvalid:
		return http.StatusBadRequest, we.Kind
	case warehouse.ErrNotFound:
		return http.StatusNotFound, we.Kind
	case warehouse.ErrTimeout, warehouse.ErrUnavailable:
		return http.StatusServiceUnavailable, we.Kind
	}
	return http.StatusInternalServerError, we.Kind
}
