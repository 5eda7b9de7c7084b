#pragma once
// Private to sim/os/: waiting for a child's exit with a bounded sleep.
#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cstdint>

namespace mpsim::os::detail {

/// Sleeps until the pidfd `fd` reports the process's exit or `left_ns` pass;
/// without a pidfd (fd < 0) it sleeps at most 1 ms, so the caller polls.
inline void sleep_on_pidfd(int fd, std::int64_t left_ns) {
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    timespec ts{static_cast<time_t>(left_ns / 1000000000), static_cast<long>(left_ns % 1000000000)};
    ppoll(&p, 1, &ts, nullptr);
  } else {
    timespec ts{0, std::min<long>(static_cast<long>(left_ns), 1000000)};
    nanosleep(&ts, nullptr);
  }
}

}  // namespace mpsim::os::detail
