#!/usr/bin/env bash
# example_test.sh MPSIM SPEC [--update]: runs the sweep SPEC (scenarios/sweeps/
# NAME.sweep.json) and compares its runs.csv and summary.csv with
# NAME.runs.csv and NAME.summary.csv stored beside it; --update rewrites them
# (tools/update-golden does, for every spec).
set -uo pipefail
mpsim="$1"
spec="$2"
base="${spec%.sweep.json}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$mpsim" sweep "$spec" -o "$work/out" --quiet || { echo "FAIL: sweep $spec"; exit 1; }
status=0
for f in runs summary; do
  if [ "${3:-}" = "--update" ]; then
    cp "$work/out/$f.csv" "$base.$f.csv" && echo "updated $base.$f.csv"
  elif ! diff -u "$base.$f.csv" "$work/out/$f.csv"; then
    echo "FAIL: $spec: $f.csv differs from $base.$f.csv"
    status=1
  fi
done
exit $status
