package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"createinfo/tools/dbtest"
	"createinfo/tools/demo"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// TestMigratesOnceThenNothing: on a database holding only the bank's schema, migrate applies
// every migration of the service and says so; run again, it applies none. Without
// DATABASE_URL it refuses.
func TestMigratesOnceThenNothing(t *testing.T) {
	ctx := context.Background()
	admin := dbtest.SQL(t, dbtest.URL(t))
	name := "createinfo_migrate_test"
	admin.Exec(`DROP DATABASE IF EXISTS ` + name)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	u, err := url.Parse(os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	if err := demo.CreateSchema(ctx, dbtest.SQL(t, u.String())); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", u.String())

	migrations, err := os.ReadDir("../../internal/database/migrations")
	if err != nil {
		t.Fatal(err)
	}
	last := migrations[len(migrations)-1].Name()
	version := strings.TrimLeft(last[:strings.IndexByte(last, '_')], "0")
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	if err := run(ctx, log); err != nil {
		t.Fatal(err)
	}
	if want := "msg=\"audit schema migrated\" applied=" + strconv.Itoa(len(migrations)) + " version=" + version; !strings.Contains(buf.String(), want) {
		t.Errorf("first run logged %q, want %q", buf.String(), want)
	}
	buf.Reset()
	if err := run(ctx, log); err != nil {
		t.Fatal(err)
	}
	if want := "msg=\"audit schema already up to date\" version=" + version; !strings.Contains(buf.String(), want) {
		t.Errorf("second run logged %q, want %q", buf.String(), want)
	}

	t.Setenv("DATABASE_URL", "")
	if err := run(ctx, log); err == nil || !strings.Contains(err.Error(), "DATABASE_URL is not set") {
		t.Errorf("without DATABASE_URL: %v", err)
	}
}
