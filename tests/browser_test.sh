#!/usr/bin/env bash
# browser_test.sh MPSIM: renders `mpsim report` and `mpsim compare --gantt` in
# headless Chromium. The page must load with no script error, contain its
# parts, fetch nothing from the network, and render to a PNG screenshot.
set -euo pipefail
mpsim="$1"
chrome="$(command -v chromium || true)"
if [ -z "$chrome" ]; then
  echo "FAIL: chromium is not installed (tools/test installs it: apt-get install chromium)"
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
scenario=scenarios/seed/concurrency_vs_parallelism.json
"$mpsim" report "$scenario" -o "$work/report.html" --cores 1,2,4
"$mpsim" compare "$scenario" --cores 1,4 --gantt "$work/gantt.svg" > /dev/null

browse() {  # browse ARGS... : headless Chromium without any network use
  timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --window-size=1200,1600 "$@" 2>> "$work/chromium.log"
}

status=0
fail() { echo "FAIL: $*"; status=1; }

if grep -Eo '(src|href)="https?:[^"]*"' "$work/report.html"; then fail "the report refers to the network"; fi

dom="$(browse --dump-dom "file://$work/report.html")"
grep -q 'data-ready="1"' <<< "$dom" || fail "the page's script did not finish (no data-ready)"
grep -q 'data-errors="0"' <<< "$dom" || fail "script errors on the page: $(grep -o 'data-errors="[0-9]*"' <<< "$dom")"
for id in compare words tree output gantt-0 gantt-1 gantt-2; do
  grep -q "id=\"$id\"" <<< "$dom" || fail "element #$id is missing"
done
rows="$(grep -c '<tr class="cfg"' <<< "$dom" || true)"
[ "$rows" = 3 ] || fail "expected 3 configuration rows, found $rows"
grep -q 'speedup 3.33 of a possible 3.33' <<< "$dom" || fail "plain-words line missing"

browse --screenshot="$work/report.png" "file://$work/report.html" > /dev/null
browse --screenshot="$work/gantt.png" "file://$work/gantt.svg" > /dev/null
for png in report.png gantt.png; do
  /usr/bin/python3 - "$work/$png" <<'PY' || fail "$png is not a 1200x1600 PNG"
import struct, sys
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
w, h = struct.unpack('>II', data[16:24])
assert (w, h) == (1200, 1600), (w, h)
assert len(data) > 20000, 'suspiciously small: blank page?'
PY
done
# Hostile names and prints (tests/hostile/markup_in_names.json): markup and
# quotes from a scenario must show as text and never run. Each payload would
# set document.title to "pwned-by-..." if it ran.
hostile=tests/hostile/markup_in_names.json
"$mpsim" report "$hostile" -o "$work/hostile.html"
"$mpsim" run "$hostile" --gantt "$work/hostile.svg" > /dev/null
hdom="$(browse --dump-dom "file://$work/hostile.html")"
if grep -q '<title>pwned-by-[a-z]*</title>' <<< "$hdom"; then fail "a scenario string ran as script in the report"; fi
grep -q 'data-errors="0"' <<< "$hdom" || fail "script errors on the hostile page"
for text in "&lt;script&gt;document.title='pwned-by-print'&lt;/script&gt;" \
            "&lt;b onmouseover=\"document.title='pwned-by-process'\"&gt;bold&lt;/b&gt;"; do
  grep -qF "$text" <<< "$hdom" || fail "the report does not show literally: $text"
done
if grep -Eq '<(img|b) [^>]*(onerror|onmouseover)' <<< "$hdom"; then fail "scenario markup became elements"; fi
sdom="$(browse --dump-dom "file://$work/hostile.svg")"
# The chart's <title> tooltips hold the names as text; a payload that ran would
# have made a title that is nothing but "pwned-by-...".
if grep -q '<title>pwned-by-[a-z]*</title>' <<< "$sdom"; then fail "a scenario string ran in the SVG"; fi
if grep -Eq '<[a-z]+ [^>]*(onerror|onmouseover|onload)=' <<< "$sdom"; then fail "scenario markup became SVG elements"; fi
grep -qF "&lt;b onmouseover=" <<< "$sdom" || fail "the Gantt chart does not show the process name literally"

[ $status = 0 ] && echo "browser test passed: report and Gantt chart render without errors, hostile names shown as text"
exit $status
