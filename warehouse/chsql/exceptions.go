package chsql

import "github.com/cadrestat/cadrestat/warehouse"

// ClickHouse exception codes that mean something to a user. Both engines map through
// these so the same failure gives the same kind and message whichever engine ran it.
const (
	chTimeoutExceeded   = 159
	chTooSlow           = 160
	chQueryWasCancelled = 394
	chMemoryLimit       = 241
	chAuthFailed        = 516
	chUnknownUser       = 192
	chWrongPassword     = 193
	chUnknownDatabase   = 81
	chUnknownTable      = 60
	chReadonly          = 164
)

// KindOfException maps a ClickHouse exception code to an error kind.
func KindOfException(code int) warehouse.ErrKind {
	switch code {
	case chTimeoutExceeded, chTooSlow, chQueryWasCancelled:
		return warehouse.ErrTimeout
	case chMemoryLimit:
		return warehouse.ErrUnavailable
	case chAuthFailed, chUnknownUser, chWrongPassword, chReadonly:
		return warehouse.ErrUnavailable
	default:
		return warehouse.ErrInternal
	}
}

// MessageOfException gives the client-safe message for a ClickHouse exception code.
func MessageOfException(code int) string {
	switch code {
	case chTimeoutExceeded, chTooSlow:
		return "the query took too long and was stopped"
	case chQueryWasCancelled:
		return "the request was cancelled"
	case chMemoryLimit:
		return "the warehouse is out of memory for this query; narrow it down"
	case chAuthFailed, chUnknownUser, chWrongPassword:
		return "the warehouse refused cadrestat's credentials"
	case chReadonly:
		return "the warehouse user is read-only"
	case chUnknownDatabase, chUnknownTable:
		return "the warehouse is not set up; run `cadrestat migrate`"
	default:
		return "warehouse error"
	}
}
