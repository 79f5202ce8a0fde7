package image

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

const hostCerts = "/etc/ssl/certs/ca-certificates.crt"

// TestImage builds the image as an OCI layout, reads it back as a registry client would, and
// checks its configuration, its files, and that the server inside runs.
func TestImage(t *testing.T) {
	if _, err := os.Stat(hostCerts); err != nil {
		t.Fatalf("%v: scripts/build-image.sh installs Debian's ca-certificates", err)
	}
	img, err := Build(Options{BinDir: binDir, CACerts: hostCerts})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	if err := WriteLayout(dir, img); err != nil {
		t.Fatal(err)
	}
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 {
		t.Fatalf("%d manifests in the layout, want 1", len(m.Manifests))
	}
	got, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := got.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	version := runBin(t, filepath.Join(binDir, "server"), "-version")
	f := strings.Fields(version) // server, version, revision, go version
	c := cf.Config
	if c.User != "65532:65532" || len(c.Entrypoint) != 1 || c.Entrypoint[0] != "/usr/local/bin/server" || len(c.Cmd) != 0 ||
		len(c.ExposedPorts) != 1 || c.Labels[LabelVersion] != f[1] || c.Labels[LabelRevision] != f[2] || cf.OS != "linux" {
		t.Errorf("config: user %q entrypoint %q cmd %q ports %v labels %v os %s; server -version %q",
			c.User, c.Entrypoint, c.Cmd, c.ExposedPorts, c.Labels, cf.OS, version)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports %v, want 8080/tcp", c.ExposedPorts)
	}

	// The files, as a runtime unpacks them.
	files := map[string]*tar.Header{}
	contents := map[string][]byte{}
	tr := tar.NewReader(mutate.Extract(got))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = h
		if h.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			contents[h.Name] = b
		}
	}
	for name, h := range files {
		if strings.HasPrefix(name, "bin/") || strings.HasPrefix(name, "usr/bin/") || strings.HasPrefix(name, "sbin/") ||
			strings.HasSuffix(name, "/sh") || h.Typeflag == tar.TypeSymlink {
			t.Errorf("the image holds %s: no shell or tools beyond ours", name)
		}
	}
	if len(contents) != 7 {
		t.Errorf("%d files in the image, want 7 (passwd, group, CA bundle, 4 commands): %v", len(contents), keys(contents))
	}
	for _, cmd := range Commands {
		h := files["usr/local/bin/"+cmd]
		if h == nil || h.Mode != 0o755 || h.Uid != 0 {
			t.Errorf("usr/local/bin/%s: %+v, want mode 755 owned by root", cmd, h)
		}
	}
	if !strings.Contains(string(contents["etc/passwd"]), "\nnonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd:\n%s", contents["etc/passwd"])
	}
	certs, _ := os.ReadFile(hostCerts)
	if !bytes.Equal(contents["etc/ssl/certs/ca-certificates.crt"], certs) {
		t.Errorf("CA bundle differs from the host's (%d bytes, want %d)", len(contents["etc/ssl/certs/ca-certificates.crt"]), len(certs))
	}

	// The binaries in the image run, and those that read TIME_ZONE carry the zone database
	// (scratch has no /usr/share/zoneinfo).
	out := t.TempDir()
	for _, cmd := range Commands {
		p := filepath.Join(out, cmd)
		if err := os.WriteFile(p, contents["usr/local/bin/"+cmd], 0o755); err != nil {
			t.Fatal(err)
		}
		if cmd == "server" {
			if v := runBin(t, p, "-version"); v != version {
				t.Errorf("server in the image: -version %q, want %q", v, version)
			}
		}
		if (cmd == "server" || cmd == "auditverify") && !hasPackage(t, p, "time/tzdata") {
			t.Errorf("%s in the image lacks time/tzdata", cmd)
		}
	}

	// Same binaries, same image.
	again, err := Build(Options{BinDir: binDir, CACerts: hostCerts})
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 || d1 != m.Manifests[0].Digest {
		t.Errorf("digests %s, %s, in the layout %s: want one", d1, d2, m.Manifests[0].Digest)
	}
}

func runBin(t *testing.T, path string, args ...string) string {
	t.Helper()
	out, err := exec.Command(path, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", path, args, err)
	}
	return strings.TrimSpace(string(out))
}

// hasPackage reports whether the binary's symbol table holds functions or data of pkg.
func hasPackage(t *testing.T, path, pkg string) bool {
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if strings.HasPrefix(s.Name, pkg+".") {
			return true
		}
	}
	return false
}

func keys(m map[string][]byte) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}
