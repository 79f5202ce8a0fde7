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
say "$path not found: installing Debian's $pkg"
# Another apt may hold the lock (another checkout installing something): wait for it.
for _ in $(seq 120); do
	as_root fuser /var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock >/dev/null 2>&1 || break
	sleep 2
done
policy=/usr/sbin/policy-rc.d
made=
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' | as_root tee $policy >/dev/null && as_root chmod 755 $policy && made=1
fi
trap '[ -n "$made" ] && as_root rm -f $policy' EXIT
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >&2 ||
	{ as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >&2; }
[ -e "$path" ] || { say "$path still missing after installing $pkg"; exit 1; }
