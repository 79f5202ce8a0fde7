package graph

import (
	"os"
	"strings"
	"testing"
)

// TestNonRootFieldsAreSequential guards what tools/cmd/gqlgen does to the generated executor:
// below the root, fields resolve in their parent's goroutine (their values are primed before
// they run). A gqlgen upgrade that stops honouring the plugin would bring back a goroutine per
// resolver field, and with it about a fifth of the CPU of a full tree (docs/BENCHMARKS.md).
func TestNonRootFieldsAreSequential(t *testing.T) {
	src, err := os.ReadFile("generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(src), ".ResolveConcurrently("); n != 0 {
		t.Errorf("generated.go resolves the fields of %d places concurrently; run `make generate` through tools/cmd/gqlgen", n)
	}
	if !strings.Contains(string(src), ".ResolveRootConcurrently(") {
		t.Errorf("the root's fields are no longer resolved concurrently: generated.go changed shape")
	}
}
