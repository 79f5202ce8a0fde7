package legacy_test

import (
	"os"
	"testing"

	"createinfo/tools/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }
