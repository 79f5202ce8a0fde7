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
