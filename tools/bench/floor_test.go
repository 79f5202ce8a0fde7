package bench

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"createinfo/internal/legacy"
	"createinfo/internal/server/servertest"
	"createinfo/tools/dbtest"
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
		var a, b any
		json.Unmarshal(served, &a)
		json.Unmarshal([]byte(floor), &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: floor differs from the service:\nservice %s\nfloor   %s", phone, served, floor)
		}
	}
}
