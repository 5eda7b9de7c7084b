#!/usr/bin/env bash
# sweep_bench.sh MPSIM [REPS]: how fast `mpsim sweep` is (docs/sweeps.md,
# "Measured"). A 100-process CPU/IO mix (mpsim gen mix) under 5 policies on
# 1, 2, 4 and 8 cores, 500 seeds each: 10,000 runs. Times the sweep with 1 and
# with 2 worker threads, alternating, REPS times each (default 3), and a plain
# shell loop of 300 `mpsim run` on the same scenario; prints medians.
# A benchmark, not a test: on a shared machine the figures move with the load
# (and with autogroup scheduling a second thread may get no more CPU share),
# so the CPU time (user + sys, from /usr/bin/time) is printed beside the wall time.
set -euo pipefail
mpsim="$(realpath "$1")"
reps="${2:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$mpsim" gen mix --processes 100 --bursts 3 --seed 1 -o mix100.json
cat > spec.json <<'JSON'
{ "scenario": "mix100.json",
  "grid": { "policy": ["fcfs", "rr", "srtf", "sjf", "cfs"], "cores": [1, 2, 4, 8] },
  "seeds": 500 }
JSON
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
t1=() t2=() c1=() c2=()
for ((r = 0; r < reps; ++r)); do
  for threads in 1 2; do
    rm -rf "out$threads"
    /usr/bin/time -f "%e %U %S" -o time.txt "$mpsim" sweep spec.json -o "out$threads" --threads "$threads" --quiet
    read -r secs user sys < time.txt
    cpu="$(echo "$user + $sys" | bc -l)"
    if [ "$threads" = 1 ]; then t1+=("$secs") c1+=("$cpu"); else t2+=("$secs") c2+=("$cpu"); fi
    echo "rep $r threads $threads: $secs s wall, $cpu s CPU" >&2
  done
  cmp -s out1/runs.csv out2/runs.csv || { echo "runs.csv differs between 1 and 2 threads" >&2; exit 1; }
done
runs="$(($(wc -l < out1/runs.csv) - 1))"
m1="$(printf '%s\n' "${t1[@]}" | median)"
m2="$(printf '%s\n' "${t2[@]}" | median)"
mc1="$(printf '%s\n' "${c1[@]}" | median)"
mc2="$(printf '%s\n' "${c2[@]}" | median)"
# The same kind of work as a plain shell loop: 300 separate `mpsim run`s.
loops=300 policies=(fcfs rr srtf sjf cfs) cores=(1 2 4 8)
s="$(now)"
for ((i = 0; i < loops; ++i)); do
  "$mpsim" run mix100.json --policy "${policies[i % 5]}" --cores "${cores[(i / 5) % 4]}" --format json > /dev/null
done
e="$(now)"
loop_per_run="$(echo "($e - $s) / $loops" | bc -l)"
printf 'runs %d\n' "$runs"
printf 'sweep, 1 thread:  median %.2f s  (%.0f runs/s, %.3f ms per run)\n' "$m1" "$(echo "$runs / $m1" | bc -l)" "$(echo "1000 * $m1 / $runs" | bc -l)"
printf 'sweep, 2 threads: median %.2f s  (%.0f runs/s, %.3f ms per run)\n' "$m2" "$(echo "$runs / $m2" | bc -l)" "$(echo "1000 * $m2 / $runs" | bc -l)"
printf 'speedup 1 -> 2 threads: %.2f (wall); CPU time median %.2f s (1 thread), %.2f s (2 threads)\n' "$(echo "$m1 / $m2" | bc -l)" "$mc1" "$mc2"
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'shell loop of mpsim run: %.3f ms per run (%d runs), %.0f s for %d runs\n' "$(echo "1000 * $loop_per_run" | bc -l)" "$loops" "$(echo "$loop_per_run * $runs" | bc -l)" "$runs"
