package legacy_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"createinfo/internal/legacy"
	"createinfo/tools/servertest"
)

// FuzzGetCreateInfo sends arbitrary bodies to the endpoint over real HTTP against the demo
// database. Whatever the body, the endpoint must not panic, must not answer 5xx (every input
// here is the client's), and must answer one of the two envelopes. `make test` runs it briefly;
// `make fuzz` runs it longer.
func FuzzGetCreateInfo(f *testing.F) {
	for _, seed := range []string{
		`{"idno": "A1234568789", "phone": "0988123456", "seqNo": "0A80d1d572650511ea8a30acde48001122"}`,
		`{"phone": "+886 988-123-456"}`,
		`{"idno": "n123456789"}`,
		`{"seqNo": null, "idno": ""}`,
		`{"phone": 988123456}`,
		`[]`, `null`, `"x"`, `{`, ``, `{"seqNo": "\u0000"}`, `{"idno": "A123456789", "idno": 1}`,
	} {
		f.Add(seed)
	}
	env := servertest.New(f)
	known := map[string]bool{"INVALID_REQUEST": true, "MISSING_QUERY_CONDITION": true, "INVALID_IDNO": true,
		"INVALID_PHONE": true, "INVALID_SEQNO": true, "TOO_MANY_RESULTS": true, "PAYLOAD_TOO_LARGE": true}
	f.Fuzz(func(t *testing.T, body string) {
		resp, err := http.Post(env.URL+legacy.Path, "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%q: %d %s", body, resp.StatusCode, raw)
		}
		var env struct {
			Success *bool
			Data    []json.RawMessage
			Error   *struct{ ErrorCode, ErrorMessage string }
		}
		if err := json.Unmarshal(raw, &env); err != nil || env.Success == nil {
			t.Fatalf("%q: not an envelope: %s", body, raw)
		}
		switch {
		case *env.Success && resp.StatusCode == 200 && env.Data != nil && env.Error == nil:
		case !*env.Success && resp.StatusCode >= 400 && env.Error != nil && known[env.Error.ErrorCode] && env.Error.ErrorMessage != "":
		default:
			t.Fatalf("%q: %d %s", body, resp.StatusCode, raw)
		}
	})
}
