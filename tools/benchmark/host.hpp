#pragma once
// The machine the benchmark ran on: figures mean little without it.
#include <cstdint>
#include <string>

namespace mpsim::bench {

struct Host {
  std::string cpu;  ///< model name from /proc/cpuinfo
  int logical_cpus = 0;
  std::int64_t memory_mb = 0;
  std::string kernel;  ///< uname -sr
  std::string compiler;
  std::string build_type;  ///< CMAKE_BUILD_TYPE of this binary
};

Host describe_host();

}  // namespace mpsim::bench
