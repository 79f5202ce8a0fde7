package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"createinfo/internal/legacy"
	"createinfo/tools/dbtest"
	"createinfo/tools/servertest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// The floor is only a fair yardstick if it builds the very body the service serves.
func TestFloorBuildsTheSameBody(t *testing.T) {
	env := servertest.New(t)
	pool, err := pgxpool.New(context.Background(), env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, phone := range []string{"0988123456", "0912345678", "0999999999"} {
		_, served := env.Post(t, legacy.Path, "application/json", `{"phone": "`+phone+`"}`)
		floor, err := FloorQuery(context.Background(), pool, phone)
		if err != nil {
			t.Fatalf("floor: %v", err)
		}
		// Two bodies that do not parse must not pass as equal: decode each, or fail.
		a, err := decodeSuccess(served)
		if err != nil {
			t.Fatalf("%s: service body: %v: %s", phone, err, served)
		}
		b, err := decodeSuccess([]byte(floor))
		if err != nil {
			t.Fatalf("%s: floor body: %v: %s", phone, err, floor)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: floor differs from the service:\nservice %s\nfloor   %s", phone, served, floor)
		}
	}
}

func TestResponseFailure(t *testing.T) {
	cases := []struct {
		body string
		ok   bool
	}{
		{`{"success":true,"data":[]}`, true},
		{`{"data":[{"seqNo":"x"}],"success":true}`, true},
		{`{"data":{"applications":[]}}`, true},
		{``, false},
		{`{"success":true,"data":[`, false},
		{`<html>`, false},
		{`{"success":false,"error":{"errorCode":"TIMEOUT"}}`, false},
		{`{"errors":[{"message":"x"}],"data":null}`, false},
		{`{"data":null}`, false},
		{`[]`, false},
	}
	for _, c := range cases {
		if why := failure([]byte(c.body)); (why == "") != c.ok {
			t.Errorf("failure(%q) = %q, want ok=%v", c.body, why, c.ok)
		}
	}
}

// decodeSuccess decodes a successful body for comparison, or says why it is not one.
func decodeSuccess(body []byte) (any, error) {
	if why := failure(body); why != "" {
		return nil, fmt.Errorf("%s", why)
	}
	var v any
	err := json.Unmarshal(body, &v)
	return v, err
}
