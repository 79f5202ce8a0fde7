package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"createinfo/graph"
	"createinfo/internal/console"
	"createinfo/internal/legacy"
	"createinfo/internal/metrics"
	"createinfo/internal/server"
	"createinfo/internal/tracing"
	"createinfo/tools/servertest"
)

// TestSpanTreeOfLegacyLookup records one legacy lookup with the SDK's in-memory exporter and
// checks its tree: the server span at the root, the GraphQL operation under it, the lookup
// resolver and the audit write under that, every SQL statement under the resolver or one of
// the loader batches beneath it, one SQL span per statement the request ran; no attribute,
// event or status holds a phone, ID number, name or seqNo; and the trace id is in the
// request's log line and its audit row.
func TestSpanTreeOfLegacyLookup(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	env := servertest.New(t, func(o *server.Options) {
		o.Tracer = tp
		if err := tracing.InstrumentDB(o.DB, tp); err != nil {
			t.Fatal(err)
		}
	})
	resp, body := env.Post(t, legacy.Path, "application/json", `{"phone":"0988123456"}`)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"success":true`) {
		t.Fatalf("lookup: %d %s", resp.StatusCode, body)
	}
	statements := env.LastStatements()
	tp.ForceFlush(t.Context())
	spans := exp.GetSpans()

	byID := map[trace.SpanID]tracetest.SpanStub{}
	for _, s := range spans {
		byID[s.SpanContext.SpanID()] = s
	}
	one := func(name string) tracetest.SpanStub {
		t.Helper()
		var found []tracetest.SpanStub
		for _, s := range spans {
			if s.Name == name {
				found = append(found, s)
			}
		}
		if len(found) != 1 {
			t.Fatalf("%d spans named %q; spans: %v", len(found), name, names(spans))
		}
		return found[0]
	}
	root := one("POST " + legacy.Path)
	op := one("graphql.query GetCreateInfo")
	resolver := one("graphql.resolve Query.applications")
	auditSpan := one("audit.write")
	if root.SpanKind != trace.SpanKindServer || root.Parent.IsValid() {
		t.Errorf("root: kind %v, parent %v", root.SpanKind, root.Parent)
	}
	parent := func(s tracetest.SpanStub) trace.SpanID { return s.Parent.SpanID() }
	if parent(op) != root.SpanContext.SpanID() || parent(resolver) != op.SpanContext.SpanID() ||
		parent(auditSpan) != op.SpanContext.SpanID() {
		t.Errorf("tree: operation under %v (root %v), resolver under %v, audit under %v (operation %v)",
			parent(op), root.SpanContext.SpanID(), parent(resolver), parent(auditSpan), op.SpanContext.SpanID())
	}
	// underResolver reports whether s descends from the resolver through loader batches only.
	underResolver := func(s tracetest.SpanStub) bool {
		for p, ok := byID[parent(s)]; ok; p, ok = byID[parent(p)] {
			if p.SpanContext.SpanID() == resolver.SpanContext.SpanID() {
				return true
			}
			if !strings.HasPrefix(p.Name, "loader ") {
				return false
			}
		}
		return false
	}
	var sql, loaders int
	for _, s := range spans {
		if s.SpanContext.TraceID() != root.SpanContext.TraceID() {
			t.Errorf("span %q in another trace", s.Name)
		}
		switch {
		case hasAttr(s, "db.system.name"):
			sql++
			if !underResolver(s) {
				t.Errorf("SQL span %q is not under the resolver", s.Name)
			}
			if q := attr(s, "db.query.text"); strings.Contains(q, "'") {
				t.Errorf("statement text with a literal: %s", q)
			}
		case strings.HasPrefix(s.Name, "loader "):
			loaders++
			if !underResolver(s) {
				t.Errorf("loader span %q is not under the resolver", s.Name)
			}
		}
	}
	if int64(sql) != statements || sql != 14 { // TestNoNPlusOne's count of the full tree
		t.Errorf("%d SQL spans for %d statements", sql, statements)
	}
	if loaders != 13 { // one per statement below the root lookup
		t.Errorf("%d loader spans: %v", loaders, names(spans))
	}
	first := one("select create_master")
	if parent(first) != resolver.SpanContext.SpanID() || !strings.Contains(attr(first, "db.query.text"), "$1") {
		t.Errorf("the lookup's statement: parent %v, text %q", parent(first), attr(first, "db.query.text"))
	}
	for _, s := range spans {
		var all []string
		for _, a := range s.Attributes {
			all = append(all, a.Value.Emit())
		}
		for _, e := range s.Events {
			all = append(all, e.Name)
			for _, a := range e.Attributes {
				all = append(all, a.Value.Emit())
			}
		}
		all = append(all, s.Name, s.Status.Description)
		text := strings.Join(all, " ")
		for _, secret := range []string{"0988123456", "N123456789", "A123456789", "王小明", "0A80d1d572650511ea8a30acde48001122", "DEMO-APP"} {
			if strings.Contains(text, secret) {
				t.Errorf("span %q holds %q: %s", s.Name, secret, text)
			}
		}
	}

	traceID := root.SpanContext.TraceID().String()
	if !strings.Contains(env.Logs(), "trace_id="+traceID) {
		t.Errorf("request log line without trace id %s:\n%s", traceID, env.Logs())
	}
	if got := auditTraceIDs(t, env); len(got) != 1 || got[0] != traceID {
		t.Errorf("audit row trace ids %v, want [%s]", got, traceID)
	}
}

// TestTraceContinuesCallersTrace: a caller's traceparent makes the request part of its trace,
// and that trace id is what the audit row records.
func TestTraceContinuesCallersTrace(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	env := servertest.New(t, func(o *server.Options) { o.Tracer = tp })
	const caller = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, _ := http.NewRequest("POST", env.URL+legacy.Path, strings.NewReader(`{"seqNo":"DEMO-APP-A-01"}`))
	req.Header.Set("traceparent", "00-"+caller+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("lookup: %d", resp.StatusCode)
	}
	for _, s := range exp.GetSpans() {
		if s.SpanContext.TraceID().String() != caller {
			t.Errorf("span %q not in the caller's trace", s.Name)
		}
	}
	if got := auditTraceIDs(t, env); len(got) != 1 || got[0] != caller {
		t.Errorf("audit row trace ids %v, want [%s]", got, caller)
	}
}

func auditTraceIDs(t *testing.T, env *servertest.Env) []string {
	t.Helper()
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT coalesce(trace_id, '') FROM audit.lookup ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

func names(spans tracetest.SpanStubs) []string {
	var n []string
	for _, s := range spans {
		n = append(n, s.Name)
	}
	return n
}

func attr(s tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if a.Key == attribute.Key(key) {
			return a.Value.Emit()
		}
	}
	return ""
}

func hasAttr(s tracetest.SpanStub, key string) bool {
	for _, a := range s.Attributes {
		if a.Key == attribute.Key(key) {
			return true
		}
	}
	return false
}

// BenchmarkLegacyLookupObservability measures one legacy lookup in process, with nothing,
// metrics, metrics plus tracing as the server sets it up with the exporter none
// (tracing.Setup: spans made, not recorded), and metrics plus recorded spans (what an
// exporter adds to, its export not counted): go test -bench Observability -run '^$'
// ./internal/server/ (docs/BENCHMARKS.md has the figures under load).
func BenchmarkLegacyLookupObservability(b *testing.B) {
	for _, v := range []struct {
		name             string
		metrics, tracing bool
		recorded         bool
	}{{"off", false, false, false}, {"metrics", true, false, false}, {"metrics+tracing", true, true, false},
		{"metrics+tracing-recorded", true, true, true}} {
		b.Run(v.name, func(b *testing.B) {
			env := observedEnv(b, v.metrics, v.tracing, v.recorded)
			benchPost(b, env.URL+legacy.Path, []byte(`{"phone":"0988123456"}`))
		})
	}
}

// BenchmarkLookupShapes measures one lookup of phone 0988123456 in process, with metrics and
// tracing as the server sets them up (exporter none): the legacy endpoint; its document sent
// in full to /graphql (the bench's (b): the same executor and document, so the difference is
// the GraphQL transport's cost); the console's screen document in full; and the screen named
// by hash, as the console and the bench's (c) send it: go test -bench Shapes -run '^$'
// ./internal/server/ (docs/BENCHMARKS.md, issue 19, E3 and E6).
func BenchmarkLookupShapes(b *testing.B) {
	graphQL := func(doc string, ext map[string]any) []byte {
		body := map[string]any{"variables": map[string]string{"phone": "0988123456"}}
		if ext != nil {
			body["extensions"] = ext
		} else {
			body["query"] = doc
		}
		out, _ := json.Marshal(body)
		return out
	}
	byHash := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": graph.HashDocument(console.LookupDocument())}}
	for _, v := range []struct {
		name, path string
		body       []byte
	}{{"legacy", legacy.Path, []byte(`{"phone":"0988123456"}`)},
		{"graphql-full-tree", "/graphql", graphQL(legacy.Document(), nil)},
		{"screen", "/graphql", graphQL(console.LookupDocument(), nil)},
		{"screen-by-hash", "/graphql", graphQL("", byHash)}} {
		b.Run(v.name, func(b *testing.B) {
			env := observedEnv(b, true, true, false)
			benchPost(b, env.URL+v.path, v.body)
		})
	}
}

// observedEnv starts the service with metrics, tracing (the exporter none unless recorded:
// the SDK's provider, spans recorded, exported nowhere) and cached code tables.
func observedEnv(b *testing.B, withMetrics, withTracing, recorded bool) *servertest.Env {
	return servertest.New(b, func(o *server.Options) {
		o.CodeCacheTTL = time.Minute
		if withMetrics {
			o.Metrics = metrics.New()
		}
		if withTracing {
			var tp trace.TracerProvider = sdktrace.NewTracerProvider()
			if !recorded {
				b.Setenv("OTEL_TRACES_EXPORTER", "none")
				p, shutdown, err := tracing.Setup(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { shutdown(context.Background()) })
				tp = p
			}
			o.Tracer = tp
			if err := tracing.InstrumentDB(o.DB, tp); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchPost posts body to url b.N times, checking the first answer is a 200.
func benchPost(b *testing.B, url string, body []byte) {
	b.ReportAllocs()
	b.ResetTimer()
	first := true
	for b.Loop() {
		resp, err := http.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		if first {
			first = false
			if out, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || bytes.Contains(out, []byte(`"errors"`)) {
				b.Fatalf("%d %.300s", resp.StatusCode, out)
			}
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// TestPersonalOperationNameNotTraced: an operation named with an ID number or phone, separators
// or not, names neither the span nor its graphql.operation.name attribute, exactly as the
// audit row leaves its operation empty; an ordinary name is kept in all three.
func TestPersonalOperationNameNotTraced(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	env := servertest.New(t, func(o *server.Options) { o.Tracer = tp })
	names := []string{"A123456789", "N_123_456_789", "phone_0988_123_456", "Q"}
	for _, name := range names {
		env.Post(t, "/graphql", "application/json", `{"query":"query `+name+` { __typename }"}`)
	}
	tp.ForceFlush(t.Context())
	var ops []string
	for _, s := range exp.GetSpans() {
		if strings.HasPrefix(s.Name, "graphql.query") {
			ops = append(ops, s.Name+"|"+attr(s, "graphql.operation.name"))
		}
	}
	if want := "graphql.query| graphql.query| graphql.query| graphql.query Q|Q"; strings.Join(ops, " ") != want {
		t.Errorf("operation spans %q, want %q", strings.Join(ops, " "), want)
	}
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.QueryRow(`SELECT string_agg(operation, ',' ORDER BY id) FROM audit.lookup`).Scan(&got); err != nil || got != ",,,Q" {
		t.Errorf("audit operations %q (%v), want \",,,Q\"", got, err)
	}
}

// startsSampler drops every span, as tracing.Setup's sampler does with the exporter none, and
// names each span the SDK was asked to start: a span skipped before the SDK is never asked.
type startsSampler struct {
	mu    sync.Mutex
	names []string
}

func (s *startsSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	s.mu.Lock()
	s.names = append(s.names, p.Name)
	s.mu.Unlock()
	return sdktrace.SamplingResult{Decision: sdktrace.Drop, Tracestate: trace.SpanContextFromContext(p.ParentContext).TraceState()}
}

func (*startsSampler) Description() string { return "startsSampler" }

func (s *startsSampler) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.names
	s.names = nil
	return n
}

// TestUnrecordedSpansStartNoChildren: when the server span records nothing, a full-tree
// lookup (legacy or GraphQL) asks the SDK for the server span and the audit write's span
// (internal/audit starts its own) and nothing else: no operation, root field, loader batch
// or statement span, though the lookup runs 14 statements through the store and gorm's
// plugin is on. The request keeps its trace id (a caller's, when it sends a traceparent,
// sampled flag or not) in its log line and its audit row.
func TestUnrecordedSpansStartNoChildren(t *testing.T) {
	s := &startsSampler{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(s))
	env := servertest.New(t, func(o *server.Options) {
		o.Tracer = tp
		if err := tracing.InstrumentDB(o.DB, tp); err != nil {
			t.Fatal(err)
		}
	})
	const caller = "4bf92f3577b34da6a3ce929d0e0e4736"
	var want []string
	for i, c := range []struct{ path, body, traceparent string }{
		{legacy.Path, `{"phone":"0988123456"}`, ""},
		{"/graphql", `{"query":` + strconv.Quote(legacy.Document()) + `,"variables":{"phone":"0988123456"}}`, ""},
		{legacy.Path, `{"phone":"0988123456"}`, "00-" + caller + "-00f067aa0ba902b7-01"},
		{legacy.Path, `{"phone":"0988123456"}`, "00-" + caller + "-00f067aa0ba902b7-00"},
	} {
		resp, body := servertest.Do(t, http.MethodPost, env.URL+c.path, c.body, map[string]string{"traceparent": c.traceparent})
		if resp.StatusCode != 200 || bytes.Contains(body, []byte(`"errors"`)) {
			t.Fatalf("lookup %d: %d %.300s", i, resp.StatusCode, body)
		}
		if n := env.LastStatements(); n != 14 { // TestNoNPlusOne's count of the full tree
			t.Errorf("lookup %d ran %d statements, want 14", i, n)
		}
		if got, want := s.take(), []string{"POST " + c.path, "audit.write"}; !slices.Equal(got, want) {
			t.Errorf("lookup %d: spans started %q, want %q", i, got, want)
		}
		if c.traceparent != "" {
			want = append(want, caller)
		}
	}
	ids := auditTraceIDs(t, env)
	if len(ids) != 4 || ids[0] == "" || ids[1] == "" || ids[0] == ids[1] || !slices.Equal(ids[2:], want) {
		t.Fatalf("audit row trace ids %q, want two of their own, then the caller's twice", ids)
	}
	for _, id := range ids {
		if !strings.Contains(env.Logs(), "trace_id="+id) {
			t.Errorf("no request log line with trace id %s", id)
		}
	}
}
