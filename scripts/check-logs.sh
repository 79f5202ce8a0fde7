#!/usr/bin/env bash
# check-logs.sh fails when a log file holds something shaped like a Taiwanese mobile number or
# national ID / resident certificate number: the service must never log them in full. The file
# is the output of `go test -v ./...`, which holds the service's own log lines.
set -euo pipefail
log=${1:?usage: check-logs.sh LOGFILE}
if hits=$(grep -nE '(^|[^0-9A-Za-z])(09[0-9]{8}|[A-Z][A-Z0-9][0-9]{8})([^0-9]|$)' "$log"); then
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
