#include "host.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

namespace mpsim::bench {

namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    auto colon = line.find(':');
    if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
  }
  return "unknown";
}

}  // namespace

Host describe_host() {
  Host h;
  h.cpu = cpu_model();
  h.logical_cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  h.memory_mb =
      static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE) / (1024 * 1024);
  utsname u{};
  if (uname(&u) == 0) h.kernel = std::string(u.sysname) + " " + u.release;
#if defined(__clang__)
  h.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  h.compiler = "g++ " __VERSION__;
#endif
  h.build_type = MPSIM_BENCH_BUILD_TYPE;
  if (h.build_type.empty()) h.build_type = "(none)";
  return h;
}

}  // namespace mpsim::bench
