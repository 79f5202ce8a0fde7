package server

import "createinfo/internal/legacy"

// route names each way in's server span ("POST /graphql").
var route = map[string]string{"graphql": "/graphql", "legacy": legacy.Path}
