#pragma once
// The machinery `fair` and `cfs` share: a ready queue ordered by virtual
// runtime (then by ready-queue order), the processes the policy has handed to
// cores, placement of waking processes, and the ticks at which a running
// process stops being preferred (so that event skipping stops where a
// tick-by-tick run would act). Only the rules differ: how fast virtual runtime
// grows, how long a slice is, how much credit a waking process keeps, and when
// a ready process may take a running one's core.
//
// Per-process state lives in the policy fields of Process:
//   policy_used   virtual runtime (units chosen by the policy, integers only)
//   policy_level  voluntary_switches + 1 when the policy handed the process to a
//                 core, 0 while it is not on one: a process enqueued with the
//                 same count comes straight from a core (slice end, preemption,
//                 yield) and keeps its virtual runtime; any other enqueue (new,
//                 or it blocked since) is a wake-up and gets placed.
//   policy_epoch  1 while a process woken from a block waits for its first run
//                 since (only such a process may preempt, under cfs), else 0.
#include <algorithm>
#include <set>
#include <vector>

#include "mpsim/kernel/policy.hpp"

namespace mpsim::policies {

class VruntimePolicy : public Policy {
 public:
  void enqueue(Process& p, Tick, bool front) override {
    bool from_core = p.policy_level != 0 && p.policy_level == p.stats.voluntary_switches + 1;
    p.policy_level = 0;
    forget_running(p);
    // New processes take their turn at min_vruntime; processes waking from a
    // block may keep some credit and are the ones allowed to preempt (cfs).
    bool fresh = p.stats.first_run < 0;
    p.policy_epoch = from_core || fresh ? 0 : 1;
    if (!from_core) {
      update_min_vruntime();
      p.policy_used = std::max(p.policy_used, min_vruntime_ - (fresh ? 0 : wake_credit()));
    }
    ready_.insert(Entry{p.policy_used, p.ready_seq, &p});
    ready_weight_ += weight(p);
    if (front) urgent_.insert(urgent_.begin(), &p);
  }
  void dequeue(Process& p) override { remove(p); }
  Process* pick_next(CoreId core, Tick) override {
    Process* pick = nullptr;
    for (Process* p : urgent_)
      if (p->woke_from_io && p->can_run_on(core)) {
        pick = p;
        break;
      }
    if (!pick)
      for (const Entry& e : ready_)
        if (e.p->can_run_on(core)) {
          pick = e.p;
          break;
        }
    if (!pick) return nullptr;
    remove(*pick);
    adopt(*pick, core, 0);
    return pick;
  }
  // Picked here or stolen from another core's queue (it keeps its virtual
  // runtime): on a core, in the total weight, watched by next_event.
  void adopt(Process& p, CoreId, Tick) override {
    p.policy_level = p.stats.voluntary_switches + 1;
    p.policy_epoch = 0;
    prune_running();
    running_.push_back(&p);
  }
  bool has_ready_for(CoreId core) const override {
    return std::any_of(ready_.begin(), ready_.end(),
                       [&](const Entry& e) { return e.p->can_run_on(core); });
  }
  void for_each_ready(const std::function<bool(Process&)>& f) override {
    std::size_t first = 0;
    for (Process* p : urgent_)
      if (p->woke_from_io) {
        ++first;
        if (!f(*p)) return;
      }
    for (const Entry& e : ready_) {
      if (first > 0 && e.p->woke_from_io &&
          std::find(urgent_.begin(), urgent_.end(), e.p) != urgent_.end())
        continue;  // already visited as urgent
      if (!f(*e.p)) return;
    }
  }
  Tick slice_left(const Process& p) const override { return slice(p) - p.quantum_used; }
  void on_ran(Process& p, Tick ticks) override { p.policy_used += ticks * increment(p); }
  bool silent_slice_end() const override { return true; }
  void on_boundary(Tick) override { prune_running(); }
  bool periodic_rounds() const override { return true; }
  std::size_t ready_count() const override { return ready_.size(); }
  // Round skipping moved every ready process's vruntime and sequence number
  // by the same amounts: the order stands, only the keys are stale.
  void rekey_ready() override {
    std::set<Entry> keyed;
    for (const Entry& e : ready_)
      keyed.insert(keyed.end(), Entry{e.p->policy_used, e.p->ready_seq, e.p});
    ready_.swap(keyed);
  }

  // A renewed slice is not an event (silent_slice_end), and virtual runtime
  // grows while a process runs, so the machine must be told when a running
  // process stops being preferred over the best ready one: at the first slice
  // end at which its virtual runtime has reached the ready one's (it is then
  // requeued), and, for preemptive rules, at the first tick at which the ready
  // one would take its core. Stopping at a boundary where nothing happens is
  // harmless; a tick-by-tick run stops at every one.
  Tick next_event(Tick now) const override {
    if (ready_.empty()) return kNever;
    Tick next = kNever;
    for (const Process* p : running_) {
      if (p->state != ProcState::Running) continue;
      const Process* r = best_ready_for(p->core);
      if (!r) continue;
      std::int64_t inc = increment(*p);
      std::int64_t gap = r->policy_used - p->policy_used;  // how far the ready one is ahead
      Tick left = slice_left(*p);
      if (left <= 0) return now + 1;
      if (gap > 0) {  // p is preferred (its slice renews in place) until it has caught up
        Tick full = slice(*p);
        Tick reach = (gap + inc - 1) / inc;
        Tick at = left >= reach ? left : left + (reach - left + full - 1) / full * full;
        next = std::min(next, now + at);
      }
      if (preemptive()) {
        // Phase 4 goes through the ready queue in order and stops at the first
        // process that cannot take a core, unless it is pinned (semantics §5).
        // So only the leftmost process can preempt: if it is a woken one, at
        // the first d with vruntime + d*inc > its vruntime + margin.
        const Process* first = ready_.begin()->p;
        if (!first->affinity.empty()) return now + 1;  // rare: tick by tick
        if (first->policy_epoch == 1 && first->can_run_on(p->core)) {
          Tick d = (first->policy_used - p->policy_used + preempt_margin()) / inc + 1;
          next = std::min(next, now + std::max<Tick>(1, d));
        }
      }
    }
    return next;
  }

  /// A woken process that has not run since it woke (may preempt under cfs).
  static bool waiting_since_wakeup(const Process& p) { return p.policy_epoch == 1; }

 protected:
  /// Virtual runtime a running process gains per tick.
  [[nodiscard]] virtual std::int64_t increment(const Process& p) const = 0;
  /// Full slice length of `p` at this boundary.
  [[nodiscard]] virtual Tick slice(const Process& p) const = 0;
  /// Load weight (cfs); 1 for every process under fair.
  [[nodiscard]] virtual std::int64_t weight(const Process& p) const = 0;
  /// How far below min_vruntime a waking process may be placed.
  [[nodiscard]] virtual std::int64_t wake_credit() const = 0;
  /// Preemptive rules: a ready process takes a core when its vruntime is
  /// smaller by more than this.
  [[nodiscard]] virtual std::int64_t preempt_margin() const { return 0; }

  /// Weight of every runnable process: ready, or on a core (running or being
  /// switched in).
  [[nodiscard]] std::int64_t total_weight() const {
    std::int64_t w = ready_weight_;
    for (const Process* p : running_)
      if (on_core(*p)) w += weight(*p);
    return w;
  }

 private:
  struct Entry {
    std::int64_t vruntime;
    std::uint64_t seq;
    Process* p;
    bool operator<(const Entry& o) const {
      return vruntime != o.vruntime ? vruntime < o.vruntime : seq < o.seq;
    }
  };

  // Handed to a core and still holding it (running, being switched in, or
  // blocked on a held core with switch_on_io false).
  static bool holds_core(const Process& p) {
    return p.policy_level != 0 && p.core >= 0 && p.alive();
  }
  // ... and runnable: counts in the total weight and in min_vruntime.
  static bool on_core(const Process& p) {
    return holds_core(p) && (p.state == ProcState::Running || p.state == ProcState::Ready);
  }
  // The first ready process in policy order that may run on `core`.
  const Process* best_ready_for(CoreId core) const {
    const Process* best = nullptr;
    for (const Process* p : urgent_)
      if (p->woke_from_io && p->can_run_on(core) && (!best || p->policy_used < best->policy_used))
        best = p;
    for (const Entry& e : ready_)
      if (e.p->can_run_on(core)) {
        if (!best || e.vruntime < best->policy_used) best = e.p;
        break;
      }
    return best;
  }
  void remove(Process& p) {
    if (ready_.erase(Entry{p.policy_used, p.ready_seq, &p}) > 0) ready_weight_ -= weight(p);
    auto it = std::find(urgent_.begin(), urgent_.end(), &p);
    if (it != urgent_.end()) urgent_.erase(it);
  }
  void forget_running(const Process& p) {
    auto it = std::find(running_.begin(), running_.end(), &p);
    if (it != running_.end()) running_.erase(it);
  }
  void prune_running() {
    running_.erase(std::remove_if(running_.begin(), running_.end(),
                                  [](const Process* p) { return !holds_core(*p); }),
                   running_.end());
  }
  // min_vruntime never goes back: the smallest vruntime of the runnable
  // processes, or the last value while none is runnable.
  void update_min_vruntime() {
    bool any = false;
    std::int64_t m = 0;
    auto see = [&](std::int64_t v) {
      m = any ? std::min(m, v) : v;
      any = true;
    };
    if (!ready_.empty()) see(ready_.begin()->vruntime);
    for (const Process* p : running_)
      if (on_core(*p)) see(p->policy_used);
    if (any) min_vruntime_ = std::max(min_vruntime_, m);
  }

  std::set<Entry> ready_;
  std::vector<Process*> urgent_;   ///< pushed to the front (io_completion "preempt"), latest first
  std::vector<Process*> running_;  ///< handed to a core (stale entries pruned lazily)
  std::int64_t ready_weight_ = 0;
  std::int64_t min_vruntime_ = 0;
};

}  // namespace mpsim::policies
