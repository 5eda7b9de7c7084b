#!/usr/bin/env bash
# parallel_test.sh MPSIM: a sweep cut into 4 shards and run by GNU parallel
# (Debian package `parallel`, as docs/sweeps.md shows across hosts), merged:
# the same bytes as the sweep run at once.
set -uo pipefail
mpsim="$(realpath "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
if ! command -v parallel > /dev/null; then
  echo "FAIL: GNU parallel is not installed (apt-get install parallel; tools/setup.sh lists it)"
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
spec="$root/scenarios/sweeps/mix.sweep.json"
"$mpsim" sweep "$spec" -o "$work/whole" --quiet || exit 1
parallel --will-cite --halt now,fail=1 -j 2 "$mpsim" sweep "$spec" -o "$work/shard{}" --shard {}/4 --threads 1 ::: 1 2 3 4 \
  2> "$work/parallel.err" || { cat "$work/parallel.err"; echo "FAIL: parallel"; exit 1; }
"$mpsim" sweep merge -o "$work/merged" "$work"/shard[1-4] 2>/dev/null || { echo "FAIL: merge"; exit 1; }
status=0
for f in runs.journal runs.csv runs.jsonl summary.csv; do
  cmp "$work/whole/$f" "$work/merged/$f" || { echo "FAIL: $f differs"; status=1; }
done
exit $status
