package legacy_test

import (
	"os"
	"testing"

	"createinfo/database/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }
