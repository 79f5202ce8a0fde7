// Command apikey prints a new API key for a calling system: the secret, to hand to that
// system, and the API_KEYS entry (its SHA-256), to configure the service with.
//
//	apikey crm-system
package main

import (
	"fmt"
	"os"

	"createinfo/internal/auth"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: apikey <key id>")
		os.Exit(2)
	}
	secret, entry, err := auth.NewKey(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "apikey:", err)
		os.Exit(2)
	}
	fmt.Printf("secret (give to the calling system, send as Authorization: Bearer <secret>):\n%s\n\n", secret)
	fmt.Printf("API_KEYS entry (configure the service; add to the list with a comma):\n%s\n", entry)
}
