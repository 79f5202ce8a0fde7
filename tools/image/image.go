// Package image assembles the service's container image without a Docker daemon: an empty
// (scratch) base, a layer of our own with the few files a static Go binary needs (a non-root
// user, CA certificates), and a layer with the commands. No shell, no package manager: the
// image runs the server and nothing else a caller could use.
package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/buildinfo"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"createinfo/internal/cli"
)

// The image's fixed facts; the deploy manifests (deploy/) and the test read them from here.
const (
	// UID and GID are the numeric user the server runs as (distroless's "nonroot"): a
	// Kubernetes runAsNonRoot check can verify a number, never a name.
	UID = 65532
	GID = 65532
	// BinDir holds the commands; Entrypoint is the server.
	BinDir = "/usr/local/bin"
	// CACerts is where Go's crypto/x509 looks first on Linux.
	CACerts = "/etc/ssl/certs/ca-certificates.crt"
	// Port is the server's default LISTEN_ADDR port.
	Port = 8080
	// LabelVersion and LabelRevision carry the server binary's module version and VCS revision.
	LabelVersion  = "org.opencontainers.image.version"
	LabelRevision = "org.opencontainers.image.revision"
)

// Commands are the binaries the image holds, the server first (the entrypoint).
var Commands = []string{"server", "migrate", "auditverify", "apikey"}

// Entrypoint is the server's path in the image.
var Entrypoint = path.Join(BinDir, Commands[0])

// Options says where the inputs are.
type Options struct {
	// BinDir holds the static Linux binaries named in Commands (CGO_ENABLED=0).
	BinDir string
	// CACerts is the host's CA bundle to copy (Debian's ca-certificates package).
	CACerts string
}

// epoch is every file's and the image's time, so that the same binaries give the same image.
var epoch = time.Unix(0, 0).UTC()

// Build assembles the image.
func Build(o Options) (v1.Image, error) {
	bi, err := buildinfo.ReadFile(path.Join(o.BinDir, Commands[0]))
	if err != nil {
		return nil, fmt.Errorf("image: the server binary's build information: %w", err)
	}
	certs, err := os.ReadFile(o.CACerts)
	if err != nil {
		return nil, fmt.Errorf("image: CA certificates (install Debian's ca-certificates): %w", err)
	}
	user := strconv.Itoa(UID)
	group := strconv.Itoa(GID)
	base := []file{
		{name: "etc/", mode: 0o755, dir: true},
		{name: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\n" +
			"nonroot:x:" + user + ":" + group + ":nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "etc/group", mode: 0o644, data: []byte("root:x:0:\nnonroot:x:" + group + ":\n")},
		{name: "etc/ssl/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/", mode: 0o755, dir: true},
		{name: CACerts[1:], mode: 0o644, data: certs},
		{name: "home/", mode: 0o755, dir: true},
		{name: "home/nonroot/", mode: 0o700, dir: true, uid: UID, gid: GID},
		{name: "tmp/", mode: 0o1777, dir: true},
	}
	bins := []file{{name: "usr/", mode: 0o755, dir: true}, {name: "usr/local/", mode: 0o755, dir: true},
		{name: BinDir[1:] + "/", mode: 0o755, dir: true}}
	for _, c := range Commands {
		b, err := os.ReadFile(path.Join(o.BinDir, c))
		if err != nil {
			return nil, fmt.Errorf("image: %w", err)
		}
		bins = append(bins, file{name: path.Join(BinDir[1:], c), mode: 0o755, data: b})
	}
	var layers []v1.Layer
	for _, files := range [][]file{base, bins} {
		l, err := layer(files)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layers...)
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS, cf.Created = "amd64", "linux", v1.Time{Time: epoch}
	if arch := goarch(bi); arch != "" {
		cf.Architecture = arch
	}
	cf.Config = v1.Config{
		User:         user + ":" + group,
		Entrypoint:   []string{Entrypoint},
		WorkingDir:   "/home/nonroot",
		ExposedPorts: map[string]struct{}{strconv.Itoa(Port) + "/tcp": {}},
		Env:          []string{"PATH=" + BinDir, "SSL_CERT_FILE=" + CACerts},
		Labels: map[string]string{
			LabelVersion:                     bi.Main.Version,
			LabelRevision:                    cli.Revision(bi),
			"org.opencontainers.image.title": "createinfo",
		},
	}
	return mutate.ConfigFile(img, cf)
}

// WriteLayout writes img as an OCI image layout in dir (which must not hold one already).
func WriteLayout(dir string, img v1.Image) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	if err := p.AppendImage(img); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	return nil
}

func goarch(bi *buildinfo.BuildInfo) string {
	for _, s := range bi.Settings {
		if s.Key == "GOARCH" {
			return s.Value
		}
	}
	return ""
}

// file is one entry of a layer.
type file struct {
	name     string
	mode     int64
	dir      bool
	data     []byte
	uid, gid int
}

// layer is the files as a gzipped tar layer, every file owned by root unless said otherwise.
func layer(files []file) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, ModTime: epoch, Uid: f.uid, Gid: f.gid, Format: tar.FormatPAX}
		if f.dir {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithCompressionLevel(gzip.BestSpeed), tarball.WithMediaType(types.OCILayer))
}
