#pragma once
// Runs a piece of work in a forked child, so that its peak memory is its own
// (not the high-water mark of everything run before it) and so that a crash
// or a runaway case ends one row of the report, not the whole benchmark.
#include <cstdint>
#include <functional>
#include <string>

namespace mpsim::bench {

struct Isolated {
  bool ok = false;
  std::string output;             ///< what the body returned
  std::string failure;            ///< why not ok (exception, signal, timeout)
  std::int64_t peak_rss_kb = 0;   ///< peak resident memory of the child
  std::int64_t start_rss_kb = 0;  ///< resident memory before the body ran
};

/// Peak resident memory of this process so far (VmHWM), in kB.
std::int64_t peak_rss_kb();

/// Runs `body` in a child process killed after `timeout_s` seconds (0: no limit).
Isolated run_isolated(const std::function<std::string()>& body, int timeout_s);
/// Runs `body` here, for profilers that should see one process; the peak is
/// then the whole process's so far, and there is no timeout.
Isolated run_here(const std::function<std::string()>& body);

}  // namespace mpsim::bench
