package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"createinfo/internal/audit"
	"createinfo/internal/config"
	"createinfo/tools/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// stdout runs f and returns what it printed.
func stdout(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	err = f()
	os.Stdout = saved
	w.Close()
	out, _ := io.ReadAll(r)
	return string(out), err
}

// TestVerifiesAndCatchesAnEdit: the command reports an intact trail with its row count and
// checkpoint, and fails, naming the row, once a row is edited behind the trigger.
func TestVerifiesAndCatchesAnEdit(t *testing.T) {
	url := dbtest.URL(t)
	t.Setenv("DATABASE_URL", url)
	db := dbtest.SQL(t, url)
	ctx := context.Background()
	key := []byte(config.DevelopmentChainKey) // what the command reads outside production
	w := audit.NewWriter(db, audit.Options{HMACKey: key, ChainKey: key})
	w.Start()
	t.Cleanup(w.Close)
	for _, id := range []string{"r1", "r2", "r3"} {
		if err := w.Write(ctx, &audit.Record{RequestID: id, Way: "legacy"}, "OK"); err != nil {
			t.Fatal(err)
		}
	}
	cp := audit.Checkpoint{ID: 3}
	if err := db.QueryRow(`SELECT hash FROM audit.lookup WHERE id = 3`).Scan(&cp.MAC); err != nil {
		t.Fatal(err)
	}
	out, err := stdout(t, func() error { return run(ctx, cp.Sign(key), 0) })
	if err != nil || out != "audit chain intact: 3 rows (0 before the keyed chain), last id 3, checkpoint 3 present\n" {
		t.Fatalf("intact trail: %q %v", out, err)
	}
	if err := run(ctx, audit.Checkpoint{ID: 3, MAC: cp.MAC}.Sign([]byte("another key of 32 characters....")), 0); err == nil {
		t.Error("a checkpoint signed with another key was accepted")
	}
	for _, q := range []string{
		`SET default_transaction_read_only = off; ALTER TABLE audit.lookup DISABLE TRIGGER lookup_append_only`,
		`SET default_transaction_read_only = off; UPDATE audit.lookup SET outcome = 'INVALID_PHONE' WHERE id = 2`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out, err = stdout(t, func() error { return run(ctx, "", 0) })
	if err == nil || err.Error() != "audit chain broken: 1 breaks in 3 rows" {
		t.Errorf("edited trail: %v", err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "break: ") || !strings.Contains(lines[0], "row 2") {
		t.Errorf("edited trail: want one break naming row 2, got %q", out)
	}
}
