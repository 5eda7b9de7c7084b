# Shared by tools/mpsim, tools/test and tools/bench (sourced, not run):
# installs missing Debian packages when root, then configures and builds.
set -euo pipefail

MPSIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MPSIM_PACKAGES=(g++ cmake make nlohmann-json3-dev libboost-graph-dev libcli11-dev
                libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev python3 python3-jsonschema
                parallel)
# The fuzz targets (tools/fuzz, tools/test's fuzz stage): clang and its libFuzzer runtime.
MPSIM_FUZZ_PACKAGES=(clang libclang-rt-14-dev)

mpsim_missing_packages() {
  local missing=()
  for p in "${MPSIM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

mpsim_install_packages() {
  local missing
  missing="$(mpsim_missing_packages)"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "mpsim: missing Debian packages: $missing" >&2
    echo "mpsim: install them with: sudo apt-get install -y $missing" >&2
    exit 2
  fi
  echo "mpsim: installing $missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >&2
}

# mpsim_build DIR [cmake args...]: configure once, then build incrementally and quietly.
mpsim_build() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$MPSIM_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > "$dir/configure.log" 2>&1 ||
      { cat "$dir/configure.log" >&2; exit 1; }
  fi
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  cmake --build "$dir" -j "$jobs" > "$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; exit 1; }
}

# mpsim_build_fuzz: the libFuzzer targets and their seeds in build-fuzz/ (clang, ASan, UBSan).
mpsim_build_fuzz() {
  mpsim_build "$MPSIM_ROOT/build-fuzz" -DMPSIM_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++
}

# mpsim_fuzz_options TARGET: libFuzzer options for it. Inputs no longer than
# what they need (scenario files a few KB, expressions a line, the generator a
# few hundred choices); 10 s for one input is a hang, but 60 s for the loader:
# checking the names of 10^6 replicas (the limit) takes 1.5 s of CPU, about 5 s
# under ASan, more on a busy machine. Findings stop the run.
mpsim_fuzz_options() {
  case "$1" in
    loader) echo "-max_len=16384 -timeout=60" ;;
    expr) echo "-max_len=512 -timeout=10" ;;
    scenario) echo "-max_len=512 -timeout=10" ;;
  esac
}
