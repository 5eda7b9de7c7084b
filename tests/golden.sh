#!/usr/bin/env bash
# golden.sh MPSIM FILE: compares mpsim's output (text with timeline, and JSON)
# with the files stored beside FILE, a scenario (`mpsim run`) or a Python
# program (`mpsim py`):
#   foo.json -> foo.out.txt and foo.out.json; foo.py -> the same
# A foo.variants file runs it several ways, one per line
# "LABEL: extra args", each compared with foo.LABEL.out.txt / .out.json.
# The exit code must be 0, or the number in foo.exit. A foo.notimeline file
# leaves the per-tick table out of the text (for runs of thousands of ticks).
# A Python program gets a fresh working directory (--cwd) for each run,
# removed afterwards.
set -uo pipefail
mpsim="$1"
file="$2"
case "$file" in
  *.py)
    base="${file%.py}"
    command=(py "$file")
    update=tools/update-golden-py
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    ;;
  *)
    base="${file%.json}"
    command=(run "$file")
    update=tools/update-golden
    work=""
    ;;
esac
want_exit=0
[ -f "$base.exit" ] && want_exit="$(cat "$base.exit")"
status=0
timeline=(--timeline)
[ -f "$base.notimeline" ] && timeline=()

compare() {  # compare EXPECTED-FILE ARGS...
  local expected="$1"
  shift
  local actual rc
  local cwd=()
  if [ -n "$work" ]; then
    rm -rf "${work:?}"/*
    cwd=(--cwd "$work")
  fi
  actual="$("$mpsim" "${command[@]}" "${cwd[@]}" "$@")"
  rc=$?
  if [ "$rc" != "$want_exit" ]; then
    echo "FAIL: $file $*: exit code $rc, expected $want_exit"
    status=1
  fi
  if [ ! -f "$expected" ]; then
    echo "FAIL: $expected is missing (create it with $update)"
    status=1
  elif ! diff -u "$expected" <(printf '%s\n' "$actual"); then
    echo "FAIL: $file $* differs from $expected"
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
