#!/usr/bin/env bash
# check-logs.sh fails when a log file holds something shaped like a Taiwanese mobile number or
# national ID / resident certificate number: the service must never log them in full.
set -euo pipefail
log=${1:?usage: check-logs.sh LOGFILE}
if hits=$(grep -nE '(^|[^0-9A-Za-z])(09[0-9]{8}|[A-Z][A-Z0-9][0-9]{8})([^0-9]|$)' "$log"); then
	echo "personal data in the test suite's log output ($log):" >&2
	printf '%s\n' "$hits" | head -n 20 >&2
	exit 1
fi
echo "log check: no phone or ID numbers in $(wc -l <"$log") lines of test output"
