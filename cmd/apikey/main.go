// Command apikey prints a new API key for a calling system: the secret, to hand to that
// system, and the API_KEYS entry (its SHA-256), to configure the service with.
//
//	apikey crm-system
package main

import (
	"flag"
	"fmt"
	"os"

	"createinfo/internal/auth"
	"createinfo/internal/cli"
)

func main() {
	fs := flag.NewFlagSet("apikey", flag.ContinueOnError)
	cli.Parse(fs, "usage: apikey <key id>\n\nPrints a new API key: the secret for the calling system and its API_KEYS entry.", os.Args[1:])
	if fs.NArg() != 1 {
		fs.Usage()
		os.Exit(2)
	}
	secret, entry, err := auth.NewKey(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "apikey:", err)
		os.Exit(2)
	}
	fmt.Printf("secret (give to the calling system, send as Authorization: Bearer <secret>):\n%s\n\n", secret)
	fmt.Printf("API_KEYS entry (configure the service; add to the list with a comma):\n%s\n", entry)
}
