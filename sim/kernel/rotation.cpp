// Slice batching (semantics.md §5, "Slice batching"): under rr on one core,
// most boundaries are plain slice changes: the running process's quantum
// ends, it goes to the tail of the ready queue, the head is dispatched (and
// switched to, at a cost), and it goes on with a compute it was already in.
// Nothing else can happen at such a boundary, so the general tick loop
// (phases 1-5, next_event_time, advance) only finds out, at about 600
// instructions a slice, what is known in advance. This loop applies those
// boundaries one after the other with the same bookkeeping helpers (so the
// counters and the event log are the ones the tick loop writes), and hands
// back to the tick loop at the first boundary where anything else may happen:
// a timer (arrival, io or sleep end, timeout), the end of a compute, a
// process that must run operations when dispatched, the tick limit or an
// interrupt. Round skipping is asked at every boundary it would be asked at
// in the tick loop, so whole rounds are still replayed at once.
//
// One core only: on several cores a slice change on one core can coincide
// with events on another, and phase order across cores matters; there the
// tick loop keeps doing it.
#include <algorithm>

#include "kernel/kernel.hpp"

namespace mpsim::detail {

namespace {

// The head of the ready queue, without taking it out (for_each_ready with
// the visitor handed over as one pointer: no allocation in std::function).
Process* ready_head(Policy& policy) {
  Process* head = nullptr;
  auto first = [&head](Process& r) {
    head = &r;
    return false;
  };
  policy.for_each_ready([fp = &first](Process& r) { return (*fp)(r); });
  return head;
}

}  // namespace

bool Kernel::batches_slices(const Scenario& s, const RunOptions& o) {
  return o.event_skipping && o.slice_batching && !o.chooser && s.machine.cores == 1 &&
         s.machine.queues != QueueDesign::PerCore && s.machine.scheduler.policy == "rr";
}

// Called after phase 5 of a boundary, where the tick loop would advance.
// Leaves the machine after phase 5 of a later boundary (or of the same one).
void Kernel::rotate_slices() {
  Core& c = cores_[0];
  const Tick cost = scenario_.machine.context_switch;
  const Tick quantum = traits_.fixed_quantum;
  bool moved = false;
  while (io_woken_.empty() && !(options_.interrupt && *options_.interrupt)) {
    // Boundaries at or past the limit are the tick loop's: it stops there.
    Tick limit = std::min(timers_.empty() ? kNever : timers_.top().tick, options_.max_ticks);
    if (c.status == CoreStatus::Switching) {
      // The switch completes; the process goes on with its compute (phase 2).
      Process& x = *c.process;
      Tick done = now_ + c.switch_left;
      if (done >= limit || x.remaining <= 0) break;
      result_.concurrency_ticks += live_ * (done - now_);
      c.switch_left = 0;
      now_ = done;
      c.switched_in = now_;
      begin_running(c, x);  // remaining > 0: no operation runs
    } else if (c.status == CoreStatus::Running) {
      Process& p = *c.process;
      Tick slice = quantum - p.quantum_used;
      Tick end = now_ + slice;
      if (end >= limit || p.remaining <= slice) break;  // a timer first, or the compute ends
      Process* x = ready_head(*policy_);
      if (!x || !x->can_run_on(c.id) || x->remaining <= 0) break;  // alone, or x runs operations
      // Advance to the end of the slice (as advance() does).
      p.remaining -= slice;
      p.quantum_used += slice;
      result_.max_parallelism = std::max(result_.max_parallelism, 1);
      result_.concurrency_ticks += live_ * slice;
      now_ = end;
      // Phase 3: the slice is used up and x wants the core.
      ++p.stats.involuntary_switches;
      release_core(c);
      make_ready(p);
      // Phase 5: x is dispatched (dispatch() in machine.cpp); it is not p.
      Process* next = policy_->pick_next(c.id, now_);
      next->core = c.id;
      ++result_.context_switches;
      ++result_.batched_slices;
      if (cost > 0) {
        c.switch_left = cost;
        set_core(c, CoreStatus::Switching, next);
      } else {
        begin_running(c, *next);
      }
    } else {
      break;
    }
    moved = true;
    if (now_ >= next_round_try_) skip_rounds();  // as the tick loop asks after phase 5
  }
  if (moved) zero_ops_.clear();  // later boundaries: nobody has run zero-time operations
}

}  // namespace mpsim::detail
