#!/usr/bin/env bash
# explore_cli.sh MPSIM SOURCE_DIR: `mpsim explore` and `mpsim run --schedule`
# from the command line: exit codes, the schedule file, replay, stale and bad
# schedules. Works in a fresh temporary folder, removed on exit.
set -uo pipefail
mpsim="$1"
src="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
expect_rc() {  # expect_rc WANT DESCRIPTION CMD...
  local want="$1" what="$2"
  shift 2
  "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  [ "$rc" = "$want" ] || { fail "$what: exit $rc, expected $want"; cat "$tmp/out" "$tmp/err"; }
}
late="$src/scenarios/explore/ticket_late_buyer.json"

expect_rc 6 "explore finds the oversell" "$mpsim" explore "$late" -o "$tmp/s.json"
grep -qx "VIOLATION found at run 2; shortest failing schedule: 1 deviation(s)" "$tmp/out" || fail "violation line"
grep -qx "  tick 1: core 0 took buyer-1 instead of buyer-0" "$tmp/out" || fail "deviation line"
[ "$(grep -c '"kind": "dispatch"' "$tmp/s.json")" = 1 ] || fail "schedule file has one dispatch deviation"

expect_rc 2 "an existing -o file is kept" "$mpsim" explore "$late" -o "$tmp/s.json"

expect_rc 6 "replaying the schedule breaks the expect" "$mpsim" run "$late" --schedule "$tmp/s.json"
grep -q "  2     3    buyer-1  buyer-1 sold a ticket" "$tmp/out" || fail "replay: buyer-1 sells at tick 2"
grep -qx "  FAILED  printed('sold a ticket') == 1  (false)" "$tmp/out" || fail "replay: failed expect line"
expect_rc 0 "the default run passes" "$mpsim" run "$late"

expect_rc 0 "the locked tickets pass within the bound" "$mpsim" explore "$src/scenarios/explore/ticket_lock_checked.json" --bound 3
grep -q "^no violation within bound 3" "$tmp/out" || fail "no violation line"

expect_rc 7 "a search cut short is incomplete" "$mpsim" explore "$src/scenarios/explore/rare_deadlock.json" --bound 10 --por off --max-schedules 5
expect_rc 6 "pct finds the rare deadlock" "$mpsim" explore "$src/scenarios/explore/rare_deadlock.json" --mode pct --depth 2 --runs 200
expect_rc 6 "the seed's oversell, checked from the command line" "$mpsim" explore "$src/scenarios/seed/ticket_nolock.json" --expect "printed('抢票成功') <= 1"
grep -qx "The default schedule already breaks it (no deviation needed)." "$tmp/out" || fail "ticket_nolock: default breaks it"
expect_rc 2 "a bad --expect" "$mpsim" explore "$late" --expect "t > 0"

# A schedule for another scenario, and a stale one.
expect_rc 2 "schedule of another scenario" "$mpsim" run "$src/scenarios/explore/ticket_lock_checked.json" --schedule "$tmp/s.json"
grep -q 'the schedule was recorded for scenario "ticket-late-buyer", not "ticket-lock-checked"' "$tmp/err" || fail "other scenario message"
sed 's/"step": 0/"step": 4/' "$tmp/s.json" > "$tmp/stale.json"
expect_rc 2 "stale schedule" "$mpsim" run "$late" --schedule "$tmp/stale.json"
grep -qx "error: $tmp/stale.json: the schedule does not fit this run (stale): the run met 1 choice points, but deviation 0 is at step 4" "$tmp/err" || fail "stale message"
expect_rc 2 "schedule with another core count" "$mpsim" run "$late" --cores 2 --schedule "$tmp/s.json"
exit $status
