#!/usr/bin/env bash
# localdb.sh prints a DATABASE_URL on stdout, starting a private PostgreSQL cluster when needed.
#
# With DATABASE_URL already set it prints that and does nothing else. Otherwise it makes sure
# PostgreSQL's binaries exist (installing Debian's `postgresql` package when they do not), keeps
# a cluster in the git-ignored folder .localdb/ on a non-default port (LOCALDB_PORT, default
# the first free one from 54329, remembered in the folder), starts it as the `postgres` user when run as root (PostgreSQL refuses to run as root),
# with pg_stat_statements loaded (the benchmark counts statements with it),
# creates the database `createinfo` and prints its URL. Running it again reuses the cluster.
# Progress goes to stderr so that `url=$(scripts/localdb.sh)` captures the URL alone.
# `localdb.sh stop` stops the private cluster (and its standby), and says so when it was not running.
# Durability: the cluster runs with fsync=off (written into its postgresql.conf: tests create
# and drop a database each, and nothing here must survive a power cut). `localdb.sh durable`
# switches the running cluster to production durability (ALTER SYSTEM: fsync=on,
# synchronous_commit=on, full_page_writes=on; reload, then a CHECKPOINT so that the next
# writes start from flushed files) and `localdb.sh fast` back to the file's fsync=off; make
# bench measures between the two. A cluster started by an older version of this script with
# fsync=off on its command line (which ALTER SYSTEM cannot override) is restarted once.
# `localdb.sh standby` makes a fresh streaming standby of the running cluster (pg_basebackup -R,
# in .localdb/standby, on the next free port) and prints its URL; `localdb.sh standby-stop`
# stops it. The benchmark of synchronous audit commits (make bench) uses it.
set -euo pipefail
action=${1:-start}

if [ "$action" = start ] && [ -n "${DATABASE_URL:-}" ]; then
	printf '%s\n' "$DATABASE_URL"
	exit 0
fi

say() { printf 'localdb: %s\n' "$*" >&2; }
root=$(cd "$(dirname "$0")/.." && pwd)
dbname=createinfo

# as_root LABEL COMMAND… runs COMMAND as root (or through sudo) under scripts/progress.sh,
# whose lines go to stderr like everything else here but the URL.
as_root() {
	local label=$1
	shift
	if [ "$(id -u)" = 0 ]; then set -- "$@"; elif command -v sudo >/dev/null; then set -- sudo "$@"; else
		say "need root or sudo to run: $*"; exit 1
	fi
	"$root/scripts/progress.sh" "localdb: $label" "$@" >&2
}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ "$action" = stop ] && { [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; }; then
	say "PostgreSQL is not installed: nothing to stop"
	exit 0
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
	say "PostgreSQL not found: installing Debian's postgresql package"
	as_root "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root "installing Debian's postgresql" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
	bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# The cluster runs as `postgres` when we are root, as ourselves otherwise.
if [ "$(id -u)" = 0 ]; then
	runas() { runuser -u postgres -- "$@"; }
else
	runas() { "$@"; }
fi

dir="$root/.localdb"
mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then
	chown postgres: "$dir"
	# The postgres user must be able to reach the folder; a checkout under /root often is not.
	if ! runas test -w "$dir"; then
		dir="/var/tmp/createinfo-localdb-$(printf '%s' "$root" | sha256sum | cut -c1-12)"
		mkdir -p "$dir" && chown postgres: "$dir"
		say "checkout not reachable by the postgres user; cluster kept in $dir"
	fi
fi
data="$dir/data"

standby="$dir/standby"
stop_standby() {
	if [ -s "$standby/PG_VERSION" ] && runas "$bindir/pg_ctl" -D "$standby" status >/dev/null 2>&1; then
		runas "$bindir/pg_ctl" -D "$standby" -m fast -w stop >&2
	fi
}
if [ "$action" = standby-stop ]; then
	stop_standby
	exit 0
fi
if [ "$action" = stop ]; then
	stop_standby
	if [ -s "$data/PG_VERSION" ] && runas "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		runas "$bindir/pg_ctl" -D "$data" -w stop >&2
	else
		say "the private cluster is not running"
	fi
	exit 0
fi

if [ ! -s "$data/PG_VERSION" ]; then
	say "creating cluster in $data"
	runas "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
fi

# fsync=off lives in the cluster's own postgresql.conf, below ALTER SYSTEM's file, so that
# `localdb.sh durable` can turn it on for a benchmark and `localdb.sh fast` off again.
if ! grep -q '^fsync = off' "$data/postgresql.conf"; then
	printf '\n# scripts/localdb.sh: a throwaway cluster for tests (make bench: localdb.sh durable)\nfsync = off\n' |
		runas tee -a "$data/postgresql.conf" >/dev/null
fi

# started_fsync_off: the running cluster has fsync=off on its command line (older versions of
# this script), where ALTER SYSTEM cannot reach it.
started_fsync_off() { runas cat "$data/postmaster.opts" 2>/dev/null | grep -q 'fsync=off'; }
if { [ "$action" = durable ] || [ "$action" = fast ]; } && runas "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1 && started_fsync_off; then
	say "restarting the cluster once: it was started with fsync=off on its command line"
	stop_standby
	runas "$bindir/pg_ctl" -D "$data" -m fast -w stop >&2
fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if runas "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
	port=$(sed -n 4p "$data/postmaster.pid") # already running: its port
else
	if [ -n "${LOCALDB_PORT:-}" ]; then
		port=$LOCALDB_PORT
	elif [ -s "$dir/port" ] && ! port_busy "$(cat "$dir/port")"; then
		port=$(cat "$dir/port")
	else
		port=54329
		while port_busy "$port"; do
			port=$((port + 1))
			[ "$port" -lt 54400 ] || { say "no free port in 54329-54399"; exit 1; }
		done
	fi
	# Another cluster may take the port between the check and the start: then the next one.
	for attempt in 1 2 3 4 5; do
		say "starting PostgreSQL on 127.0.0.1:$port"
		if runas "$bindir/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 \
			-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_preload_libraries=pg_stat_statements" start >&2; then
			break
		fi
		if [ -n "${LOCALDB_PORT:-}" ] || [ "$attempt" = 5 ] || ! tail -n 5 "$dir/postgres.log" | grep -q 'Address already in use'; then
			tail -n 20 "$dir/postgres.log" >&2
			exit 1
		fi
		port=$((port + 1))
		while port_busy "$port"; do port=$((port + 1)); done
	done
	echo "$port" >"$dir/port"
fi

if [ "$action" = standby ]; then
	stop_standby
	rm -rf "$standby"
	say "making a standby of 127.0.0.1:$port in $standby (pg_basebackup: a copy of every database)"
	runas "$bindir/pg_basebackup" -D "$standby" -R -X stream -c fast -h 127.0.0.1 -p "$port" -U postgres >&2
	sport=$((port + 1))
	while port_busy "$sport"; do
		sport=$((sport + 1))
		[ "$sport" -lt 54500 ] || { say "no free port for the standby"; exit 1; }
	done
	runas "$bindir/pg_ctl" -D "$standby" -l "$dir/standby.log" -w -t 60 \
		-o "-p $sport -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_preload_libraries=pg_stat_statements" start >&2
	printf 'postgres://postgres@127.0.0.1:%s/%s?sslmode=disable\n' "$sport" "$dbname"
	exit 0
fi

psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
if [ "$action" = durable ] || [ "$action" = fast ]; then
	if [ "$action" = durable ]; then
		"${psql[@]}" -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
			-c "ALTER SYSTEM SET full_page_writes = on" -c "SELECT pg_reload_conf()" >/dev/null
	else
		"${psql[@]}" -c "ALTER SYSTEM RESET fsync" -c "ALTER SYSTEM RESET synchronous_commit" \
			-c "ALTER SYSTEM RESET full_page_writes" -c "SELECT pg_reload_conf()" >/dev/null
	fi
	want=on
	[ "$action" = durable ] || want=off
	for i in $(seq 50); do # the reload reaches the postmaster's SIGHUP handler asynchronously
		[ "$("${psql[@]}" -tAc "SHOW fsync")" = "$want" ] && break
		sleep 0.1
	done
	[ "$("${psql[@]}" -tAc "SHOW fsync")" = "$want" ] || { say "fsync is not $want after the reload"; exit 1; }
	[ "$action" = fast ] || "${psql[@]}" -c "CHECKPOINT" >/dev/null
	say "fsync=$want, synchronous_commit=$("${psql[@]}" -tAc "SHOW synchronous_commit")"
	exit 0
fi
if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" != 1 ]; then
	"${psql[@]}" -c "CREATE DATABASE $dbname" >&2
fi
printf 'postgres://postgres@127.0.0.1:%s/%s?sslmode=disable\n' "$port" "$dbname"
