#!/usr/bin/env bash
# malformed.sh MPSIM FILE: `mpsim check FILE` must exit 2 and print exactly
# FILE's .expected (stderr), no more, no less.
set -uo pipefail
mpsim="$1"
file="$2"
expected="${file%.json}.expected"
actual="$("$mpsim" check "$file" 2>&1 >/dev/null)"
rc=$?
status=0
if [ "$rc" != 2 ]; then
  echo "FAIL: exit code $rc, expected 2"
  status=1
fi
if ! diff -u "$expected" <(printf '%s\n' "$actual"); then
  echo "FAIL: messages differ from $expected"
  status=1
fi
exit $status
