package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalInOrder is graphql.MarshalSliceConcurrently without the goroutines: each element
// gets the same field context (its index, for the paths of its errors) and the same panic
// recovery, one after the other in the caller's goroutine. The generated code calls it for
// every list below the root fields (tools/cmd/gqlgen, lean.go): there the priming walk
// (prime.go) has already fetched every relation the elements read, so no element waits for
// a loader's batch and running them concurrently would buy nothing but goroutine starts and
// stack growth.
func marshalInOrder(ctx context.Context, n int, marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, n)
	for i := range n {
		ret[i] = marshalElement(ctx, i, marshal)
	}
	return ret
}

func marshalElement(ctx context.Context, i int, marshal func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshal(ctx, i)
}
