#!/usr/bin/env bash
# check-logs.sh fails when a log file holds something shaped like a Taiwanese mobile number or
# national ID / resident certificate number: the service must never log them in full. The file
# is the output of `go test -v ./...`, which holds the service's own log lines.
set -euo pipefail
log=${1:?usage: check-logs.sh LOGFILE}
# Random ids, trace ids, MACs and checkpoints are runs of 24 or more lowercase hex digits, in
# which ten digits starting 09 turn up by chance (about one id in 30,000; a suite logs
# thousands): they are blanked before the search, as internal/server's security test does.
if hits=$(sed -E 's/[0-9a-f]{24,}/<hex>/g' "$log" | grep -nE '(^|[^0-9A-Za-z])(09[0-9]{8}|[A-Z][A-Z0-9][0-9]{8})([^0-9]|$)'); then
	echo "personal data in the test suite's log output ($log):" >&2
	printf '%s\n' "$hits" | head -n 20 >&2
	exit 1
fi
# The check proves something only if the service's own log lines are in the output (the
# test servers print them with -v): one request line at least.
if ! grep -qE 'msg=request .*way=(graphql|legacy)' "$log"; then
	echo "no service request log lines in $log: the personal-data check would prove nothing" >&2
	exit 1
fi
echo "log check: no phone or ID numbers in $(wc -l <"$log") lines of test output, $(grep -cE 'msg=request ' "$log") of them service request lines"
