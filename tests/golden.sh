#!/usr/bin/env bash
# golden.sh MPSIM SCENARIO: compares `mpsim run` output (text with timeline,
# and JSON) with the files stored beside SCENARIO:
#   foo.json -> foo.out.txt and foo.out.json
# A foo.variants file runs the scenario several ways, one per line
# "LABEL: extra args", each compared with foo.LABEL.out.txt / .out.json.
# The exit code must be 0, or the number in foo.exit. A foo.notimeline file
# leaves the per-tick table out of the text (for runs of thousands of ticks).
set -uo pipefail
mpsim="$1"
scenario="$2"
base="${scenario%.json}"
want_exit=0
[ -f "$base.exit" ] && want_exit="$(cat "$base.exit")"
status=0
timeline=(--timeline)
[ -f "$base.notimeline" ] && timeline=()

compare() {  # compare EXPECTED-FILE ARGS...
  local expected="$1"
  shift
  local actual rc
  actual="$("$mpsim" run "$scenario" "$@")"
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

variant() {  # variant PREFIX ARGS...
  local prefix="$1"
  shift
  compare "$prefix.out.txt" "$@" "${timeline[@]}"
  compare "$prefix.out.json" "$@" --format json
}

if [ -f "$base.variants" ]; then
  while IFS=: read -r label rest; do
    [ -z "$label" ] && continue
    read -r -a args <<< "$rest"
    variant "$base.$label" "${args[@]}"
  done < "$base.variants"
else
  variant "$base"
fi
exit $status
