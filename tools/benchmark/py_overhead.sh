#!/usr/bin/env bash
# tools/benchmark/py_overhead.sh [RUNS] [MPSIM]: for every program in
# scenarios/python, side by side and alternating, the median wall time of
# plain `python3 PROGRAM` (Debian's /usr/bin/python3, real sleeps) and of
# `mpsim py PROGRAM` (simulated time), with the simulated makespan. Each run
# gets a fresh working directory. A program that deadlocks is stopped after
# 15 s of real time and shown as such.
set -uo pipefail
runs="${1:-5}"
mpsim="${2:-build/tools/mpsim}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ms() { date +%s%3N; }
printf '%-24s %12s %14s %16s %10s\n' program python3_ms mpsim_py_ms sim_makespan_ms overhead
for prog in scenarios/python/*.py tools/benchmark/py_cpu.py; do
  real=() sim=()
  for ((i = 0; i < runs; i++)); do
    rm -rf "${work:?}"/*
    t0=$(now_ms)
    (cd "$work" && timeout 15 /usr/bin/python3 "$OLDPWD/$prog" >/dev/null 2>&1)
    rc=$?
    real+=($(( $(now_ms) - t0 )))
    rm -rf "${work:?}"/*
    t0=$(now_ms)
    "$mpsim" py "$prog" --cwd "$work" >/dev/null 2>&1
    sim+=($(( $(now_ms) - t0 )))
  done
  rm -rf "${work:?}"/*
  makespan=$("$mpsim" py "$prog" --cwd "$work" --format json 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["summary"]["makespan"] * r["machine"]["tick_us"] / 1000)')
  rm_=$(printf '%s\n' "${real[@]}" | median)
  sm=$(printf '%s\n' "${sim[@]}" | median)
  [ "$rc" = 124 ] && rm_="hang(>15000)"
  printf '%-24s %12s %14s %16s %10s\n' "$(basename "$prog")" "$rm_" "$sm" "$makespan" \
    "$(awk -v a="$sm" -v b="$rm_" 'BEGIN { if (b+0 > 0) printf "%.2fx", a/b; else print "-" }')"
done
