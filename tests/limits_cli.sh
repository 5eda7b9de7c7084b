#!/usr/bin/env bash
# limits_cli.sh MPSIM [memory]: every command that simulates takes the limit
# flags (docs/reliability.md, "Limits") and honours them; with `memory`, a run
# that reaches --max-memory-mb first (not under the sanitizers, whose
# allocator reports running out itself). Works in a fresh temporary folder.
set -uo pipefail
mpsim="$1"
mode="${2:-commands}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/cli_checks.sh"  # fail, expect_rc
cd "$tmp" || exit 1
has() {  # has FILE TEXT DESCRIPTION
  grep -qF -- "$2" "$1" || { fail "$3: no '$2' in $1"; cat "$1"; }
}

if [ "$mode" = memory ]; then
  # s doubles 40 times: 64 MiB of address space runs out at about 2^25 bytes,
  # long before the string limit (raised to 1 TiB) or any other limit.
  cat > mem.json << 'EOF'
{ "name": "memory", "machine": { "cores": 1, "scheduler": "fcfs" },
  "programs": { "main": [ { "set": "s", "value": "'x'" },
                          { "repeat": 40, "do": [ { "set": "s", "value": "s + s" } ] },
                          { "print": "never" } ] },
  "processes": [ { "name": "main", "program": "main" } ] }
EOF
  expect_rc 4 "run --max-memory-mb 64" "$mpsim" run mem.json --max-string-bytes 1099511627776 --max-memory-mb 64
  [ "$(cat err)" = "error: out of memory: the run needed more than mpsim may use (raise --max-memory-mb)" ] ||
    fail "memory limit message: $(cat err)"
  # The same run within the string limit: that limit comes first, as a runtime error.
  expect_rc 0 "run, default limits" "$mpsim" run mem.json --format json
  has out "is longer than the limit of 1048576 bytes (--max-string-bytes)" "string limit first"
  exit $status
fi

# Two initial processes: --max-processes 1 refuses the file at load, the same way in each command.
cat > two.json << 'EOF'
{ "name": "two", "machine": { "cores": 1, "scheduler": "fcfs" },
  "programs": { "main": [ { "compute": 5 } ] },
  "processes": [ { "name": "p{index}", "program": "main", "count": 2 } ] }
EOF
refused="error: two.json: the scenario starts 2 processes, above the limit of 1 (--max-processes)"
for cmd in run compare "report -o r.html" validate explore demo; do
  # shellcheck disable=SC2086
  expect_rc 2 "$cmd --max-processes 1" "$mpsim" $cmd two.json --max-processes 1
  [ "$(cat err)" = "$refused" ] || fail "$cmd --max-processes 1: $(cat err)"
done

# 1000 ticks of computing between two prints: --max-ticks 10 stops every run at tick 10.
cat > long.json << 'EOF'
{ "name": "long", "machine": { "cores": 1, "scheduler": "fcfs" },
  "programs": { "main": [ { "print": "start" }, { "compute": 1000 }, { "print": "end" } ] },
  "processes": [ { "name": "main", "program": "main" } ] }
EOF
stopped="STOPPED at tick 10: simulated-time limit of 10 ticks reached (--max-ticks)"
expect_rc 4 "run --max-ticks 10" "$mpsim" run long.json --max-ticks 10
has out "$stopped" "run"
expect_rc 0 "compare --max-ticks 10" "$mpsim" compare long.json --cores 1 --format csv --max-ticks 10
[ "$(sed -n 2p out | cut -d, -f1-3)" = "1,fcfs,10" ] || fail "compare makespan: $(sed -n 2p out)"
expect_rc 0 "compare" "$mpsim" compare long.json --cores 1 --format csv
[ "$(sed -n 2p out | cut -d, -f1-3)" = "1,fcfs,1000" ] || fail "compare makespan: $(sed -n 2p out)"
expect_rc 0 "report --max-ticks 10" "$mpsim" report long.json -o r.html --cores 1 --max-ticks 10
has r.html '<td>1</td><td class="l">fcfs</td><td>10</td>' "report: makespan 10"
expect_rc 0 "demo --max-ticks 10" "$mpsim" demo long.json --max-ticks 10
[ "$(grep -cF "$stopped" out)" = 2 ] || fail "demo: both runs stopped at tick 10"
# explore: "end" is never printed within 10 ticks, so the check fails on the first run.
expect_rc 6 "explore --max-ticks 10" "$mpsim" explore long.json --max-ticks 10 --expect "printed('end') == 1"
has out "VIOLATION found at run 1" "explore"
expect_rc 0 "explore" "$mpsim" explore long.json --expect "printed('end') == 1"
echo '{"scenario": "long.json", "grid": {"cores": [1]}}' > s.sweep.json
expect_rc 0 "sweep --max-ticks 10" "$mpsim" sweep s.sweep.json -o sweep --max-ticks 10 --quiet
[ "$(sed -n 2p sweep/runs.csv | cut -d, -f1-6)" = "0,1,,1,fcfs,10" ] || fail "sweep makespan: $(sed -n 2p sweep/runs.csv)"
# py: a Python program's prints count against --max-output-lines.
if [ -x /usr/bin/python3 ]; then
  printf 'print("a")\nprint("b")\nprint("c")\n' > three.py
  expect_rc 0 "py --max-output-lines 1" "$mpsim" py three.py --max-output-lines 1 --format json
  has out '"message": "three.py:2: output limit of 1 lines reached (--max-output-lines)"' "py"
fi
exit $status
