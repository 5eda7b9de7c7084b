#pragma once
// Private to sim/: the run-time state of one synchronisation or IPC object.
#include <cstdint>
#include <deque>
#include <map>
#include <utility>

#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim::detail {

struct SyncState {
  const SyncObject* spec = nullptr;
  Pid holder = kNoPid;           ///< lock, rlock: the owner
  std::int64_t count = 0;        ///< rlock: depth; semaphore: value; event: 1 when set; barrier: arrivals
  std::int32_t generation = 0;   ///< barrier: times it has tripped
  std::int32_t next_message = 0; ///< queue: id of the next message put
  std::deque<Pid> waiters;       ///< FIFO: acquirers, event/barrier/condition waiters, getters
  std::deque<std::pair<Pid, Value>> putters;                ///< queue: blocked puts and their message
  std::deque<std::pair<std::int32_t, Value>> items;         ///< queue: messages (id, value)
  /// Semaphore: acquisitions not yet released, by pid. An entry that drops to
  /// 0 is kept (it means "holds none"), so a process that acquires and
  /// releases in a loop finds its node again instead of allocating and
  /// rebalancing on every acquire and release; the map never outgrows the
  /// processes that ever acquired the semaphore.
  std::map<Pid, std::int64_t> held;
  /// Pipe end (spec->pipe_end): the end receiving from this queue is closed,
  /// the end sending into it is closed, and the processes polling it.
  bool reader_closed = false;
  bool writer_closed = false;
  std::deque<Pid> pollers;
  ObjectStats stats;

  [[nodiscard]] bool is_lock() const { return spec->kind == SyncKind::Lock || spec->kind == SyncKind::RLock; }
  [[nodiscard]] bool full() const {
    return spec->value > 0 && static_cast<std::int64_t>(items.size()) >= spec->value;
  }
};

}  // namespace mpsim::detail
