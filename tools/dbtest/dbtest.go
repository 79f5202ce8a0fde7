// Package dbtest gives each test its own fresh PostgreSQL database, migrated and loaded with
// the demo dataset, cloned from a template made once per test binary. It needs DATABASE_URL
// to point at a server where it may create databases (`make test` starts one).
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"createinfo/internal/database"
	"createinfo/tools/demo"
)

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// Run runs the package's tests and drops the template afterwards: call it from TestMain.
func Run(m *testing.M) int {
	code := m.Run()
	if templateName != "" {
		if admin, err := adminDB(); err == nil {
			admin.Exec("DROP DATABASE IF EXISTS " + templateName + " WITH (FORCE)")
			admin.Close()
		}
	}
	return code
}

// URL returns the connection string of a new database holding the schema and the demo data,
// dropped when the test ends. Under -short it skips the test: `go test -short ./...` is the
// unit tests, without PostgreSQL.
func URL(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs PostgreSQL (a database per test): not under -short")
	}
	templateOnce.Do(func() { templateName, templateErr = makeTemplate() })
	if templateErr != nil {
		t.Fatalf("dbtest: template: %v", templateErr)
	}
	admin, err := adminDB()
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	name := "createinfo_test_" + randomSuffix()
	if _, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + templateName); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := adminDB()
		if err != nil {
			t.Errorf("dbtest: %v", err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("dbtest: drop database: %v", err)
		}
	})
	return withDatabase(os.Getenv("DATABASE_URL"), name)
}

// Open returns a gorm handle on a new database (see URL), closed when the test ends.
func Open(t testing.TB, o database.Options) *gorm.DB {
	t.Helper()
	return OpenURL(t, URL(t), o)
}

// OpenURL is Open on a database made by URL.
func OpenURL(t testing.TB, url string, o database.Options) *gorm.DB {
	t.Helper()
	db, err := database.Open(context.Background(), url, o)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	sqlDB, _ := db.DB()
	t.Cleanup(func() { sqlDB.Close() })
	return db
}

// SQL returns a database/sql handle on url (a database made by URL), closed when the test ends.
func SQL(t testing.TB, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// DefaultOptions are pool options fit for a test.
func DefaultOptions() database.Options {
	return database.Options{MaxOpenConns: 8, MaxIdleConns: 8, ConnMaxLifetime: time.Minute, StatementTimeout: 10 * time.Second}
}

func makeTemplate() (string, error) {
	admin, err := adminDB()
	if err != nil {
		return "", err
	}
	defer admin.Close()
	name := "createinfo_tmpl_" + randomSuffix()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	db, err := sql.Open("pgx", withDatabase(os.Getenv("DATABASE_URL"), name))
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx := context.Background()
	if err := demo.Prepare(ctx, db); err != nil {
		return "", err
	}
	return name, nil
}

func adminDB() (*sql.DB, error) {
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		return nil, fmt.Errorf("DATABASE_URL is not set: run the tests with `make test`, which starts a PostgreSQL")
	}
	return sql.Open("pgx", u)
}

// withDatabase returns u with its database name replaced.
func withDatabase(u, name string) string {
	parsed, err := url.Parse(u)
	if err != nil || parsed.Scheme == "" {
		return u + " dbname=" + name // keyword/value form
	}
	parsed.Path = "/" + name
	return parsed.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
