# Sourced by command-line test scripts that work in their own temporary
# folder (cli_test.sh, limits_cli.sh): `fail` records a failure (the script
# ends with `exit $status`), and `expect_rc WANT DESCRIPTION CMD...` runs
# CMD with its output in ./out and ./err and checks its exit code.
status=0
fail() { echo "FAIL: $*"; status=1; }
expect_rc() {
  local want="$1" what="$2"
  shift 2
  "$@" > out 2> err
  local rc=$?
  [ "$rc" = "$want" ] || { fail "$what: exit $rc, expected $want"; cat out err; }
}
