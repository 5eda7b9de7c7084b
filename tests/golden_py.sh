#!/usr/bin/env bash
# golden_py.sh MPSIM SCRIPT.py: compares `mpsim py` output (text with timeline,
# and JSON) with the files stored beside SCRIPT, like golden.sh does for
# scenarios: foo.py -> foo.out.txt and foo.out.json; foo.variants runs it
# several ways ("LABEL: extra args" -> foo.LABEL.out.txt/.out.json); foo.exit
# holds an expected exit code other than 0; foo.notimeline drops the table.
# Each run gets a fresh working directory (--cwd), removed afterwards.
set -uo pipefail
mpsim="$1"
script="$2"
base="${script%.py}"
want_exit=0
[ -f "$base.exit" ] && want_exit="$(cat "$base.exit")"
status=0
timeline=(--timeline)
[ -f "$base.notimeline" ] && timeline=()
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

compare() {  # compare EXPECTED-FILE ARGS...
  local expected="$1"
  shift
  local actual rc
  rm -rf "${work:?}"/*
  actual="$("$mpsim" py "$script" --cwd "$work" "$@")"
  rc=$?
  if [ "$rc" != "$want_exit" ]; then
    echo "FAIL: $script $*: exit code $rc, expected $want_exit"
    status=1
  fi
  if [ ! -f "$expected" ]; then
    echo "FAIL: $expected is missing (create it with tools/update-golden-py)"
    status=1
  elif ! diff -u "$expected" <(printf '%s\n' "$actual"); then
    echo "FAIL: $script $* differs from $expected"
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
