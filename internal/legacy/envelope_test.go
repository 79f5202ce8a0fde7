package legacy

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestEnvelopeAddsPsdToCreateDetailsOnly(t *testing.T) {
	data := `{"applications":[` +
		`{"seqNo":"a\"}{[","createDetails":[{"userID":"u,1","industry":{"code":"1","name":"}"}},{}],"documentResends":[{"createDetails":"x"}],"abnormalPid":[]},` +
		`{"seqNo":"b","createDetails":[],"manualReviewFlag":null}]}`
	got, err := envelope([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	var body any
	if err := json.Unmarshal(got, &body); err != nil {
		t.Fatalf("invalid JSON %s: %v", got, err)
	}
	want := map[string]any{"success": true, "data": []any{
		map[string]any{"seqNo": "a\"}{[", "createDetails": []any{
			map[string]any{"userID": "u,1", "industry": map[string]any{"code": "1", "name": "}"}, "psd": nil},
			map[string]any{"psd": nil},
		}, "documentResends": []any{map[string]any{"createDetails": "x"}}, "abnormalPid": []any{}},
		map[string]any{"seqNo": "b", "createDetails": []any{}, "manualReviewFlag": nil},
	}}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("got %s", got)
	}
	if _, err := envelope([]byte(`{"other":1}`)); err == nil {
		t.Errorf("unexpected data accepted")
	}
}

// FuzzEnvelope checks the one-pass rewriter against a decode/encode reference. Any input must
// leave it without a panic. An input that is a JSON value for "applications" is first brought
// to the executor's form (compact, unique keys: json.Marshal of its decoding); the rewriter's
// output must then decode to what the reference builds by decoding, adding psd: null to every
// object of applications[].createDetails[], and wrapping in the success envelope.
func FuzzEnvelope(f *testing.F) {
	for _, seed := range []string{
		`[]`, `null`, `[{}]`, `[{"createDetails":[]}]`, `[{"createDetails":[{},{}]}]`,
		`[{"seqNo":"a\"}{[","createDetails":[{"userID":"u,1","industry":{"code":"1","name":"}"}},{}],"documentResends":[{"createDetails":"x"}],"abnormalPid":[]}]`,
		`[{"createDetails":[{"psd":"secret","x":[{"createDetails":[{}]}]}]},{"createDetails":null}]`,
		`[{"createDetails":[{"a":"\\","b":"\\\"","c":"\u2028{"}]},[{"createDetails":[{}]}]]`,
		`[{"k":"createDetails","createDetails":[{"n":1e3,"t":true,"f":false}]}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, apps []byte) {
		raw := append(append([]byte(`{"applications":`), apps...), '}')
		envelope(raw) // whatever the bytes: an error or a body, never a panic

		var decoded any
		if err := json.Unmarshal(apps, &decoded); err != nil {
			return
		}
		list, isList := decoded.([]any)
		if !isList && decoded != nil {
			return // the executor's applications are a list (or null)
		}
		canonical, err := json.Marshal(map[string]any{"applications": decoded})
		if err != nil {
			t.Fatal(err)
		}
		got, err := envelope(canonical)
		if err != nil {
			t.Fatalf("envelope(%s): %v", canonical, err)
		}
		var body any
		if err := json.Unmarshal(got, &body); err != nil {
			t.Fatalf("envelope(%s) = %s: not JSON: %v", canonical, got, err)
		}
		var data any
		if isList {
			for _, app := range list {
				a, ok := app.(map[string]any)
				if !ok {
					continue
				}
				details, _ := a["createDetails"].([]any)
				for _, d := range details {
					if d, ok := d.(map[string]any); ok {
						d["psd"] = nil
					}
				}
			}
			data = list
		}
		want := map[string]any{"success": true, "data": data}
		if !reflect.DeepEqual(body, want) {
			w, _ := json.Marshal(want)
			t.Errorf("envelope(%s)\n got %s\nwant %s", canonical, got, w)
		}
	})
}
