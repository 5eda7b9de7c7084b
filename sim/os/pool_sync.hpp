#pragma once
// Private to the pool files (pool_real.cpp, pool_worker.cpp): the futex
// words by which a pool's creator and its workers wake each other as they
// hand tasks and results over through the shared task table (shared.hpp,
// under its RunGuard).
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>

#include "os/shared.hpp"

namespace mpsim::os::detail {

// A pool's idle workers and its waiting creator look again this often (the
// creator's death, a worker's): a futex wake normally ends the wait first.
inline constexpr std::int64_t kPoolPollNs = 20000000;

inline void bump(std::atomic<std::uint32_t>& word) {
  word.fetch_add(1);
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, INT32_MAX, nullptr,
          nullptr, 0);
}

// Sleeps while `word` still holds `seen`, at most until `deadline_ns` (CLOCK_MONOTONIC).
inline void sleep_on(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                     std::int64_t deadline_ns) {
  timespec ts{static_cast<time_t>(deadline_ns / 1000000000),
              static_cast<long>(deadline_ns % 1000000000)};
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_BITSET, seen, &ts, nullptr,
          FUTEX_BITSET_MATCH_ANY);
}

}  // namespace mpsim::os::detail
