#pragma once
// Private to sim/kernel: the cache model (machine.cache, semantics.md §12.1),
// OSTEP multi.py's. Each core's cache holds the working sets of the processes
// that are warm on it; a process runs cold (1 compute tick per tick) until it
// has run `warmup` ticks on a core, then warm (`warm_rate` per tick) there,
// until another working set that becomes warm pushes it out.
#include <cstdint>
#include <deque>
#include <vector>

#include "mpsim/kernel/process.hpp"
#include "mpsim/model/result.hpp"

namespace mpsim::detail {

class CacheModel {
 public:
  CacheModel(const CacheConfig& cfg, std::int32_t cores, MultiCoreResult& stats);

  /// `p` starts running on core `c`: unless warm or already warming there,
  /// it starts to warm (with no warm-up it is warm at once).
  void on_dispatch(CoreId c, const Process& p);
  /// Ticks until `p`, running on `c`, next changes speed or finishes its compute.
  [[nodiscard]] Tick until_event(CoreId c, const Process& p) const;
  /// `p` ran `d` ticks on `c` (never past until_event): its compute progresses
  /// and its warm-up counts down; returns the compute ticks done.
  Tick run(CoreId c, const Process& p, Tick d);
  [[nodiscard]] bool warm(CoreId c, Pid pid) const;

 private:
  struct Entry {
    Pid pid;
    std::int64_t size;  ///< its working set
  };
  /// A process's state on one core: warm, never seen, or ticks left to warm.
  static constexpr Tick kWarm = -1, kUnseen = -2;
  struct Cache {
    std::deque<Entry> contents;  ///< warm working sets, the most recently warmed first
    std::int64_t total = 0;      ///< the sum of their sizes
    std::vector<Tick> state;     ///< by pid: kWarm, kUnseen or the warm-up left (>= 0)
  };
  static Tick& state(Cache& cache, Pid pid);
  static Tick state(const Cache& cache, Pid pid);
  void make_warm(Cache& cache, const Process& p);

  CacheConfig cfg_;
  std::vector<Cache> caches_;
  MultiCoreResult& stats_;
};

}  // namespace mpsim::detail
