// cfs: weighted fair share in the manner of Linux's Completely Fair Scheduler,
// in integers. Each process has a weight from its `nice` (1024 at nice 0,
// 1.25 times more per step down, 1.25 times less per step up) and a virtual
// runtime that grows by kUnit * 1024 / weight per tick run (kUnit = 65536: a
// nice-0 process gains 65536 a tick), so heavier processes age more slowly.
//
// - Pick: the smallest virtual runtime; ties in ready-queue order.
// - Slice: max(min_granularity, sched_latency * weight / W) ticks, W the total
//   weight of the runnable processes (ready or on a core) at that boundary.
// - Slice end: the process goes back to the queue if a ready process that may
//   use its core has a virtual runtime no larger than its own; otherwise its
//   slice is renewed in place.
// - Placement: a new process starts at max(its own (0), min_vruntime); a
//   process waking from a block gets max(its own, min_vruntime - sched_latency
//   * kUnit / 2); one coming straight from a core keeps its own. min_vruntime
//   is the smallest virtual runtime of the runnable processes (ready or on a
//   core) when a process is placed, never decreasing.
// - Preemption (wake-up preemption): a ready process that woke from a block
//   and has not run since takes the core of a running process whose
//   virtual runtime exceeds its own by more than min_granularity * kUnit. As
//   phase 4 of every boundary considers the ready queue in order, it is the
//   leftmost ready process that may preempt, at the boundary it wakes at or
//   later, once the running one has aged past it by that much.
#include <array>

#include "kernel/policies/vruntime.hpp"

namespace mpsim::policies {

namespace {

constexpr std::int64_t kUnit = 65536;

// 1024 * 1.25^-nice rounded to the nearest integer, computed exactly in
// integers (5^20 * 1024 fits easily in 64 bits).
constexpr std::int64_t nice_weight(int nice) {
  std::int64_t num = 1024, den = 1;
  for (int i = 0; i < (nice < 0 ? -nice : nice); ++i) {
    if (nice < 0) {
      num *= 5;
      den *= 4;
    } else {
      num *= 4;
      den *= 5;
    }
  }
  return (2 * num + den) / (2 * den);
}

constexpr std::array<std::int64_t, 40> make_weights() {
  std::array<std::int64_t, 40> w{};
  for (int n = -20; n <= 19; ++n) w[static_cast<std::size_t>(n + 20)] = nice_weight(n);
  return w;
}

constexpr std::array<std::int64_t, 40> kWeights = make_weights();
static_assert(kWeights[20] == 1024 && kWeights[21] == 819 && kWeights[19] == 1280);
static_assert(kWeights[0] == 88818 && kWeights[39] == 15);

}  // namespace

class Cfs : public VruntimePolicy {
 public:
  Cfs(Tick latency, Tick granularity) : latency_(latency), granularity_(granularity) {}
  bool prefers(const Process& a, const Process& b, Tick) const override {
    // A ready process against a running one (preemption): only a woken one
    // that has not run since, and only by more than the granularity.
    if (a.state != ProcState::Running && b.state == ProcState::Running)
      return waiting_since_wakeup(a) && a.policy_used + preempt_margin() < b.policy_used;
    return a.policy_used < b.policy_used;
  }
  bool preemptive() const override { return true; }
  std::string describe() const override {
    return "cfs (latency " + std::to_string(latency_) + ", granularity " + std::to_string(granularity_) + ")";
  }

 protected:
  std::int64_t increment(const Process& p) const override { return 1024 * kUnit / weight(p); }
  Tick slice(const Process& p) const override {
    std::int64_t total = std::max(total_weight(), weight(p));
    return std::max(granularity_, latency_ * weight(p) / total);
  }
  std::int64_t weight(const Process& p) const override {
    return kWeights[static_cast<std::size_t>(std::clamp<std::int64_t>(p.nice, -20, 19) + 20)];
  }
  std::int64_t wake_credit() const override { return latency_ * kUnit / 2; }
  std::int64_t preempt_margin() const override { return granularity_ * kUnit; }

 private:
  Tick latency_;
  Tick granularity_;
};

std::unique_ptr<Policy> make_cfs(const MachineConfig& m) {
  return std::make_unique<Cfs>(param_int(m.scheduler, "sched_latency"),
                               param_int(m.scheduler, "min_granularity"));
}

}  // namespace mpsim::policies
