package graph

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/99designs/gqlgen/graphql"
)

// marshalInOrder is graphql.MarshalSliceConcurrently without the goroutines: each element
// gets the same field context (its index, for the paths of its errors) and the same panic
// recovery, one after the other in the caller's goroutine. The generated code calls it for
// every list, the root field's applications included (tools/cmd/gqlgen, lean.go): the
// priming walk (prime.go) has already fetched every relation the elements read, and a failed
// fetch is answered at once (loaders.Relation.Load), so no element waits for a loader's batch
// timer and running them concurrently would buy nothing but goroutine starts and stack
// growth (TestNothingWaitsForALoaderTimer).
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

// object is what the generated marshaler of every type below the root returns in place of
// gqlgen's *graphql.FieldSet (tools/cmd/gqlgen, lean.go), with the same JSON: gqlgen's
// FieldSet.MarshalGQL copies each CollectedField to the heap to yield a pointer to it and
// makes a map per object to skip repeated aliases, although graphql.CollectFields has already
// merged the fields of one alias into one. Aliases are GraphQL names, which need no escaping.
type object struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

func newObject(fields []graphql.CollectedField, values []graphql.Marshaler) *object {
	return &object{fields, values}
}

func (o *object) MarshalGQL(w io.Writer) {
	io.WriteString(w, "{")
	for i := range o.fields {
		if i > 0 {
			io.WriteString(w, `,"`)
		} else {
			io.WriteString(w, `"`)
		}
		io.WriteString(w, o.fields[i].Alias)
		io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	io.WriteString(w, "}")
}

// marshalResponse writes the response's data into a buffer of a pool and returns a copy of
// exactly its size (the generated Exec calls it: tools/cmd/gqlgen, lean.go). A buffer grown
// from nothing by doubling allocates about twice a response, in a dozen steps, per request.
// Buffers that grew past maxPooled (a very large tree) are left to the collector.
func marshalResponse(data graphql.Marshaler) []byte {
	buf := responses.Get().(*bytes.Buffer)
	buf.Reset()
	data.MarshalGQL(buf)
	out := bytes.Clone(buf.Bytes())
	if buf.Cap() <= maxPooled {
		responses.Put(buf)
	}
	return out
}

const maxPooled = 1 << 20

var responses = sync.Pool{New: func() any { return new(bytes.Buffer) }}
