package legacy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"createinfo/internal/legacy"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

const sampleSeqNo = "0A80d1d572650511ea8a30acde48001122"

// decode reads JSON keeping numbers as json.Number, so that 94 and "94" stay different.
func decode(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// diff lists the paths where got and want differ, values and JSON types both.
func diff(path string, got, want any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %T %v, want an object", path, got, got)}
		}
		var out []string
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !gok:
				out = append(out, path+"."+k+": missing")
			case !wok:
				out = append(out, path+"."+k+": not in the contract")
			default:
				out = append(out, diff(path+"."+k, gv, wv)...)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: got %v, want %d elements", path, got, len(w))}
		}
		var out []string
		for i := range w {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), g[i], w[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(got, want) {
			return []string{fmt.Sprintf("%s: got %T %v, want %T %v", path, got, got, want, want)}
		}
		return nil
	}
}

// TestGoldenSampleWhateverTheHostZone: the legacy body is the same on a host set to any zone.
func TestGoldenSampleWhateverTheHostZone(t *testing.T) {
	dbtest.RerunInZones(t, "^TestGoldenSample$", "Asia/Taipei", "UTC", "America/New_York")
}

func TestGoldenSample(t *testing.T) {
	env := servertest.New(t)
	resp, body := env.Post(t, legacy.Path, "application/json",
		`{"idno": "", "phone": null, "seqNo": "`+sampleSeqNo+`"}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("status %d, content type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	golden, err := os.ReadFile("testdata/sample.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diff("$", decode(t, body), decode(t, golden)) {
		t.Error(d)
	}
	validate(t, body)
}

func TestEveryKeyOfEveryLevel(t *testing.T) {
	env := servertest.New(t)
	for _, req := range []string{`{"phone": "0988123456"}`, `{"idno": "N123456789"}`, `{"phone": "0999999999"}`} {
		resp, body := env.Post(t, legacy.Path, "application/json", req)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", req, resp.StatusCode, body)
		}
		validate(t, body)
	}
	// A phone lookup returns every application on the phone, each with its own abnormalPid and
	// psd null in every create detail.
	_, body := env.Post(t, legacy.Path, "application/json", `{"phone": "0988123456"}`)
	var got struct {
		Data []struct {
			SeqNo         string
			AbnormalPid   []string
			CreateDetails []map[string]json.RawMessage
		}
	}
	json.Unmarshal(body, &got)
	if len(got.Data) != 4 {
		t.Fatalf("%d applications", len(got.Data))
	}
	for _, a := range got.Data {
		if !reflect.DeepEqual(a.AbnormalPid, []string{"A123456789", "B123456789", "C123456789"}) {
			t.Errorf("%s: abnormalPid %v", a.SeqNo, a.AbnormalPid)
		}
		for _, d := range a.CreateDetails {
			if psd, ok := d["psd"]; !ok || string(psd) != "null" {
				t.Errorf("%s: psd = %s", a.SeqNo, psd)
			}
		}
	}
	if bytes.Contains(body, []byte("ENCRYPTED")) {
		t.Errorf("the stored encrypted password leaked into the body")
	}
}

// validate checks a success body against docs/openapi.yaml: every key present, none extra,
// each of its contract type.
func validate(t *testing.T, body []byte) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatalf("openapi: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi: invalid document: %v", err)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["Success"].Value
	if err := schema.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		t.Errorf("body does not match docs/openapi.yaml: %v", err)
	}
}
