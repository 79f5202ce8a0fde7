// Package tracing sets up OpenTelemetry tracing the standard way (OTEL_* environment
// variables, exporters chosen by the contrib autoexport package) and instruments the service
// with it: a server span per request (otelhttp), a span per GraphQL operation and root
// resolver, a span per loader batch and a span per SQL statement (gorm's OpenTelemetry plugin).
//
// No span attribute holds personal data: statements are recorded as their text with
// placeholders ($1), never with parameter values, and quoted literals in statement text and
// error messages are masked; lookup conditions are never recorded.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"gorm.io/gorm"
	otelgorm "gorm.io/plugin/opentelemetry/tracing"

	"createinfo/internal/apperr"
)

// Name is the instrumentation scope of the service's own spans.
const Name = "createinfo"

// Setup builds the tracer provider from the standard environment:
//   - OTEL_SDK_DISABLED=true: no tracing at all (a no-op provider; no trace ids);
//   - OTEL_TRACES_EXPORTER: none (the default here), otlp or console, as autoexport reads
//     it, with OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL and the rest;
//   - OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default parentbased_always_on);
//   - OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (service.name defaults to createinfo).
//
// With the exporter none, each request's server span is still made, so every request has a
// trace id for its log line and audit row, and a caller's traceparent is continued; but it is
// not recorded (unrecorded): no attribute, event or timing of it would reach anyone, and the
// service starts no spans beneath it (unrecordedParent). It also installs the provider
// and the W3C trace-context propagator globally. shutdown flushes the exporter.
func Setup(ctx context.Context) (tp trace.TracerProvider, shutdown func(context.Context) error, err error) {
	otel.SetTextMapPropagator(propagator)
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") {
		return noop.NewTracerProvider(), func(context.Context) error { return nil }, nil
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", Name)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES override
		resource.WithTelemetrySDK(),
		resource.WithHost(), // host.name: which instance served the request
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, nil, fmt.Errorf("tracing: resource: %w", err)
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	exported := false
	if os.Getenv("OTEL_TRACES_EXPORTER") != "" {
		exp, err := autoexport.NewSpanExporter(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("tracing: OTEL_TRACES_EXPORTER: %w", err)
		}
		if !autoexport.IsNoneSpanExporter(exp) {
			opts = append(opts, sdktrace.WithBatcher(exp))
			exported = true
		}
	}
	if !exported {
		opts = append(opts, sdktrace.WithSampler(unrecorded{}))
	}
	provider := sdktrace.NewTracerProvider(opts...)
	var p trace.TracerProvider = provider
	if !exported {
		p = unexported{provider}
	}
	otel.SetTracerProvider(p)
	return p, provider.Shutdown, nil
}

// unrecorded is the sampler when no exporter takes spans: every span keeps its trace id (the
// caller's, or a new one) and gets a span id, but is not recorded, so instrumentation that
// asks IsRecording (gorm's plugin, otelhttp, ours) builds no attributes and ending a span
// costs nothing. Recording spans that no processor receives cost about 5 % of the service's
// CPU per lookup (docs/BENCHMARKS.md, issue 19).
type unrecorded struct{}

func (unrecorded) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	return sdktrace.SamplingResult{Decision: sdktrace.Drop, Tracestate: trace.SpanContextFromContext(p.ParentContext).TraceState()}
}

func (unrecorded) Description() string { return "Unrecorded{no exporter}" }

// unexported is the provider when no exporter takes spans (its sampler is unrecorded):
// Handler then gives each request a span of its own without otelhttp's attributes, body and
// writer wrappers, which nothing would read.
type unexported struct{ *sdktrace.TracerProvider }

// propagator reads and writes W3C trace context and baggage headers.
var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// Handler gives each request through next a server span named "POST <route>", continuing
// the caller's trace when it sends a traceparent header: otelhttp's, or, when no exporter
// takes spans (Setup's unexported provider), a bare span that only carries the ids.
func Handler(tp trace.TracerProvider, route string, next http.Handler) http.Handler {
	if tp == nil {
		return next
	}
	name := "POST " + route
	if _, quiet := tp.(unexported); quiet {
		tracer := tp.Tracer(Name)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer))
			defer span.End()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	return otelhttp.NewHandler(next, name,
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(propagator),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()), // metrics are Prometheus'
		otelhttp.WithSpanNameFormatter(func(string, *http.Request) string { return name }),
	)
}

// TraceID returns the trace id of ctx's span, "" outside a trace.
func TraceID(ctx context.Context) string {
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		return sc.TraceID().String()
	}
	return ""
}

// InstrumentDB adds a span per SQL statement of db (gorm's OpenTelemetry plugin), with the
// statement's text and no parameter values.
func InstrumentDB(db *gorm.DB, tp trace.TracerProvider) error {
	if tp == nil {
		return nil
	}
	return db.Use(otelgorm.NewPlugin(
		otelgorm.WithTracerProvider(masking{tp}),
		otelgorm.WithoutQueryVariables(),
		otelgorm.WithQueryFormatter(statementText),
		otelgorm.WithoutMetrics(), // the pools' figures are Prometheus'
		otelgorm.WithoutServerAddress(),
	))
}

// Statements gives each statement of the store (which runs its reads on pgx, not through
// gorm) the span gorm's plugin gives gorm's: named "select <table>", a client span with the
// same attributes (statement text as statementText writes it, never a parameter), and its
// error masked. Only a recording span gets them; an unrecorded one is left, as the plugin
// leaves it.
type Statements struct{ tracer trace.Tracer }

// NewStatements returns the store's spans over tp; nil tp: nil.
func NewStatements(tp trace.TracerProvider) *Statements {
	if tp == nil {
		return nil
	}
	return &Statements{tracer: masking{tp}.Tracer(Name)}
}

// Statement starts the span of one statement (store.Tracer); under an unrecorded span it
// starts none (unrecordedParent).
func (s *Statements) Statement(ctx context.Context, table, query string) (context.Context, func(int, error)) {
	if unrecordedParent(ctx) {
		return ctx, endStatementUnrecorded
	}
	ctx, span := s.tracer.Start(ctx, "gorm.Row", trace.WithSpanKind(trace.SpanKindClient))
	if !span.IsRecording() {
		return ctx, endStatementUnrecorded
	}
	return ctx, func(rows int, err error) {
		text := statementText(query)
		name := table
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:] // as gorm names a model's table: without its schema
		}
		summary := "select " + name
		span.SetName(summary)
		span.SetAttributes(
			attribute.String("db.system.name", "postgresql"),
			attribute.String("db.query.text", text),
			attribute.String("db.operation.name", "select"),
			attribute.String("db.collection.name", name),
			attribute.String("db.query.summary", summary),
		)
		if rows >= 0 {
			span.SetAttributes(attribute.Int("db.rows_affected", rows))
		}
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}

func endStatementUnrecorded(int, error) {}

// unrecordedParent reports whether ctx's span is one of this process's spans that records
// nothing (the server span when no exporter takes spans, or one its sampler dropped). A child
// of it would not be recorded either: the unrecorded sampler records nothing, the parent-based
// ones (the default) drop a child of a local unsampled parent, and traceidratio decides a
// child as it decided its parent (the same trace id); so instead of starting one, the
// service's own spans (operation, root field, loader batch, statement) are left out: the
// context, its trace id included, stays the parent's. A context with no span (a root) or only
// a caller's (remote) span context still starts its span, which the sampler decides.
func unrecordedParent(ctx context.Context) bool {
	span := trace.SpanFromContext(ctx)
	sc := span.SpanContext()
	return sc.IsValid() && !sc.IsRemote() && !sc.IsSampled() && !span.IsRecording()
}

func maskLiterals(q string) string { return apperr.RedactSQL(q) }

// fromWord is the index of the first FROM keyword of t standing as a word, 0 when none.
func fromWord(t string) int {
	for i := 1; i+5 <= len(t); i++ {
		if isSpace(t[i-1]) && strings.EqualFold(t[i:i+4], "FROM") && isSpace(t[i+4]) {
			return i
		}
	}
	return 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// statements caches statementText: the service runs a fixed set of statement texts (keys are
// one array parameter), so each is shortened and masked once. The plugin then runs its own
// regular expressions over the short text only.
var (
	statements     sync.Map // raw text → span text
	statementCount atomic.Int64
)

// maxStatements bounds the cache should statement texts ever vary.
const maxStatements = 1000

// statementText is what a statement span records as db.query.text: the statement with its
// quoted literals masked and a SELECT's column list elided ("SELECT … FROM account.job WHERE
// code = ANY($1)"): gorm names every column of the model, which says nothing in a trace.
func statementText(q string) string {
	if t, ok := statements.Load(q); ok {
		return t.(string)
	}
	t := strings.TrimSpace(maskLiterals(q))
	if len(t) > 7 && strings.EqualFold(t[:6], "SELECT") {
		if i := fromWord(t); i > 0 {
			t = "SELECT … " + t[i:]
		}
	}
	if statementCount.Load() < maxStatements {
		if _, loaded := statements.LoadOrStore(q, t); !loaded {
			statementCount.Add(1)
		}
	}
	return t
}

func maskMessage(m string) string { return apperr.Redact(m) }

// masking hands out spans whose recorded errors and status descriptions are masked, since a
// driver error may quote a statement's argument.
type masking struct{ trace.TracerProvider }

func (p masking) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return maskingTracer{p.TracerProvider.Tracer(name, opts...)}
}

type maskingTracer struct{ trace.Tracer }

func (t maskingTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	ctx, span := t.Tracer.Start(ctx, name, opts...)
	s := maskingSpan{span}
	return trace.ContextWithSpan(ctx, s), s
}

type maskingSpan struct{ trace.Span }

func (s maskingSpan) RecordError(err error, opts ...trace.EventOption) {
	s.Span.RecordError(maskedError{err}, opts...)
}

func (s maskingSpan) SetStatus(code codes.Code, description string) {
	s.Span.SetStatus(code, maskMessage(description))
}

type maskedError struct{ err error }

func (e maskedError) Error() string { return maskMessage(e.err.Error()) }
func (e maskedError) Unwrap() error { return e.err }
