package graph

import (
	"context"

	"github.com/graph-gophers/dataloader/v7"

	"createinfo/models"
)

// loader is what the resolvers need of a loader: a batched, cached Load.
type loader[K comparable, V any] interface {
	Load(ctx context.Context, key K) dataloader.Thunk[V]
}

// load reads one key through a request's loader and waits for its batch: every resolver of a
// child relation goes through here, so no resolver queries the database per parent row.
func load[K comparable, V any](ctx context.Context, l loader[K, V], key K) (V, error) {
	return l.Load(ctx, key)()
}

// loadOptional loads the row a nullable reference points at, nil when it points at nothing.
func loadOptional[K comparable, V any](ctx context.Context, l loader[K, *V], key *K) (*V, error) {
	if key == nil {
		return nil, nil
	}
	return load(ctx, l, *key)
}

// loadCode resolves a code to its name. A code missing from its table keeps its code with an
// empty name, so that the agent still sees what was recorded.
func loadCode(ctx context.Context, l loader[string, *models.CodeName], code *string) (*models.CodeName, error) {
	if code == nil || *code == "" {
		return nil, nil
	}
	c, err := load(ctx, l, *code)
	if err != nil || c != nil {
		return c, err
	}
	return &models.CodeName{Code: *code}, nil
}
