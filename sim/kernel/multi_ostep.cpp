// machine.multi_ostep with per-core queues: the two rules of OSTEP's multi.py
// that differ from mpsim's own (docs/multi-ostep.md). Its interrupts at the
// multiples of the quantum are in the tick loop (wanted_by_other, begin_running).
#include "kernel/kernel.hpp"
#include "kernel/run_queues.hpp"

namespace mpsim::detail {

void Kernel::ostep_steal() {
  per_core_->ostep_steal(now_);
}

// New processes are dealt out to the cores in turn, as multi.py deals its
// job list (core 0, 1, ..., n-1, 0, ...); a pinned one goes to the next core
// it may run on.
CoreId PerCoreQueues::ostep_place(const Process& p) {
  auto n = static_cast<CoreId>(queues_.size());
  for (CoreId i = 0; i < n; ++i) {
    CoreId k = (cursor_ + i) % n;
    if (!p.can_run_on(k)) continue;
    cursor_ = (k + 1) % n;
    return k;
  }
  return place(p);  // unreachable: affinity names at least one existing core
}

// At each multiple of the peek interval (not 0), every core whose queue is
// empty, in core order, draws another core with random.choice and moves the
// first process of that core's queue to its own queue. Pinned processes are
// not taken (multi.py's test of affinity here is a typo; see the doc).
void PerCoreQueues::ostep_steal(Tick now) {
  auto n = static_cast<CoreId>(queues_.size());
  // One core has nobody to steal from (multi.py fails there: no CPU to choose).
  if (n < 2 || cfg_.steal_peek <= 0 || now == 0 || now % cfg_.steal_peek != 0) return;
  for (CoreId k = 0; k < n; ++k) {
    if (queued_[static_cast<std::size_t>(k)] != 0) continue;
    auto pick = static_cast<CoreId>(rng_.below(static_cast<std::uint64_t>(n - 1)));
    CoreId victim = pick < k ? pick : pick + 1;  // the list of cores without k
    Process* first = nullptr;
    queues_[static_cast<std::size_t>(victim)]->for_each_ready([&](Process& r) {
      if (r.affinity.empty()) first = &r;
      return first == nullptr;
    });
    if (!first) continue;
    dequeue(*first);
    push(*first, k, now, false);
    ++stats_.stolen;
  }
}

}  // namespace mpsim::detail
