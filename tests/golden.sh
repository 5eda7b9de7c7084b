#!/usr/bin/env bash
# golden.sh MPSIM SCENARIO: compares `mpsim run` (text with timeline, and JSON)
# with SCENARIO's stored outputs (foo.json -> foo.out.txt, foo.out.json).
# An optional foo.args holds extra arguments (one line). Exit code must be 0,
# or the number in foo.exit.
set -uo pipefail
mpsim="$1"
scenario="$2"
base="${scenario%.json}"
args=()
[ -f "$base.args" ] && read -r -a args < "$base.args"
want_exit=0
[ -f "$base.exit" ] && want_exit="$(cat "$base.exit")"
status=0
check() {  # check EXPECTED-FILE ARGS...
  local expected="$1"
  shift
  local actual rc
  actual="$("$mpsim" run "$scenario" "${args[@]}" "$@")"
  rc=$?
  if [ "$rc" != "$want_exit" ]; then
    echo "FAIL: $scenario $*: exit code $rc, expected $want_exit"
    status=1
  fi
  if [ ! -f "$expected" ]; then
    echo "FAIL: $expected is missing (create it with tools/update-golden)"
    status=1
  elif ! diff -u "$expected" <(printf '%s\n' "$actual"); then
    echo "FAIL: $scenario $* differs from $expected"
    status=1
  fi
}
check "$base.out.txt" --timeline
check "$base.out.json" --format json
exit $status
