package audit

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Observer watches the writer (metrics): each group transaction, and each request whose row
// could not be written and whose response is therefore withheld.
type Observer interface {
	AuditGroup(rows int, took time.Duration, err error)
	AuditRefused()
	// AuditChainBreak counts a break in the chain the writer found and recorded.
	AuditChainBreak()
}

// Watch makes o observe the writer; call it before the first Write.
func (w *Writer) Watch(o Observer) { w.obs = o }

func (w *Writer) observeGroup(rows int, start time.Time, err error) {
	if w.obs != nil {
		w.obs.AuditGroup(rows, time.Since(start), err)
	}
}

func (w *Writer) observeBreak() {
	if w.obs != nil {
		w.obs.AuditChainBreak()
	}
}

// StandbyObserver, when the Observer implements it too, is told how long each audit
// transaction took that waited for a synchronous standby's confirmation.
type StandbyObserver interface {
	AuditStandbyCommit(took time.Duration)
}

func (w *Writer) observeStandby(took time.Duration) {
	if o, ok := w.obs.(StandbyObserver); ok {
		o.AuditStandbyCommit(took)
	}
}

// Withheld counts a response withheld because its row could not be written (fail closed).
func (w *Writer) Withheld() {
	if w.obs != nil {
		w.obs.AuditRefused()
	}
}

// traceID is the trace id of ctx's span, "" outside a trace: written into the row so that
// an auditor can go from a row to the request's trace.
func traceID(ctx context.Context) string {
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		return sc.TraceID().String()
	}
	return ""
}

// startSpan times the wait for the row's commit as a child of the request's span, with the
// request's own tracer provider (none outside a trace: a no-op span).
func startSpan(ctx context.Context) (context.Context, func(error)) {
	ctx, span := trace.SpanFromContext(ctx).TracerProvider().Tracer("createinfo/internal/audit").
		Start(ctx, "audit.write", trace.WithSpanKind(trace.SpanKindInternal))
	return ctx, func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, "audit row not written")
		}
		span.End()
	}
}
