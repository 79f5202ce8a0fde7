package image

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"createinfo/tools/dbtest"
)

// binDir holds every command of the module, built once for the tests of this package the way
// scripts/build.sh builds them: static, with VCS stamping.
var binDir string

// commands are the module's binaries: every folder of cmd/ and tools/cmd/.
var commands []string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "createinfo-image-test-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	binDir = dir
	for _, parent := range []string{"../../cmd", "../cmd"} {
		entries, err := os.ReadDir(parent)
		if err != nil {
			panic(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				commands = append(commands, e.Name())
			}
		}
	}
	build := exec.Command("go", "build", "-buildvcs=auto", "-ldflags=-w", "-o", dir+string(filepath.Separator), "./cmd/...", "./tools/cmd/...")
	build.Dir = "../.."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic("build: " + err.Error())
	}
	return dbtest.Run(m)
}
