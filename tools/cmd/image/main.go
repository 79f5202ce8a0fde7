// Command image writes the service's container image as an OCI image layout, without a
// Docker daemon (tools/image). `make image` builds the static binaries first; push the layout
// with any OCI tool (crane push, skopeo copy oci:…).
package main

import (
	"flag"
	"fmt"
	"os"

	"createinfo/internal/cli"
	"createinfo/tools/image"
)

func main() {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	bin := fs.String("bin", "bin", "`folder` of the static binaries (CGO_ENABLED=0)")
	certs := fs.String("ca-certificates", "/etc/ssl/certs/ca-certificates.crt", "the CA bundle to copy (Debian's ca-certificates)")
	out := fs.String("out", "bin/oci", "the OCI image layout `folder` to write (must not exist)")
	cli.Parse(fs, "usage: image [-bin bin] [-out bin/oci]\n\nWrites the container image as an OCI image layout.", os.Args[1:])
	if err := run(*bin, *certs, *out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(bin, certs, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("image: %s exists: remove it first", out)
	}
	img, err := image.Build(image.Options{BinDir: bin, CACerts: certs})
	if err != nil {
		return err
	}
	if err := image.WriteLayout(out, img); err != nil {
		return err
	}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Printf("image %s written to %s\n", d, out)
	return nil
}
