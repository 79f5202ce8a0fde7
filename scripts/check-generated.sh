#!/usr/bin/env bash
# check-generated.sh regenerates the gqlgen code in a scratch copy of the tree and fails when
# the result differs from what is in the tree: generated code must be committed up to date.
# gqlgen's own chatter (notes on the resolver files it merges) is kept out of a clean run and
# shown only when the generation fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
(cd "$root" && scripts/progress.sh "modules (downloaded the first time only)" go mod download)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$root" && tar --exclude=./.localdb --exclude=./.git --exclude=./bin --exclude=./node_modules -cf - .) | (cd "$scratch" && tar -xf -)
if ! (cd "$scratch" && "$root/scripts/progress.sh" "regenerating the gqlgen code in a scratch copy (the first time compiles gqlgen: about a minute)" \
	sh -c 'go generate ./... >generate.log 2>&1'); then
	cat "$scratch/generate.log" >&2
	echo "code generation failed" >&2
	exit 1
fi
if ! diff -ru "$root/graph" "$scratch/graph"; then
	echo "generated code is stale: run 'make generate' and commit the result" >&2
	exit 1
fi
echo "generated code is up to date"
