package cli

import (
	"bytes"
	"flag"
	"strings"
	"testing"
)

// TestParse: help goes to stdout once and stops with 0, a bad flag goes to stderr with the
// usage and stops with 2, -version stops with 0, and ordinary flags let the command run.
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args           []string
		code           int
		stop           bool
		stdout, stderr string // prefixes; "" means empty
	}{
		{[]string{"-h"}, 0, true, "usage: demo\n\nFlags:\n", ""},
		{[]string{"--help"}, 0, true, "usage: demo\n\nFlags:\n", ""},
		{[]string{"-bogus"}, 2, true, "", "flag provided but not defined: -bogus\nusage: demo\n"},
		{[]string{"-n", "x"}, 2, true, "", "invalid value \"x\" for flag -n"},
		{[]string{"-version"}, 0, true, "demo ", ""},
		{[]string{"-n", "3", "arg"}, 0, false, "", ""},
	} {
		fs := flag.NewFlagSet("demo", flag.ContinueOnError)
		n := fs.Int("n", 1, "a number")
		var stdout, stderr bytes.Buffer
		code, stop := parse(fs, "usage: demo", tc.args, &stdout, &stderr)
		if code != tc.code || stop != tc.stop || !prefixed(stdout.String(), tc.stdout) || !prefixed(stderr.String(), tc.stderr) {
			t.Errorf("%v: code %d stop %v\nstdout %q\nstderr %q", tc.args, code, stop, stdout.String(), stderr.String())
		}
		if strings.Count(stdout.String()+stderr.String(), "usage: demo") > 1 {
			t.Errorf("%v: the usage printed twice", tc.args)
		}
		if !stop && (*n != 3 || fs.Arg(0) != "arg") {
			t.Errorf("flags not parsed: n=%d args %v", *n, fs.Args())
		}
	}
}

func prefixed(s, p string) bool {
	if p == "" {
		return s == ""
	}
	return strings.HasPrefix(s, p)
}
