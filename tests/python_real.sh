#!/usr/bin/env bash
# python_real.sh MPSIM: `mpsim py --backend real` runs plain CPython and the
# simulation prints the same lines, in some order: CPython's processes write
# to one pipe and their writes interleave (a line and its newline can be
# separated), so the check is that every simulated line occurs in the real
# output as often as simulated and that nothing else is there (same length
# without newlines)
# for the teaching programs whose lines do not contain real pids, paths or
# times; and no process is left behind.
set -uo pipefail
mpsim="$1"
status=0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for prog in two_ways daemon isolation barrier_phases producer_consumer semaphore_event condition_rlock pool_imap_errors; do
  script="scenarios/python/$prog.py"
  rm -rf "${work:?}"/*
  "$mpsim" py "$script" --cwd "$work" --program-output > "$work.sim"
  rm -rf "${work:?}"/*
  "$mpsim" py "$script" --cwd "$work" --backend real --cores 2 --program-output > "$work.real"
  if ! /usr/bin/python3 - "$work.sim" "$work.real" <<'PY'
import sys
sim = open(sys.argv[1], encoding="utf-8").read().splitlines()
real = open(sys.argv[2], encoding="utf-8").read().replace("\n", "")
ok = sum(map(len, sim)) == len(real) and all(real.count(l) >= sim.count(l) for l in set(sim) if l)
sys.exit(0 if ok else 1)
PY
  then
    echo "FAIL: $prog: the real output does not hold the simulated lines"
    cat "$work.sim" "$work.real"
    status=1
  fi
  rm -f "$work.sim" "$work.real"
done
if pgrep -f "python3 -s .*scenarios/python/" >/dev/null; then
  echo "FAIL: processes left behind: $(pgrep -fa "python3 -s .*scenarios/python/")"
  status=1
fi
exit $status
