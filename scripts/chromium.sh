#!/usr/bin/env bash
# chromium.sh prints the path of a headless-capable Chromium on stdout, installing Debian's
# `chromium` package when none is found (as root, or through sudo), as scripts/localdb.sh does
# for PostgreSQL, and a font with Traditional Chinese glyphs (fonts-noto-cjk) when there is
# none, so that the console's screenshot shows its labels. The browser tests
# (internal/console) use the path; CHROMIUM, when set, names the browser to use instead.
# Progress goes to stderr so that `bin=$(scripts/chromium.sh)` captures the path alone.
set -euo pipefail

say() { printf 'chromium: %s\n' "$*" >&2; }

if [ -n "${CHROMIUM:-}" ]; then
	printf '%s\n' "$CHROMIUM"
	exit 0
fi

find_browser() {
	for b in chromium chromium-browser; do
		if command -v "$b" >/dev/null 2>&1; then
			command -v "$b"
			return 0
		fi
	done
	return 1
}

has_cjk_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh-tw family 2>/dev/null)" ]; }

packages=()
find_browser >/dev/null || packages+=(chromium)
has_cjk_font || packages+=(fonts-noto-cjk)

if [ ${#packages[@]} -gt 0 ]; then
	# as_root LABEL COMMAND… runs COMMAND as root (or through sudo) under scripts/progress.sh,
	# whose lines go to stderr.
	as_root() {
		local label=$1
		shift
		if [ "$(id -u)" = 0 ]; then set -- "$@"; elif command -v sudo >/dev/null; then set -- sudo "$@"; else
			say "need root or sudo to run: $*"; exit 1
		fi
		"$(dirname "$0")/progress.sh" "chromium: $label" "$@" >&2
	}
	say "installing Debian's ${packages[*]}"
	as_root "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root "installing Debian's ${packages[*]}" \
		env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi
bin=$(find_browser) || { say "chromium not found after installing it"; exit 1; }
printf '%s\n' "$bin"
