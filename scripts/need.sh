#!/usr/bin/env bash
# need.sh PATH PACKAGE installs Debian's PACKAGE (as root, or through sudo) when PATH does not
# exist, as scripts/localdb.sh does for PostgreSQL: make test needs ca-certificates (the
# container image copies the bundle) and pgbouncer (the PgBouncer test). A package's service is
# not started: policy-rc.d refuses it while apt runs. Progress goes to stderr.
set -euo pipefail
path=${1:?usage: need.sh PATH PACKAGE}
pkg=${2:?usage: need.sh PATH PACKAGE}
[ -e "$path" ] && exit 0
say() { printf 'need: %s\n' "$*" >&2; }
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		say "need root or sudo to run: $*"; exit 1
	fi
}
# apt_get LABEL ARG… runs apt-get as root under scripts/progress.sh (a line every 10 s, on stderr).
apt_get() {
	local label=$1
	shift
	as_root "$(dirname "$0")/progress.sh" "need: $label" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >&2
}
say "$path not found: installing Debian's $pkg"
# Another apt may hold the lock (another checkout installing something): wait for it, saying
# so every 10 s.
start=$(date +%s)
for i in $(seq 120); do
	as_root fuser /var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock >/dev/null 2>&1 || break
	[ $((i % 5)) != 1 ] || say "waiting for another apt-get to release its lock: $(($(date +%s) - start))s"
	sleep 2
done
policy=/usr/sbin/policy-rc.d
made=
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' | as_root tee $policy >/dev/null && as_root chmod 755 $policy && made=1
fi
trap '[ -n "$made" ] && as_root rm -f $policy' EXIT
apt_get "installing Debian's $pkg" install -y -qq --no-install-recommends "$pkg" ||
	{ apt_get "apt-get update" update -qq &&
		apt_get "installing Debian's $pkg" install -y -qq --no-install-recommends "$pkg"; }
[ -e "$path" ] || { say "$path still missing after installing $pkg"; exit 1; }
