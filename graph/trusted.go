package graph

import (
	"context"
	"createinfo/internal/apperr"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Manifest is the set of GraphQL documents the service trusts, by the SHA-256 (hex) of their
// exact text: the documents clients ship in this repository. Clients name one by hash in
// extensions.persistedQuery.sha256Hash (Apollo's persisted-query protocol, version 1), or send
// its full text. The manifest is read-only: unlike automatic persisted queries, a request
// never adds a document to it.
type Manifest struct {
	byHash map[string]Document
	list   []Document
}

// Document is one trusted document.
type Document struct {
	Hash string // hex SHA-256 of Body
	Name string // its operation's name
	Body string
}

var operationName = regexp.MustCompile(`(?m)^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)`)

// NewManifest trusts the given documents. Each must hold one named operation.
func NewManifest(bodies ...string) (*Manifest, error) {
	m := &Manifest{byHash: map[string]Document{}}
	for _, b := range bodies {
		match := operationName.FindAllStringSubmatch(b, -1)
		if len(match) != 1 {
			return nil, fmt.Errorf("trusted document: want exactly one named operation, found %d", len(match))
		}
		d := Document{Hash: HashDocument(b), Name: match[0][1], Body: b}
		if _, dup := m.byHash[d.Hash]; dup {
			continue
		}
		m.byHash[d.Hash] = d
		m.list = append(m.list, d)
	}
	sort.Slice(m.list, func(i, j int) bool { return m.list[i].Name < m.list[j].Name })
	return m, nil
}

// HashDocument is the manifest's key of a document: the hex SHA-256 of its exact text.
func HashDocument(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// Lookup returns the trusted document with the given hash.
func (m *Manifest) Lookup(hash string) (Document, bool) {
	if m == nil {
		return Document{}, false
	}
	d, ok := m.byHash[hash]
	return d, ok
}

// Documents lists the trusted documents, by name.
func (m *Manifest) Documents() []Document { return m.list }

// MarshalJSON writes the manifest in the format of Apollo's persisted-query manifests, so that
// gateways and clients that read those can read it.
func (m *Manifest) MarshalJSON() ([]byte, error) {
	type op struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
		Body string `json:"body"`
	}
	ops := make([]op, 0, len(m.list))
	for _, d := range m.list {
		ops = append(ops, op{ID: d.Hash, Name: d.Name, Type: "query", Body: d.Body})
	}
	return json.Marshal(map[string]any{"format": "apollo-persisted-query-manifest", "version": 1, "operations": ops})
}

// trustedDocuments resolves extensions.persistedQuery against the manifest and, when only is
// set, refuses every document that is not in it. It runs before the document is parsed, so a
// refused request costs a hash and runs no SQL.
type trustedDocuments struct {
	manifest *Manifest
	only     bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = trustedDocuments{}

func (trustedDocuments) ExtensionName() string                   { return "TrustedDocuments" }
func (trustedDocuments) Validate(graphql.ExecutableSchema) error { return nil }

func (t trustedDocuments) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if raw, ok := p.Extensions["persistedQuery"]; ok && raw != nil {
		pq, ok := raw.(map[string]any)
		hash, _ := pq["sha256Hash"].(string)
		hash = strings.ToLower(hash)
		version := fmt.Sprint(pq["version"]) // a json.Number: the transport decodes with UseNumber
		switch {
		case !ok || hash == "":
			return refuse(apperr.InvalidRequest, "extensions.persistedQuery must be {\"version\": 1, \"sha256Hash\": \"<hex>\"}")
		case version != "1":
			return refuse(apperr.InvalidRequest, "extensions.persistedQuery.version must be 1")
		case p.Query == "":
			d, found := t.manifest.Lookup(hash)
			if !found {
				return refuse(apperr.PersistedQueryNotFound, "PersistedQueryNotFound")
			}
			p.Query = d.Body
			return nil // from the manifest: trusted
		case HashDocument(p.Query) != hash:
			return refuse(apperr.InvalidRequest, "extensions.persistedQuery.sha256Hash does not match the query")
		}
	}
	if t.only {
		if _, found := t.manifest.Lookup(HashDocument(p.Query)); !found {
			return refuse(apperr.UntrustedDocument, "this service runs only its trusted documents (the console's and the legacy one); send one of them, by extensions.persistedQuery.sha256Hash or in full")
		}
	}
	return nil
}

// refuse is an error the presenter shows with its own code.
func refuse(code apperr.Code, message string) *gqlerror.Error {
	return &gqlerror.Error{Message: message, Err: errorf(code, message)}
}
