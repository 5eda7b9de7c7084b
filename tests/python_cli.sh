#!/usr/bin/env bash
# python_cli.sh MPSIM compare|validate: `mpsim compare` and `mpsim validate`
# on .py files (docs/python.md). compare is simulated only, so its table is
# checked byte for byte; validate runs CPython for real (label os): its
# outcome rows are exact, its timing rows are given a wide tolerance.
set -uo pipefail
mpsim="$1"
mode="$2"
status=0
fail() {
  echo "FAIL: $*"
  status=1
}

if [ "$mode" = compare ]; then
  out="$("$mpsim" compare tests/python/two_workers.py --cores 1,2 --policy rr,fcfs --lines-per-tick 1000)"
  rc=$?
  [ "$rc" = 0 ] || fail "compare exited $rc"
  # Hand-checked: the workers compute 2 and 4 ticks (2000 and 4000 lines at
  # 1000 a tick); on 1 core 6 ticks in all, on 2 cores the longer one, 4.
  diff -u - <(printf '%s\n' "$out") <<'TXT' || fail "compare table differs"
cores  policy          makespan  speedup  efficiency  cpu_util  io_busy  turnaround_mean  turnaround_p95  response_mean  response_p95  wait_mean  wait_p95  switches  switch_overhead  max_parallelism  avg_concurrency  bound  makespan_over_bound
1      rr (quantum 4)  6         1.00     1.00        100.0%    0        4.67             6               0.67           2             2.00       4         3         0                1                2.33             6.0    1.00
2      rr (quantum 4)  4         1.50     0.75        75.0%     0        3.33             4               0.00           0             0.00       0         2         0                2                2.50             4.0    1.00
1      fcfs            6         1.00     1.00        100.0%    0        4.67             6               0.67           2             2.00       4         3         0                1                2.33             6.0    1.00
2      fcfs            4         1.50     0.75        75.0%     0        3.33             4               0.00           0             0.00       0         2         0                2                2.50             4.0    1.00

work 6 ticks, span 4 ticks: on p cores no schedule beats max(work/p, span)
critical path of the slowest run (1 core(s), rr (quantum 4)): Process-2 compute 4

On 1 core up to 3 processes were in progress at once (concurrency), but never more than 1 ran at once.
On 2 cores up to 2 ran at once (parallelism): speedup 1.50 of a possible 1.50 (makespan 6 -> 4, bound 4.0).
TXT
  # The same runs as CSV: one line per configuration, makespans 6 4 6 4.
  makespans="$("$mpsim" compare tests/python/two_workers.py --cores 1,2 --policy rr,fcfs --lines-per-tick 1000 --format csv |
    awk -F, 'NR > 1 { printf "%s ", $3 }')"
  [ "$makespans" = "6 4 6 4 " ] || fail "compare csv makespans: '$makespans'"
  # An unsupported call stops compare as it stops mpsim py.
  "$mpsim" compare tests/python/threads.py --cores 1 > /dev/null 2>&1
  rc=$?
  [ "$rc" = 2 ] || fail "compare of an unsupported call exited $rc, expected 2"
  exit $status
fi

leftovers_before="$(ls -d /tmp/mpsim-pyreal-* 2>/dev/null | wc -l)"
out="$("$mpsim" validate tests/python/two_workers.py --runs 2 --lines-per-tick 1000 --tolerance 1000)"
rc=$?
[ "$rc" = 0 ] || fail "validate two_workers exited $rc: $out"
for row in "  exit code MainProcess     0          0        ok       2/2 runs" \
  "  exit code Process-1       3          3        ok       2/2 runs" \
  "  exit code Process-2       4          4        ok       2/2 runs" \
  "  printed lines (multiset)  3 lines    3 lines  ok       2/2 runs equal" \
  "PASS: 8 of 8 rows agree"; do
  grep -qxF -- "$row" <<< "$out" || fail "validate two_workers: no row '$row' in: $out"
done
grep -q "^  makespan (ms)             6.0   " <<< "$out" || fail "validate: no makespan row of 6 ticks: $out"

# A program that behaves differently under the simulation: exit code 5 and
# the row that differs.
out="$("$mpsim" validate tests/python/knows_mpsim.py --runs 1)"
rc=$?
[ "$rc" = 5 ] || fail "validate knows_mpsim exited $rc, expected 5"
grep -qxF "  exit code MainProcess     1          0        FAIL     0/1 runs" <<< "$out" ||
  fail "validate knows_mpsim: no failing exit-code row in: $out"

# JSON: the same rows, machine-readable.
"$mpsim" validate tests/python/two_workers.py --runs 1 --lines-per-tick 1000 --tolerance 1000 --format json |
  /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
rows = {r["row"]: r for r in j["rows"]}
assert j["pass"] is True, j
assert rows["exit code Process-2"]["simulated"] == "4" and rows["exit code Process-2"]["real"] == "4", rows
assert rows["cpu (ms) Process-2"]["simulated"] == "4.0", rows
assert j["slack_ms"] == 50 and j["slack_per_process_ms"] == 10 and j["cpu_slack_ms"] == 10, j
' || fail "validate --format json"

leftovers_after="$(ls -d /tmp/mpsim-pyreal-* 2>/dev/null | wc -l)"
[ "$leftovers_after" = "$leftovers_before" ] || fail "validate left a /tmp/mpsim-pyreal-* folder behind"
exit $status
