// The tick loop. `run` is the contract of semantics.md §5 read top to bottom:
// each boundary runs phases 1-5 in order, then `advance` moves time to the next
// boundary at which anything can change (or by one tick without skipping).
// The phases and their helpers are `inline`: each is called from one place
// in this file, and inlining them into `run` saves 7 % of the instructions
// per event (callgrind; wall time on this machine did not move).
// next_event_time must be forced: g++ 12 kept it out of line, and saving and
// restoring its registers at every boundary cost 3 % of bursts 1000x100.
#include <algorithm>

#include "kernel/kernel.hpp"
#include "kernel/run_queues.hpp"

namespace mpsim {

RunResult simulate(const Scenario& scenario, const RunOptions& options) {
  detail::Kernel kernel(scenario, options);
  return kernel.run();
}

namespace detail {

namespace {

// Policy::for_each_ready with a visitor that captures many references: handing
// it over as one pointer keeps std::function from allocating, which matters
// because the machine visits the ready queue at nearly every boundary.
template <typename F>
void visit_ready(Policy& policy, F&& visit) {
  policy.for_each_ready([fp = &visit](Process& r) { return (*fp)(r); });
}

}  // namespace

RunResult Kernel::run() {
  Resume from = Resume::Phase1;
  for (;;) {
    if (from == Resume::Phase1) {
      if (!io_woken_.empty() || (!timers_.empty() && timers_.top().tick == now_))
        wake_timers();  // 1. io/sleep/timeouts end, then arrivals, each in pid order
      if (options_.chooser) [[unlikely]]
        continue_chosen();  // 2. ... in the order a chooser picks (choice.cpp)
      else
        continue_finished();  // 2. finished computes run their zero-time ops (core order)
    }
    expire_quanta();         // 3. used-up slices go to the tail of the ready queue
    if (traits_.preemptive || !io_woken_.empty())
      preempt_for_better();  // 4. preemptive policies / io_completion "preempt"
    dispatch_free_cores();   // 5. free cores pick, in core order
    if (all_done()) break;
    if (now_ >= options_.max_ticks || (options_.interrupt && *options_.interrupt)) {
      result_.stopped = stop_reason();  // docs/reliability.md: a limit or ^C, not exhaustion
      break;
    }
    if (now_ >= next_round_try_) skip_rounds();  // 6a. whole rr/fair/cfs rounds at once
    // 6b. plain rr slice changes, io ends and dispatches on one core
    // (rotation.cpp); it may stop inside a later boundary, whose phases follow.
    from = batch_ && batch_may_start() ? rotate_slices() : Resume::Advance;
    if (from != Resume::Advance) continue;
    if (advance() == kNever) {  // 6. every core runs one tick (or many, skipped)
      result_.deadlock = true;
      break;
    }
    from = Resume::Phase1;
  }
  finish_run();
  return std::move(result_);
}

void Kernel::wake_timers() {
  // The last boundary's io wake-ups lose their urgency: it lasted through its
  // phase 5 (policies that order by priority put them first only then).
  for (Pid pid : io_woken_) proc(pid).woke_from_io = false;
  io_woken_.clear();
  std::vector<Pid> to_front;  // io_completion "preempt": queued ahead, in pid order
  while (!timers_.empty() && timers_.top().tick == now_) {
    Timer t = timers_.top();
    timers_.pop();
    Process& p = proc(t.pid());
    if (t.gen != p.timer_gen) continue;  // cancelled (woken early, killed)
    p.wake_at = kNever;
    if (t.group() == 1) {
      --pending_arrivals_;
      start_process(p);
      continue;
    }
    if (p.block == BlockReason::Io) finish_io_service(p);
    if (p.block == BlockReason::Join) p.join_target = kNoPid;  // timed out: nothing reaped
    if (p.wait_obj >= 0) {  // a synchronisation wait timed out: it decides what follows
      sync_timeout(p);
      continue;
    }
    if (p.core >= 0) {
      held_resume_.push_back(p.pid);  // switch_on_io false: it still owns its core
    } else if (p.block == BlockReason::Io &&
               scenario_.machine.io_completion == IoCompletion::Preempt) {
      p.woke_from_io = true;
      to_front.push_back(p.pid);
      io_woken_.push_back(p.pid);
      set_state(p, ProcState::Ready);  // enqueued below, ahead of everyone
    } else {
      make_ready(p);
    }
  }
  for (auto it = to_front.rbegin(); it != to_front.rend(); ++it) {
    Process& p = proc(*it);
    p.ready_since = now_;
    p.ready_seq = ++ready_seq_;
    policy_->enqueue(p, now_, true);
  }
}

inline void Kernel::continue_finished() {
  for (Core& c : cores_) {
    if (c.pid == kNoPid) continue;
    Process& p = *c.process;
    if (c.status == CoreStatus::Running && p.remaining == 0) {
      handle_stop(c, p, run_zero_time(p));
    } else if (c.status == CoreStatus::Switching && c.switch_left == 0) {
      c.switched_in = now_;
      begin_running(c, p);
    } else if (c.status == CoreStatus::Held &&
               std::find(held_resume_.begin(), held_resume_.end(), p.pid) != held_resume_.end()) {
      begin_running(c, p);
    }
  }
  held_resume_.clear();
}

inline void Kernel::expire_quanta() {
  if (traits_.keeps_time) policy_->on_boundary(now_);
  for (Core& c : cores_) {
    if (c.status != CoreStatus::Running) continue;
    Process& p = *c.process;
    if (slice_left(p) > 0) continue;
    if (traits_.keeps_time) policy_->on_slice_end(p);
    if (wanted_by_other(c, p) && !(options_.chooser && chosen_keep_slice(p))) {
      ++p.stats.involuntary_switches;
      release_core(c);
      make_ready(p);
    } else {
      p.quantum_used = 0;  // nobody else wants this core: a fresh slice, no switch
    }
  }
}

// Would a ready process take core `c` if `p` gave it up? One that the policy
// ranks strictly below `p` would not (MLFQ: a lower level), so requeueing `p`
// would only "switch" it to itself and count a switch that never happened.
inline bool Kernel::wanted_by_other(const Core& c, const Process& p) {
  if (!policy_->has_ready_for(c.id)) return multi_ostep_;  // multi.py requeues even a lone job
  if (traits_.ranks_all_equal) return true;      // rr, fcfs: anyone ready will do
  bool wanted = false;
  visit_ready(*policy_, [&](Process& r) {
    wanted = eligible(r, c.id) && !policy_->prefers(p, r, now_);
    return !wanted;
  });
  return wanted;
}

namespace {

// Among running candidates, the one to take a core from: the least preferred by
// the policy, then the one running longest, then the highest core.
bool worse_victim(const Policy& pol, const Process& a, const Process& b, CoreId ca, CoreId cb,
                  Tick now) {
  if (pol.prefers(b, a, now)) return true;
  if (pol.prefers(a, b, now)) return false;
  if (a.state_since != b.state_since) return a.state_since < b.state_since;
  return ca > cb;
}

}  // namespace

void Kernel::preempt_for_better() {
  bool io_preempt = !io_woken_.empty();
  if (!traits_.preemptive && !io_preempt) return;
  std::vector<bool> taken(cores_.size());
  std::size_t free_or_taken = 0;
  for (const Core& c : cores_) {
    if (c.status != CoreStatus::Idle && c.status != CoreStatus::Running) {
      taken[static_cast<std::size_t>(c.id)] = true;
      ++free_or_taken;
    }
  }
  std::vector<Core*> victims;
  std::vector<bool> lost(per_core_ ? cores_.size() : 0);  // per-core queues in which a candidate lost
  visit_ready(*policy_, [&](Process& r) {
    if (per_core_ && lost[static_cast<std::size_t>(r.rq_core)]) return true;
    // A free core would take `r` in phase 5: no preemption needed for it.
    for (Core& c : cores_) {
      if (!taken[static_cast<std::size_t>(c.id)] && c.status == CoreStatus::Idle && eligible(r, c.id)) {
        taken[static_cast<std::size_t>(c.id)] = true;
        return ++free_or_taken < cores_.size();
      }
    }
    bool by_io = io_preempt && r.woke_from_io;
    if (!by_io && !traits_.preemptive) return stop_queue(lost, r);  // io-woken ones come first
    Core* victim = nullptr;
    for (Core& c : cores_) {
      if (taken[static_cast<std::size_t>(c.id)] || c.status != CoreStatus::Running || !eligible(r, c.id)) continue;
      // A process whose switch-in has just been paid for runs at least this
      // tick. Otherwise two processes can take the core from each other at
      // every switch completion and never run (priority aging with a switch
      // cost of at least the aging period: a livelock).
      if (c.switched_in == now_) continue;
      const Process& v = *c.process;
      if (!by_io && !policy_->prefers(r, v, now_)) continue;
      if (!victim || worse_victim(*policy_, v, *victim->process, c.id, victim->id, now_)) victim = &c;
    }
    if (victim) {
      taken[static_cast<std::size_t>(victim->id)] = true;
      victims.push_back(victim);
      return ++free_or_taken < cores_.size();
    }
    // A worse candidate cannot win where `r` lost.
    return !r.affinity.empty() || by_io || stop_queue(lost, r);
  });
  for (Core* c : victims) {
    Process& v = *c->process;
    ++v.stats.involuntary_switches;
    release_core(*c);
    make_ready(v);
  }
}

inline void Kernel::dispatch_free_cores() {
  // A dispatched process may make others ready (a child, a lock waiter, a
  // joining parent) after an earlier free core was passed over: go round
  // again until no free core can take a ready process.
  if (multi_ostep_ && per_core_) [[unlikely]]
    ostep_steal();
  for (bool dispatched = true; dispatched;) {
    dispatched = false;
    for (Core& c : cores_)
      while (c.status == CoreStatus::Idle && dispatch(c)) dispatched = true;
  }
}

// Gives free core `c` the policy's pick, if any; it runs its zero-time
// operations at once unless the core must first switch to it.
inline bool Kernel::dispatch(Core& c) {
  Process* p = options_.chooser ? chosen_next(c) : policy_->pick_next(c.id, now_);
  if (!p) return false;
  p->core = c.id;
  bool other = c.last != kNoPid && c.last != p->pid;
  if (other) ++result_.context_switches;
  if (other && scenario_.machine.context_switch > 0) {
    c.switch_left = scenario_.machine.context_switch;  // overhead counted as it is spent (set_core)
    set_core(c, CoreStatus::Switching, p);
  } else {
    begin_running(c, *p);
  }
  return true;
}

inline Tick Kernel::advance() {
  Tick next = next_event_time();
  if (next == kNever) return kNever;
  if (!options_.event_skipping) next = now_ + 1;
  // Never skip past the tick limit: a run stops at max_ticks exactly, skipping or not.
  next = std::min(next, options_.max_ticks);
  if (cache_) [[unlikely]]
    next = cache_step(next);
  Tick d = next - now_;
  std::int32_t running = 0;
  for (Core& c : cores_) {
    if (c.status == CoreStatus::Running) {
      Process& p = *c.process;
      // c.renews: computed by next_event_time just above, same state. Slices
      // renewed in place while skipping: keep where the current one stands,
      // in (0, slice], so that phase 3 sees an expiry at exactly the
      // boundaries a tick-by-tick run would.
      Tick slice = c.renews ? slice_left(p) + p.quantum_used : 0;
      p.remaining -= d;
      p.quantum_used += d;
      if (c.renews && p.quantum_used > slice) p.quantum_used = (p.quantum_used - 1) % slice + 1;
      if (traits_.keeps_time) policy_->on_ran(p, d);
      if (p.remaining == 0) ++p.pc;  // the compute is done; phase 2 continues after it
      ++running;
    } else if (c.status == CoreStatus::Switching) {
      c.switch_left -= d;
    }
  }
  result_.max_parallelism = std::max(result_.max_parallelism, running);
  if (per_core_) per_core_->account(now_, d);
  result_.concurrency_ticks += live_ * d;
  now_ = next;
  zero_ops_.clear();  // a new boundary: nobody has run zero-time operations yet
  return next;
}

// A slice that would only be renewed in place (nobody else wants the core,
// and the policy does nothing at a slice end) is not an event: a lone
// process under rr computes 10^9 ticks in one step, not one per quantum.
inline bool Kernel::renews_silently(const Core& c, const Process& p) {
  return traits_.silent_slice_end && !wanted_by_other(c, p);
}

// Also leaves renews_silently's answer in Core::renews for advance(), which
// runs right after at the same boundary (nothing changes in between).
[[gnu::always_inline]] inline Tick Kernel::next_event_time() {
  Tick t = timers_.empty() ? kNever : timers_.top().tick;
  for (Core& c : cores_) {
    if (c.status == CoreStatus::Running) {
      const Process& p = *c.process;
      Tick until = p.remaining;
      c.renews = renews_silently(c, p);
      if (!c.renews) until = std::min(until, std::max<Tick>(1, slice_left(p)));
      t = std::min(t, now_ + until);
    } else if (c.status == CoreStatus::Switching) {
      t = std::min(t, now_ + c.switch_left);
    }
  }
  if (t == kNever) return kNever;  // nothing pending: the policy alone cannot wake anyone
  if (traits_.preemptive && preemption_pending()) t = std::min(t, now_ + 1);
  return traits_.keeps_time ? std::min(t, policy_->next_event(now_)) : t;
}

// Would phase 4 take a core at the next boundary? After phase 5 a ready
// process may already beat a running one: a victim of phase 4, a child or
// waiter made ready in phase 5, a process spared because its switch-in had
// just ended, one dispatched ahead of better ones (io_completion "preempt"),
// or a running one whose burst proved longer than predicted (srtf). A
// tick-by-tick run preempts at the next tick, so event skipping must stop
// there too. Preferences only weaken as running processes progress (aging
// steps are events of their own), so asking now is safe: at worst one
// boundary more, at which nothing happens.
bool Kernel::preemption_pending() {
  bool pending = false;
  std::vector<bool> lost(per_core_ ? cores_.size() : 0);
  visit_ready(*policy_, [&](Process& r) {
    if (per_core_ && lost[static_cast<std::size_t>(r.rq_core)]) return true;
    for (const Core& c : cores_)
      if (c.status == CoreStatus::Running && eligible(r, c.id) &&
          policy_->prefers(r, *c.process, now_))
        pending = true;
    // In policy order a worse candidate cannot win where `r` lost (io-woken
    // ones come first, out of order; pinned ones may lose only by affinity).
    return !pending && (r.woke_from_io || !r.affinity.empty() || stop_queue(lost, r));
  });
  return pending;
}

// The order argument of phase 4 ("a worse candidate cannot win where `r`
// lost") holds within one ready queue. With one global queue the visit stops
// (false); with per-core queues only the rest of `r`'s queue is skipped.
bool Kernel::stop_queue(std::vector<bool>& lost, const Process& r) const {
  if (!per_core_) return false;
  lost[static_cast<std::size_t>(r.rq_core)] = true;
  return true;
}

inline bool Kernel::all_done() const { return live_ == 0 && pending_arrivals_ == 0; }

}  // namespace detail
}  // namespace mpsim
