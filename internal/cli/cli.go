// Package cli gives every command of the module the same command line: -h and --help print
// the usage and exit 0 without doing anything, an unknown flag exits 2 with the usage, and
// -version prints the module version and the VCS revision the binary was built from.
package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
)

// Parse parses args (without the program name) into fs, having added -version to it, and
// exits the process when the command must not go on: 0 after -h, --help or -version, 2 after
// a bad flag. about is printed above the flags in the usage. fs should be made with
// flag.ContinueOnError.
func Parse(fs *flag.FlagSet, about string, args []string) {
	if code, exit := parse(fs, about, args, os.Stdout, os.Stderr); exit {
		os.Exit(code)
	}
}

// parse is Parse without the exit, for the tests: it reports the exit code and whether the
// command must stop.
func parse(fs *flag.FlagSet, about string, args []string, stdout, stderr io.Writer) (int, bool) {
	version := fs.Bool("version", false, "print the module version and VCS revision, and exit")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "%s\n\nFlags:\n", about)
		fs.PrintDefaults()
	}
	// flag prints the usage itself, on help and on errors alike: keep what it prints until
	// it is known which of the two it was.
	var printed bytes.Buffer
	fs.SetOutput(&printed)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		// Asked for: the usage goes to stdout and the command succeeds.
		stdout.Write(printed.Bytes())
		return 0, true
	case err != nil:
		stderr.Write(printed.Bytes()) // the error, then the usage
		return 2, true
	case *version:
		fmt.Fprintln(stdout, Version(fs.Name()))
		return 0, true
	}
	return 0, false
}

// Fail ends the command after err with status 1. An error of several lines (config.Errors:
// one setting per line, each with its fix) is printed as it is, so that every line stays
// readable; any other is logged as msg.
func Fail(log *slog.Logger, msg string, err error) {
	if strings.Contains(err.Error(), "\n") {
		fmt.Fprintln(os.Stderr, err)
	} else {
		log.Error(msg, "err", err)
	}
	os.Exit(1)
}

// Version is "name module-version revision[ (modified)] go-version" from the binary's build
// information; a binary built without VCS stamping says so.
func Version(name string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return name + " (no build information)"
	}
	return fmt.Sprintf("%s %s %s %s", name, bi.Main.Version, Revision(bi), bi.GoVersion)
}

// Revision is the VCS revision in bi ("revision unknown" without VCS stamping), with
// "+modified" when the tree had uncommitted changes.
func Revision(bi *debug.BuildInfo) string {
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	if rev == "" {
		return "revision-unknown"
	}
	return rev + modified
}
