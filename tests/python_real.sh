#!/usr/bin/env bash
# python_real.sh MPSIM: `mpsim py --backend real` runs plain CPython, and
# for the teaching programs whose lines hold no real pid, path or time, its
# output has the simulated lines' content. CPython's processes share one pipe
# and their writes interleave even inside a line (print writes its pieces
# separately), so the check is on the multiset of characters and the number
# of lines; and no process may be left behind.
set -uo pipefail
mpsim="$1"
status=0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for prog in two_ways daemon isolation barrier_phases producer_consumer semaphore_event condition_rlock pool_imap_errors pipe_ping_pong joinable_queue; do
  script="scenarios/python/$prog.py"
  rm -rf "${work:?}"/*
  "$mpsim" py "$script" --cwd "$work" --program-output > "$work.sim"
  rm -rf "${work:?}"/*
  "$mpsim" py "$script" --cwd "$work" --backend real --cores 2 --program-output > "$work.real"
  if ! /usr/bin/python3 - "$work.sim" "$work.real" <<'PY'
import sys
sim = open(sys.argv[1], encoding="utf-8").read()
real = open(sys.argv[2], encoding="utf-8").read()
sys.exit(0 if sorted(sim) == sorted(real) else 1)
PY
  then
    echo "FAIL: $prog: the real output does not hold the simulated lines"
    cat "$work.sim" "$work.real"
    status=1
  fi
  rm -f "$work.sim" "$work.real"
done
# Left behind: a process still working in this test's own folder (a
# pattern on the command line would also see other checkouts' runs).
left=""
for cwd in /proc/[0-9]*/cwd; do
  [ "$(readlink "$cwd" 2>/dev/null)" = "$work" ] && left="$left ${cwd#/proc/}"
done
if [ -n "$left" ]; then
  echo "FAIL: processes left behind:${left//\/cwd/}"
  status=1
fi
exit $status
