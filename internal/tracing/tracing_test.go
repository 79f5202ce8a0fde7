package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// TestStatementSpansMaskValues: what gorm's plugin records on a failed statement (the error
// and the status) reaches the exporter with quoted values masked, and errors.Is still sees
// the original error.
func TestStatementSpansMaskValues(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	ctx, span := masking{tp}.Tracer("t").Start(context.Background(), "select")
	if trace.SpanFromContext(ctx) != span {
		t.Fatal("the context does not carry the masking span: the plugin's after hook would miss it")
	}
	cause := errors.New(`cannot encode "0988123456" into text`)
	err := fmt.Errorf("where idno = 'N123456789': %w", cause)
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
	span.End()
	if !errors.Is(maskedError{err}, cause) {
		t.Error("the masked error does not unwrap")
	}
	s := exp.GetSpans()[0]
	text := s.Status.Description
	for _, e := range s.Events {
		for _, a := range e.Attributes {
			text += " " + a.Value.Emit()
		}
	}
	if strings.Contains(text, "0988123456") || strings.Contains(text, "N123456789") || !strings.Contains(text, `"…"`) {
		t.Errorf("recorded: %s", text)
	}
	if got := maskLiterals(`SELECT * FROM t WHERE a = $1 AND b = 'x''y'`); got != `SELECT * FROM t WHERE a = $1 AND b = '…'` {
		t.Errorf("statement text: %s", got)
	}
}

func TestStatementText(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT "job"."code","job"."name" FROM "account"."job" WHERE code = ANY($1)`:              `SELECT … FROM "account"."job" WHERE code = ANY($1)`,
		"\nSELECT DISTINCT m.seq_no, a.idno\nFROM account.create_master m WHERE x = 'A123456789'": "SELECT … FROM account.create_master m WHERE x = '…'",
		`select a from t where b = 'x'`: `SELECT … from t where b = '…'`,
		`SELECT fromage FROM t`:         `SELECT … FROM t`,
		`INSERT INTO t VALUES ('x')`:    `INSERT INTO t VALUES ('…')`,
	} {
		if got := statementText(in); got != want {
			t.Errorf("statementText(%q) = %q, want %q", in, got, want)
		}
		if got := statementText(in); got != want { // cached
			t.Errorf("cached statementText(%q) = %q", in, got)
		}
	}
}

// TestNoExporterRecordsNothing: with OTEL_TRACES_EXPORTER none (or unset) every span still has
// a trace id, a caller's trace is continued, but no span records: nothing would receive it.
func TestNoExporterRecordsNothing(t *testing.T) {
	for _, exporter := range []string{"none", ""} {
		t.Setenv("OTEL_TRACES_EXPORTER", exporter)
		tp, shutdown, err := Setup(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer shutdown(context.Background())
		ctx, span := tp.Tracer("t").Start(context.Background(), "lookup")
		if TraceID(ctx) == "" || span.IsRecording() {
			t.Errorf("exporter %q: trace id %q, recording %v; want an id and no recording", exporter, TraceID(ctx), span.IsRecording())
		}
		var seen string
		h := Handler(tp, "/x", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = TraceID(r.Context()) }))
		req := httptest.NewRequest(http.MethodPost, "/x", nil)
		req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
		h.ServeHTTP(httptest.NewRecorder(), req)
		if seen != "0af7651916cd43dd8448eb211c80319c" {
			t.Errorf("exporter %q: the handler's request carries trace %q, want the caller's", exporter, seen)
		}
		caller := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4}, TraceFlags: trace.FlagsSampled, Remote: true})
		ctx, span = tp.Tracer("t").Start(trace.ContextWithRemoteSpanContext(context.Background(), caller), "lookup")
		if got := trace.SpanContextFromContext(ctx); got.TraceID() != caller.TraceID() || got.SpanID() == caller.SpanID() || span.IsRecording() {
			t.Errorf("exporter %q: caller's trace not continued unrecorded: %v recording %v", exporter, got.TraceID(), span.IsRecording())
		}
	}
	t.Setenv("OTEL_TRACES_EXPORTER", "console")
	tp, shutdown, err := Setup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(context.Background())
	if _, span := tp.Tracer("t").Start(context.Background(), "lookup"); !span.IsRecording() {
		t.Error("exporter console: the span does not record")
	}
}

// TestChildOnlyUnderRecordingOrNoLocalSpan: the service's spans (statement, loader batch) are
// started under a recording span, at a root (no span: the sampler decides) and under a
// caller's remote span context (parent-based: a sampled caller is recorded); under a local
// span that records nothing (Setup's server span with the exporter none) none is started
// and the context, its trace id included, is the parent's.
func TestChildOnlyUnderRecordingOrNoLocalSpan(t *testing.T) {
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	none, shutdown, err := Setup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(context.Background())
	recorded := sdktrace.NewTracerProvider() // parentbased_always_on, as the SDK defaults
	caller := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4}, TraceFlags: trace.FlagsSampled, Remote: true}))
	for _, c := range []struct {
		name      string
		tp        trace.TracerProvider
		parent    func() context.Context
		started   bool // a span of its own, not the parent's
		recording bool
	}{
		{"unrecorded server span", none, func() context.Context {
			ctx, _ := none.Tracer("t").Start(context.Background(), "POST /x")
			return ctx
		}, false, false},
		{"unrecorded server span continuing a sampled caller", none, func() context.Context {
			ctx, _ := none.Tracer("t").Start(caller, "POST /x")
			return ctx
		}, false, false},
		{"no exporter, no span (a root)", none, context.Background, true, false},
		{"recording parent", recorded, func() context.Context {
			ctx, _ := recorded.Tracer("t").Start(context.Background(), "POST /x")
			return ctx
		}, true, true},
		{"a sampled caller's remote span context only", recorded, func() context.Context { return caller }, true, true},
		{"no span (a root), recorded", recorded, context.Background, true, true},
	} {
		parent := c.parent()
		ctxS, _ := NewStatements(c.tp).Statement(parent, "account.job", "SELECT 1")
		ctxL, _ := NewLoaders(c.tp).StartBatch(parent, "Job", 1)
		for what, ctx := range map[string]context.Context{"statement": ctxS, "loader batch": ctxL} {
			span := trace.SpanFromContext(ctx)
			started := span.SpanContext().SpanID() != trace.SpanContextFromContext(parent).SpanID()
			if started != c.started || span.IsRecording() != c.recording || TraceID(ctx) == "" {
				t.Errorf("%s, %s: started %v recording %v trace %q; want started %v recording %v and a trace id",
					c.name, what, started, span.IsRecording(), TraceID(ctx), c.started, c.recording)
			}
			if !started && ctx != parent {
				t.Errorf("%s, %s: the context is not the parent's", c.name, what)
			}
		}
	}
}
