#!/usr/bin/env bash
# python_errors.sh MPSIM: mpsim py refuses what it cannot simulate with the
# call and the line, stops runaway programs at --wall-limit and on SIGINT,
# and leaves no Python process behind in any of these cases.
set -uo pipefail
mpsim="$1"
status=0
fail() { echo "FAIL: $*"; status=1; }

strays() {  # strays SCRIPT: Python processes of mpsim py still running SCRIPT
  pgrep -f "mpsim_rt .*$1" || true
}

# The runaway program runs from a copy with a name of its own, so the checks
# for stray processes see only this test's, not those of a test running
# beside it (another checkout's, or ctest -j).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
forever="$work/forever_$$.py"
cp tests/python/forever.py "$forever"

expect() {  # expect CODE STDERR-TEXT ARGS...
  local code="$1" text="$2"
  shift 2
  local err rc
  err="$("$mpsim" py "$@" 2>&1 >/dev/null)"
  rc=$?
  [ "$rc" = "$code" ] || fail "mpsim py $*: exit code $rc, expected $code"
  [ "$err" = "$text" ] || fail "mpsim py $*: stderr
$err
expected
$text"
  [ -z "$(strays "$1")" ] || fail "mpsim py $*: Python processes left behind: $(strays "$1")"
}

expect 2 "error: tests/python/threads.py:9: threading.Thread.start (threads) is not supported by mpsim py (docs/python.md lists what is)" \
  tests/python/threads.py
expect 2 "error: tests/python/manager.py:7: multiprocessing.Manager is not supported by mpsim py (docs/python.md lists what is)" \
  tests/python/manager.py
expect 4 "error: wall-clock limit reached while waiting for a Python process (raise it with --wall-limit; a loop that never reaches an operation is counted in lines, so it ends only by this limit)" \
  "$forever" --wall-limit 2

# Ctrl-C: exit code 130, every Python process gone.
"$mpsim" py "$forever" --wall-limit 60 >/dev/null 2>&1 &
runner=$!
# Wait for its Python process (a loaded machine may take seconds to start one).
for _ in $(seq 1 300); do
  [ -n "$(strays "$forever")" ] && break
  sleep 0.1
done
[ -n "$(strays "$forever")" ] || fail "forever.py: no Python process was running after 30 s"
kill -INT "$runner"
wait "$runner"
rc=$?
[ "$rc" = 130 ] || fail "SIGINT: exit code $rc, expected 130"
sleep 0.2
[ -z "$(strays "$forever")" ] || fail "SIGINT: Python processes left behind: $(strays "$forever")"

# A bad option is refused before anything starts.
"$mpsim" py tests/python/threads.py --lines-per-tick 0 >/dev/null 2>&1
[ $? = 2 ] || fail "--lines-per-tick 0 was accepted"
exit $status
