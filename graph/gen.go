// Package graph is the GraphQL layer: the gqlgen-generated executable schema, the resolvers
// that read through the per-request loaders, the query rules of CONTRACT.md and the one place
// where errors become client-safe codes.
package graph

//go:generate sh -c "cd .. && go run ./tools/cmd/gqlgen"
