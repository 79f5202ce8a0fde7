package tracing

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"createinfo/internal/apperr"
)

// Extension gives each GraphQL operation a span, and each root resolver (the lookup, which
// queries the applications and primes every level below) a child span. Child resolvers read
// through the loaders, whose batches have spans of their own (Loaders): a span per field
// would cost thousands of spans per tree and say nothing the batches do not. Under a span
// that records nothing (no exporter) it starts none (unrecordedParent).
type Extension struct{ Tracer trace.Tracer }

// NewExtension returns the extension over tp; nil tp: nil (nothing to add).
func NewExtension(tp trace.TracerProvider) *Extension {
	if tp == nil {
		return nil
	}
	return &Extension{Tracer: tp.Tracer(Name)}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.RootFieldInterceptor
} = (*Extension)(nil)

func (*Extension) ExtensionName() string                   { return "Tracing" }
func (*Extension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation spans the operation from execution to the response it hands the
// transport (the audit row included): "graphql.query GetCreateInfo".
func (e *Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	kind, name := "query", ""
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil {
		// As the audit row names it (apperr.OperationName is the one rule of both): the
		// document's operation, never a long name or one shaped like a phone or ID number.
		kind, name = string(oc.Operation.Operation), apperr.OperationName(oc.Operation.Name)
	}
	if unrecordedParent(ctx) {
		return next(ctx)
	}
	spanName := "graphql." + kind
	if name != "" {
		spanName += " " + name
	}
	ctx, span := e.Tracer.Start(ctx, spanName)
	if span.IsRecording() {
		span.SetAttributes(attribute.String("graphql.operation.type", kind))
		if name != "" {
			span.SetAttributes(attribute.String("graphql.operation.name", name))
		}
	}
	rh := next(ctx)
	var once sync.Once
	return func(ctx context.Context) *graphql.Response {
		resp := rh(ctx)
		once.Do(func() {
			if resp != nil && len(resp.Errors) > 0 {
				code, _ := apperr.CodeOf(resp.Errors[0].Extensions)
				span.SetAttributes(attribute.String("createinfo.error_code", code.String()))
				span.SetStatus(codes.Error, code.String()) // the code only: messages may name inputs
			}
			span.End()
		})
		return resp
	}
}

// InterceptRootField spans a root resolver and everything resolved beneath it.
func (e *Extension) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc == nil || fc.Field.ObjectDefinition == nil || unrecordedParent(ctx) {
		return next(ctx)
	}
	// (gqlgen puts the field's name in RootFieldContext.Object; the type is the definition's.)
	path := fc.Field.ObjectDefinition.Name + "." + fc.Field.Name
	ctx, span := e.Tracer.Start(ctx, "graphql.resolve "+path)
	defer span.End()
	if span.IsRecording() {
		span.SetAttributes(attribute.String("graphql.field.path", path))
	}
	return next(ctx)
}

// Loaders gives each loader batch a span, "loader CreateDetail", whose statements are its
// children (loaders.Observer).
type Loaders struct{ Tracer trace.Tracer }

// NewLoaders returns the observer over tp; nil tp: nil.
func NewLoaders(tp trace.TracerProvider) *Loaders {
	if tp == nil {
		return nil
	}
	return &Loaders{Tracer: tp.Tracer(Name)}
}

// StartBatch starts the batch's span; under an unrecorded span, none (unrecordedParent).
func (l *Loaders) StartBatch(ctx context.Context, relation string, keys int) (context.Context, func(error)) {
	if unrecordedParent(ctx) {
		return ctx, endUnrecorded
	}
	ctx, span := l.Tracer.Start(ctx, loaderSpanName(relation))
	if !span.IsRecording() {
		return ctx, endUnrecorded
	}
	span.SetAttributes(attribute.String("createinfo.loader.relation", relation), attribute.Int("createinfo.loader.keys", keys))
	return ctx, func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, "batch failed")
		}
		span.End()
	}
}

// endUnrecorded ends a span that records nothing: there is nothing to end.
func endUnrecorded(error) {}

// loaderSpanNames holds "loader <relation>" per relation (a fixed set), so that a batch
// builds no string for its span's name.
var loaderSpanNames sync.Map

func loaderSpanName(relation string) string {
	if n, ok := loaderSpanNames.Load(relation); ok {
		return n.(string)
	}
	n := "loader " + relation
	loaderSpanNames.Store(relation, n)
	return n
}

// CodeCache records nothing: a cache read is not I/O worth a span.
func (*Loaders) CodeCache(string, bool) {}
