#!/usr/bin/env bash
# oidc.sh installs the test and demo OpenID Provider (tools/oidc: the npm package oidc-provider,
# pinned by package-lock.json) with `npm ci` when its node_modules are missing or older than the
# lock file, installing Debian's nodejs and npm first when node is missing. It prints the path of
# node on stdout; progress goes to stderr. tools/oidc (Go) starts the provider in the tests.
set -euo pipefail

say() { printf 'oidc: %s\n' "$*" >&2; }
dir="$(cd "$(dirname "$0")/../tools/oidc" && pwd)"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	say "installing Debian's nodejs and npm"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get install -y -q nodejs npm >&2 || { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q nodejs npm >&2; }
fi

stamp="$dir/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
	say "npm ci in tools/oidc"
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
command -v node
