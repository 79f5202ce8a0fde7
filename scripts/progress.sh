#!/usr/bin/env bash
# progress.sh LABEL COMMAND… runs COMMAND and, while it runs, prints "  … LABEL: 20s" every
# 10 seconds, so that a long compile or download is never a silent stretch. It exits with
# COMMAND's status and says how long it took.
set -uo pipefail
label=$1
shift
start=$(date +%s)
"$@" &
pid=$!
(
	trap 'kill $s 2>/dev/null; exit 0' TERM
	while :; do
		sleep 10 &
		s=$!
		wait $s
		printf '  … %s: %ds\n' "$label" $(($(date +%s) - start))
	done
) &
ticker=$!
wait $pid
rc=$?
kill $ticker 2>/dev/null
wait $ticker 2>/dev/null
if [ $rc = 0 ]; then
	printf '  %s: done in %ds\n' "$label" $(($(date +%s) - start))
fi
exit $rc
