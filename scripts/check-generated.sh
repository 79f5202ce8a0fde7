#!/usr/bin/env bash
# check-generated.sh regenerates the gqlgen code in a scratch copy of the tree and fails when
# the result differs from what is in the tree: generated code must be committed up to date.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$root" && tar --exclude=./.localdb --exclude=./.git -cf - .) | (cd "$scratch" && tar -xf -)
(cd "$scratch" && go generate ./...)
if ! diff -ru "$root/graph" "$scratch/graph"; then
	echo "generated code is stale: run 'make generate' and commit the result" >&2
	exit 1
fi
echo "generated code is up to date"
