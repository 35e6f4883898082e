// Package graph holds the GraphQL resolvers: they parse arguments, call the service or
// loaders, and map results. No SQL lives here.
package graph

//go:generate go run github.com/99designs/gqlgen generate

import (
	"github.com/cadrestat/cadrestat/service"
)

// Resolver is the root resolver; one per server.
type Resolver struct {
	Svc *service.Service
}
