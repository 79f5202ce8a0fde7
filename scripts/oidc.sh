#!/usr/bin/env bash
# oidc.sh installs the test and demo OpenID Provider (tools/oidc: the npm package oidc-provider,
# pinned by package-lock.json) with `npm ci` when its node_modules are missing or older than the
# lock file, installing Debian's nodejs and npm first when node is missing. It prints the path of
# node on stdout; progress goes to stderr. tools/oidc (Go) starts the provider in the tests.
set -euo pipefail

say() { printf 'oidc: %s\n' "$*" >&2; }
here="$(cd "$(dirname "$0")" && pwd)"
dir="$here/../tools/oidc"
# progress LABEL COMMAND… runs COMMAND under scripts/progress.sh (a line every 10 s), on stderr.
progress() {
	local label=$1
	shift
	"$here/progress.sh" "oidc: $label" "$@" >&2
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	say "installing Debian's nodejs and npm"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	progress "installing Debian's nodejs and npm" $sudo apt-get install -y -q nodejs npm ||
		{ progress "apt-get update" $sudo apt-get update -q && progress "installing Debian's nodejs and npm" $sudo apt-get install -y -q nodejs npm; }
fi

stamp="$dir/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
	say "npm ci in tools/oidc"
	(cd "$dir" && progress "npm ci: oidc-provider and its dependencies into tools/oidc/node_modules" \
		npm ci --no-audit --no-fund --loglevel=error)
fi
command -v node
