// Package graph is the GraphQL API: the schema's generated code, thin resolvers (they parse
// arguments, call the service or loaders, and map results; no SQL lives here) and the
// handler that configures gqlgen's executor (handler.go: limits, caches, the error
// presenter, per-operation loaders). HTTP around it is the server's.
package graph

//go:generate go run github.com/99designs/gqlgen generate

import (
	"context"

	"github.com/cadrestat/cadrestat/graph/model"
	"github.com/cadrestat/cadrestat/service"
)

// Resolver is the root resolver; one per server.
type Resolver struct {
	Svc *service.Service
	// DataChanges, when set, streams Subscription.dataChanged until ctx ends (the server's
	// live hub); nil: subscriptions answer UNAVAILABLE.
	DataChanges func(ctx context.Context) (<-chan *model.DataChange, error)
}
