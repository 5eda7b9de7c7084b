#!/usr/bin/env bash
# cli_test.sh MPSIM SOURCE_DIR: what the command line shows whichever
# subcommands main.cpp registers (all for --help and errors, only the named
# one otherwise), and that `mpsim run` writes the same bytes to stdout and to
# a file, whole or not at all. Works in a fresh temporary folder.
set -uo pipefail
mpsim="$1"
src="$2"
tmp="$(mktemp -d)"
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
source "$(dirname "$0")/cli_checks.sh"  # fail, expect_rc
cd "$tmp" || exit 1
commands="run check demo policies compare report validate gen sweep explore py"

# --help lists every command, in this order, and the unknown-command error
# names the same ones (main.cpp's table against what each add_X registers).
expect_rc 0 "--help" "$mpsim" --help
listed="$(sed -n '/^Subcommands:/,$p' out | awk 'NR > 1 && NF { print $1 }' | tr '\n' ' ')"
[ "$listed" = "$commands " ] || fail "--help lists [$listed]"
expect_rc 2 "an unknown command" "$mpsim" rn
[ "$(cat err)" = "error: unknown command \"rn\" (did you mean \"run\"?); commands: $commands" ] ||
  fail "unknown command message: $(cat err)"
expect_rc 2 "no command" "$mpsim"
[ "$(cat err)" = "A subcommand is required
Run with --help for more information." ] || fail "no command: $(cat err)"
expect_rc 0 "--version" "$mpsim" --version
[ "$(cat out)" = "mpsim 0.1.0" ] || fail "--version: $(cat out)"

# Each command, registered alone, parses and shows its own help.
for c in $commands; do
  expect_rc 0 "$c --help" "$mpsim" "$c" --help
  grep -q "^Usage: [^ ]*mpsim[^ ]* $c \[OPTIONS\]" out || fail "$c --help usage: $(head -3 out)"
done
expect_rc 0 "sweep merge --help" "$mpsim" sweep merge --help
grep -q "^Usage: [^ ]*mpsim[^ ]* sweep merge \[OPTIONS\]" out || fail "sweep merge --help: $(head -2 out)"
expect_rc 0 "policies" "$mpsim" policies
grep -q "^rr: " out || fail "policies lists rr"

# Another command's name after a run's file is an unexpected argument, as it
# was when every command was registered.
daemon="$src/scenarios/seed/daemon.json"
expect_rc 2 "run FILE check" "$mpsim" run "$daemon" check
[ "$(head -1 err)" = "The following argument was not expected: check" ] || fail "run FILE check: $(cat err)"
expect_rc 2 "run --bogus" "$mpsim" run "$daemon" --bogus
[ "$(head -1 err)" = "The following argument was not expected: --bogus" ] || fail "run --bogus: $(cat err)"

# `mpsim run --format json` streams its result in pieces: 1000 processes make
# about 770 KB, a dozen pieces, the same bytes to stdout, a pipe and a file.
cat > many.json << 'JSON'
{"name":"many","machine":{"cores":1,"scheduler":{"policy":"rr","quantum":10}},
 "programs":{"w":[{"repeat":3,"do":[{"compute":"cpu"},{"io":"5"}]}]},
 "processes":[{"name":"w{index}","program":"w","count":1000,"args":{"cpu":"10 + index % 7"}}]}
JSON
expect_rc 0 "json to stdout" "$mpsim" run many.json --format json
mv out stdout.json
[ "$(stat -c %s stdout.json)" -gt 500000 ] || fail "the json result is $(stat -c %s stdout.json) bytes"
[ "$(grep -c '^      "pid": ' stdout.json)" = 1000 ] || fail "the json result does not list 1000 processes"
[ "$(tail -c 3 stdout.json | od -An -c | tr -d ' ')" = '\n}\n' ] || fail "the json result does not end in }"
"$mpsim" run many.json --format json | cat > pipe.json
cmp -s stdout.json pipe.json || fail "json through a pipe differs from stdout"
expect_rc 0 "json to a file" "$mpsim" run many.json --format json -o file.json
cmp -s stdout.json file.json || fail "json in a file differs from stdout"
[ ! -s out ] || fail "-o file.json also wrote to stdout"
expect_rc 2 "an existing file without --force" "$mpsim" run many.json --format json -o file.json
[ "$(cat err)" = "error: file.json already exists; pass --force to replace it" ] || fail "exists: $(cat err)"
echo old > old.json
expect_rc 0 "--force replaces it" "$mpsim" run many.json --format json -o old.json --force
cmp -s stdout.json old.json || fail "json replacing a file differs from stdout"
expect_rc 2 "a missing folder" "$mpsim" run many.json --format json -o no/such.json
[ "$(cat err)" = "error: cannot write no/such.json: No such file or directory" ] || fail "missing folder: $(cat err)"
expect_rc 0 "text to stdout" "$mpsim" run many.json
mv out stdout.txt
expect_rc 0 "text to a file" "$mpsim" run many.json -o file.txt
cmp -s stdout.txt file.txt || fail "text in a file differs from stdout"
leftover="$(find . -name '.*.mpsim-*')"
[ -z "$leftover" ] || fail "temporary files left: $leftover"

exit $status
