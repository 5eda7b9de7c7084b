#!/usr/bin/env bash
# cli_test.sh MPSIM: `mpsim sweep` end to end on a small spec: the same bytes
# for 1 and 2 threads, after an interrupted and resumed sweep, and from
# merged shards; refusals (another spec version, missing shards, existing
# files); `sweep plot` escapes its strings; `gen` never overwrites unasked.
set -uo pipefail
mpsim="$(realpath "$1")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
status=0
fail() { echo "FAIL: $*"; status=1; }
same() {  # same DIR1 DIR2: every sweep file byte for byte
  for f in runs.journal runs.csv runs.jsonl summary.csv; do
    cmp -s "$1/$f" "$2/$f" || fail "$1/$f and $2/$f differ"
  done
}
expect_exit() {  # expect_exit CODE MESSAGE-PART CMD...
  local code="$1" msg="$2"
  shift 2
  local out rc
  out="$("$@" 2>&1)"
  rc=$?
  [ "$rc" = "$code" ] || fail "$* exited $rc, expected $code: $out"
  grep -qF -- "$msg" <<<"$out" || fail "$*: expected a message with \"$msg\", got: $out"
}

cp "$root/scenarios/seed/concurrency_vs_parallelism.json" cvp.json
cat > spec.json <<'JSON'
{ "scenario": "cvp.json",
  "grid": { "policy": ["rr", "fcfs"], "cores": [1, 2, 4], "/name": ["a<b&c"] },
  "seeds": 3 }
JSON

"$mpsim" sweep spec.json -o one --threads 1 --quiet || fail "sweep --threads 1"
"$mpsim" sweep spec.json -o two --threads 2 > summary.txt || fail "sweep --threads 2"
same one two
[ "$(wc -l < one/runs.csv)" = 19 ] || fail "runs.csv should have a header and 18 rows"
grep -q "^fcfs" summary.txt || fail "the summary table lists fcfs: $(cat summary.txt)"
head -1 one/runs.csv | grep -q "^run,policy,cores,/name,seed,cores,policy,makespan," || fail "runs.csv header: $(head -1 one/runs.csv)"

# A progress line on a terminal (script(1) gives the sweep one), none otherwise.
if command -v script > /dev/null; then
  script -qec "'$mpsim' sweep spec.json -o tty --quiet" /dev/null > tty.txt
  grep -q "sweep: 18/18 runs, .* runs/s, ETA 0 s" tty.txt || fail "no progress line on a terminal: $(cat -v tty.txt)"
fi
"$mpsim" sweep spec.json -o notty --quiet 2> notty.txt
[ ! -s notty.txt ] || fail "progress written to a stderr that is not a terminal: $(cat notty.txt)"

# Interrupted after 5 runs, with a half-written line, then resumed.
"$mpsim" sweep spec.json -o part --limit 5 2> part.err || fail "sweep --limit 5"
grep -q "5 of 18 runs done" part.err || fail "--limit: $(cat part.err)"
[ ! -e part/runs.csv ] || fail "runs.csv written before the sweep is complete"
printf '17\t"17,rr' >> part/runs.journal
"$mpsim" sweep spec.json -o part --quiet || fail "resumed sweep"
same one part

# One writer per folder: a second sweep into it while the first runs is refused.
if command -v flock > /dev/null; then
  flock one sleep 2 &
  sleep 0.5
  expect_exit 2 "another mpsim sweep is writing to one" "$mpsim" sweep spec.json -o one
  wait
fi

# Another spec version may not join these results.
sed 's/"seeds": 3/"seeds": 4/' spec.json > spec2.json
expect_exit 2 "holds results of another version of the spec" "$mpsim" sweep spec2.json -o one
cp one/runs.csv before.csv
"$mpsim" sweep spec2.json -o one --force --quiet || fail "--force"
[ "$(wc -l < one/runs.csv)" = 25 ] || fail "--force should start over with 24 runs"
expect_exit 2 "is not empty and holds no sweep journal" "$mpsim" sweep spec.json -o "$root/scenarios"

# Shards in any order, merged: the unsharded bytes.
for i in 3 1 2; do "$mpsim" sweep spec.json -o "s$i" --shard "$i/3" 2>/dev/null || fail "shard $i/3"; done
[ ! -e s1/runs.csv ] || fail "a shard writes only its journal"
"$mpsim" sweep merge -o merged s2 s1 s3 2>/dev/null || fail "merge"
same two merged
expect_exit 2 "shards missing: 2" "$mpsim" sweep merge -o m2 s1 s3
expect_exit 2 "is a shard of another sweep" "$mpsim" sweep merge -o m3 s1 one
expect_exit 2 "expected i/N" "$mpsim" sweep spec.json -o x --shard 4/3

# Plot: a chart with error bars; strings escaped.
"$mpsim" sweep plot two --x cores --y makespan --series /name -o chart.svg || fail "plot"
grep -q "a&lt;b&amp;c" chart.svg || fail "plot labels are not escaped"
! grep -q "a<b&c" chart.svg || fail "plot has a raw '<'"
grep -q "<polyline" chart.svg || fail "plot draws no line"
"$mpsim" sweep plot two --x cores --y makespan --series policy -o chart.html || fail "plot to HTML"
grep -q "<svg" chart.html && grep -q "<td>policy rr</td><td>4</td><td>12.0000</td><td>0.0000</td><td>3</td>" chart.html || fail "the HTML page lacks the chart or its table"
expect_exit 2 'no metric "makspan" (did you mean "makespan"?)' "$mpsim" sweep plot two --x cores --y makspan
expect_exit 2 "already exists" "$mpsim" sweep plot two --x cores --y makespan -o chart.svg

# gen never replaces a file unasked.
"$mpsim" gen jobs --jobs 4 --seed 1 -o jobs.json || fail "gen"
expect_exit 2 "already exists" "$mpsim" gen jobs --jobs 5 -o jobs.json
"$mpsim" gen jobs --jobs 5 -o jobs.json --force || fail "gen --force"
"$mpsim" check jobs.json > /dev/null || fail "a generated scenario passes check"
expect_exit 2 "gen tree: unknown parameter \"seed\"" "$mpsim" gen tree --seed 3
exit $status
