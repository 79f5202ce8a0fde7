# Two commands for a fresh machine: `make run` and `make test`. Without DATABASE_URL both start
# a private PostgreSQL (scripts/localdb.sh: installs Debian's postgresql if missing, keeps the
# cluster in .localdb/ on the first free port from 54329, or LOCALDB_PORT); with DATABASE_URL
# they use that database.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
# Static binaries, so that bin/ and the container image (tools/image) share one build cache
# with the tests; nothing in the module needs cgo.
export CGO_ENABLED ?= 0
LISTEN_ADDR ?= :8080
PORT := $(lastword $(subst :, ,$(LISTEN_ADDR)))

FUZZTIME ?= 10s

BENCH_APPLICATIONS ?= 1000000
BENCH_DURATION ?= 10s

.PHONY: run test fuzz bench generate check-generated lint localdb localdb-stop screenshot image demo-oidc

run:
	@if (exec 3<>/dev/tcp/127.0.0.1/$(PORT)) 2>/dev/null; then \
		echo "make run: port $(PORT) is taken by another process: stop it, or choose another port: make run LISTEN_ADDR=:8081" >&2; exit 1; \
	fi; \
	url=$$(scripts/localdb.sh); \
	echo "database: DATABASE_URL=$$url"; \
	scripts/build.sh; \
	DATABASE_URL="$$url" bin/seed -demo; \
	DATABASE_URL="$$url" bin/migrate; \
	mkdir -p .localdb; ready=.localdb/server.ready; rm -f $$ready; \
	DATABASE_URL="$$url" LISTEN_ADDR="$(LISTEN_ADDR)" bin/server -ready-file $$ready & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid' INT TERM; \
	until [ -s $$ready ]; do \
		kill -0 $$pid 2>/dev/null || { wait $$pid; exit 1; }; sleep 0.1; \
	done; \
	echo; \
	echo "createinfo on http://localhost:$(PORT)  (Ctrl-C stops it; the PostgreSQL cluster keeps running: make localdb-stop)"; \
	echo "  console         http://localhost:$(PORT)/console/?phone=0988123456"; \
	echo "  GraphiQL        http://localhost:$(PORT)/   (served from the binary, development only)"; \
	echo "  GraphQL         POST http://localhost:$(PORT)/graphql"; \
	echo "  legacy          POST http://localhost:$(PORT)/intranet/api/v1.0/createaccount/GetCreateInfo"; \
	echo "  health          http://localhost:$(PORT)/healthz  http://localhost:$(PORT)/readyz"; \
	echo; \
	echo "Try:"; \
	echo "  curl -s localhost:$(PORT)/graphql -H 'Content-Type: application/json' \\"; \
	echo "    -d '{\"query\":\"{ applications(phone: \\\"0988123456\\\") { seqNo idno status stepBreakPoint { lastCompletedStep { number name } } abnormalPid } }\"}'"; \
	echo "  curl -s localhost:$(PORT)/intranet/api/v1.0/createaccount/GetCreateInfo -d '{\"seqNo\":\"0A80d1d572650511ea8a30acde48001122\"}'"; \
	echo; \
	wait $$pid

# The demo OpenID Provider (tools/oidc/demo.json: agent agent001, integration client crm, the
# console's public client) on 127.0.0.1:9400, for `make run` with sign-in; Ctrl-C stops it.
demo-oidc:
	@node=$$(scripts/oidc.sh); \
	echo "demo OpenID Provider on http://127.0.0.1:9400 (Ctrl-C stops it); in another terminal:"; \
	echo "  OIDC_ISSUER=http://127.0.0.1:9400 OIDC_AUDIENCE=urn:createinfo OIDC_CONSOLE_CLIENT_ID=console make run"; \
	echo "then open http://localhost:$(PORT)/console/?phone=0988123456 and sign in as agent001 (any password: a demo provider)."; \
	echo "An integration's token (client credentials), for curl -H 'Authorization: Bearer <token>':"; \
	echo "  curl -s -u crm:crm-demo-secret http://127.0.0.1:9400/token -d grant_type=client_credentials -d scope=lookup -d resource=urn:createinfo"; \
	exec "$$node" tools/oidc/provider.mjs tools/oidc/demo.json

# The console's browser tests need Chromium: scripts/chromium.sh installs Debian's package when
# it is missing and prints its path.
test: check-generated
	@url=$$(scripts/localdb.sh); \
	echo "database: DATABASE_URL=$$url"; \
	chromium=$$(scripts/chromium.sh); export CHROMIUM="$$chromium"; \
	scripts/need.sh /etc/ssl/certs/ca-certificates.crt ca-certificates; \
	scripts/need.sh /usr/sbin/pgbouncer pgbouncer; \
	scripts/progress.sh "modules (downloaded the first time only)" $(GO) mod download; \
	scripts/oidc.sh >/dev/null; \
	scripts/progress.sh "go vet (the first time compiles every package: about 2 minutes)" $(GO) vet ./...; \
	test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }; \
	log=.localdb/test.log; mkdir -p .localdb; \
	scripts/progress.sh "compiling bin/testprogress" $(GO) build -o bin/ ./tools/cmd/testprogress; \
	echo "running every test, one line per package as it finishes (the first time compiles the test binaries: about 2 minutes); full output in $$log"; \
	DATABASE_URL="$$url" $(GO) test -json -count=1 -v ./... 2>&1 | bin/testprogress -log $$log || { grep -E '^(FAIL|--- FAIL|panic)|_test.go:[0-9]+' $$log; tail -n 30 $$log; exit 1; }; \
	scripts/check-logs.sh $$log; \
	echo "fuzzing the legacy endpoint for $(FUZZTIME) (the first time builds an instrumented binary first: about 3 minutes on 2 cores)"; \
	DATABASE_URL="$$url" scripts/progress.sh "fuzz build and run" $(GO) test -count=1 -run '^$$' -fuzz FuzzGetCreateInfo -fuzztime $(FUZZTIME) -fuzzminimizetime 50x ./internal/legacy/

# Retakes docs/console.png and docs/console-overview.png, the README's pictures of the console,
# in the browser test.
screenshot:
	@url=$$(scripts/localdb.sh); \
	CHROMIUM="$$(scripts/chromium.sh)" CONSOLE_SCREENSHOT="$$PWD/docs/console.png" DATABASE_URL="$$url" \
		$(GO) test -count=1 -run '^TestScreenshot$$' ./internal/console/

# A longer fuzz run of the legacy endpoint and of its JSON rewriter: make fuzz FUZZTIME=10m
fuzz:
	@url=$$(scripts/localdb.sh); \
	DATABASE_URL="$$url" $(GO) test -count=1 -run '^$$' -fuzz '^FuzzGetCreateInfo$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 50x ./internal/legacy/; \
	$(GO) test -count=1 -run '^$$' -fuzz '^FuzzEnvelope$$' -fuzztime $(FUZZTIME) ./internal/legacy/

# Seeds BENCH_APPLICATIONS synthetic applications (once) into the database createinfo_bench
# of the same server (or BENCH_DATABASE_URL), then measures; rewrites docs/BENCHMARKS.md. On
# the local cluster it measures with production durability (scripts/localdb.sh durable:
# fsync=on, synchronous_commit=on), restored to the tests' fsync=off when it ends, and then the cost of synchronous audit commits against a fresh
# standby of it (scripts/localdb.sh standby, stopped afterwards).
bench:
	@url=$$(scripts/localdb.sh); \
	bench_url=$${BENCH_DATABASE_URL:-$$(printf '%s' "$$url" | sed -E 's|/[^/?]+(\?\|$$)|/createinfo_bench\1|')}; \
	if [ -z "$${BENCH_DATABASE_URL:-}" ]; then \
		psql -X -q "$$url" -tAc "SELECT 1 FROM pg_database WHERE datname = 'createinfo_bench'" | grep -q 1 || \
			psql -X -q "$$url" -c "CREATE DATABASE createinfo_bench"; \
	fi; \
	scripts/build.sh; \
	DATABASE_URL="$$bench_url" bin/seed -applications $(BENCH_APPLICATIONS); \
	DATABASE_URL="$$bench_url" bin/migrate; \
	if [ -z "$${BENCH_DATABASE_URL:-}" ]; then \
		echo "production durability for the measurement (fsync=on, synchronous_commit=on; back to fsync=off afterwards)"; \
		scripts/localdb.sh durable; \
		trap 'scripts/localdb.sh standby-stop; scripts/localdb.sh fast' EXIT; \
	fi; \
	DATABASE_URL="$$bench_url" bin/bench -server bin/server -duration $(BENCH_DURATION); \
	if [ -z "$${BENCH_DATABASE_URL:-}" ]; then \
		echo "the cost of synchronous audit commits: a fresh standby of the local cluster (pg_basebackup)"; \
		scripts/localdb.sh standby >/dev/null; \
		DATABASE_URL="$$bench_url" bin/bench -server bin/server -sync-commit 3 -duration $(BENCH_DURATION); \
	fi; \
	scripts/oidc.sh >/dev/null; \
	echo "access-token verification with cached keys (target under 0.05 ms per request; first = a token's first use):"; \
	$(GO) test -run '^$$' -bench BenchmarkVerifyToken -benchtime 2000x ./internal/auth/ | grep ns/op

# The container image as an OCI image layout in bin/oci (tools/image; no Docker daemon):
# push it with any OCI tool, e.g. crane push bin/oci registry.example.com/createinfo:TAG
image:
	@scripts/need.sh /etc/ssl/certs/ca-certificates.crt ca-certificates; \
	scripts/build.sh; \
	rm -rf bin/oci; \
	bin/image -bin bin -out bin/oci

generate:
	$(GO) generate ./...

# Regenerates the gqlgen code in a scratch copy and fails when it differs from the tree.
check-generated:
	@scripts/check-generated.sh

lint:
	test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	$(GO) vet ./...

# Starts (or reuses) the private cluster and prints its DATABASE_URL, for plain `go test`,
# cmd/auditverify or psql: export DATABASE_URL=$$(make -s localdb)
localdb:
	@scripts/localdb.sh

localdb-stop:
	@scripts/localdb.sh stop
