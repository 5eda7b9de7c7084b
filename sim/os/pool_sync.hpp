#pragma once
// Private to real mode's runtime files (pool_real.cpp, pool_worker.cpp,
// process_files.cpp): the futex words and the lock by which a pool's creator
// and its workers hand tasks and results to each other through the shared
// task table (shared.hpp), and which guards stores into shared values.
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

/// The run's guard mutex (robust, process-shared), held for the pool tables
/// and for each store into a shared value or array (process_files.cpp).
class RunGuard {
 public:
  explicit RunGuard(Shared& sh) : m_(&sh.sync_guard) {
    if (pthread_mutex_lock(m_) == EOWNERDEAD) pthread_mutex_consistent(m_);
  }
  ~RunGuard() { pthread_mutex_unlock(m_); }
  RunGuard(const RunGuard&) = delete;
  RunGuard& operator=(const RunGuard&) = delete;

 private:
  pthread_mutex_t* m_;
};

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
