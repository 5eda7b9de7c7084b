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
  tests/python/forever.py --wall-limit 2

# Ctrl-C: exit code 130, every Python process gone.
"$mpsim" py tests/python/forever.py --wall-limit 60 >/dev/null 2>&1 &
runner=$!
sleep 1.5
[ -n "$(strays forever.py)" ] || fail "forever.py: no Python process was running after 1.5 s"
kill -INT "$runner"
wait "$runner"
rc=$?
[ "$rc" = 130 ] || fail "SIGINT: exit code $rc, expected 130"
sleep 0.2
[ -z "$(strays forever.py)" ] || fail "SIGINT: Python processes left behind: $(strays forever.py)"

# A bad option is refused before anything starts.
"$mpsim" py tests/python/threads.py --lines-per-tick 0 >/dev/null 2>&1
[ $? = 2 ] || fail "--lines-per-tick 0 was accepted"
exit $status
