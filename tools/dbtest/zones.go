package dbtest

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// zoneRerunEnv marks a test binary that RerunInZones started.
const zoneRerunEnv = "CREATEINFO_ZONE_RERUN"

// RerunInZones runs the tests of the current package that match the -run pattern run again,
// once per host time zone (TZ), each in a child test binary of its own, and fails when one of
// them fails: for behaviour that must not depend on the machine's zone (pgx scans
// timestamptz into the host's local zone). In a child it does nothing.
func RerunInZones(t *testing.T, run string, zones ...string) {
	t.Helper()
	if os.Getenv(zoneRerunEnv) != "" {
		t.Skip("a zone rerun: runs only the tests it was asked for")
	}
	for _, tz := range zones {
		cmd := exec.Command(os.Args[0], "-test.run", run, "-test.count", "1", "-test.short="+strconv.FormatBool(testing.Short()))
		cmd.Env = append(os.Environ(), "TZ="+tz, zoneRerunEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("TZ=%s: %s: %v\n%s", tz, run, err, out)
		}
	}
}
