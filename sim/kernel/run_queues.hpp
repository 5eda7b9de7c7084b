#pragma once
// Private to sim/kernel: per-core run queues (machine.queues "per_core",
// semantics.md §12). One instance of the scenario's policy per core, behind
// the Policy interface, so the tick loop drives them as it drives one global
// queue; what is per-core (placement, balancing, stealing, migrations, load
// accounting) lives here.
#include <memory>
#include <vector>

#include "kernel/policies/python_random.hpp"
#include "mpsim/kernel/policy.hpp"
#include "mpsim/model/result.hpp"

namespace mpsim::detail {

struct Core;

class PerCoreQueues final : public Policy {
 public:
  PerCoreQueues(const PolicyInfo& info, const MachineConfig& m, const std::vector<Core>& cores,
                MultiCoreResult& stats);

  void enqueue(Process& p, Tick now, bool front) override;
  void dequeue(Process& p) override;
  Process* pick_next(CoreId core, Tick now) override;
  bool has_ready_for(CoreId core) const override;
  void for_each_ready(const std::function<bool(Process&)>& visit) override;
  bool prefers(const Process& a, const Process& b, Tick now) const override;
  bool ranks_all_equal() const override { return queues_[0]->ranks_all_equal(); }
  bool preemptive() const override { return queues_[0]->preemptive(); }
  /// Asked about a process on a core: its slice is its own core's instance's
  /// (cfs: sched_latency * weight / that queue's total weight), the same one
  /// that instance's next_event assumes.
  Tick slice_left(const Process& p) const override;
  Tick fixed_quantum() const override { return queues_[0]->fixed_quantum(); }
  bool silent_slice_end() const override;
  /// Only when the policy keeps time or we act at boundaries (balancing,
  /// stealing): otherwise the tick loop need not call us as time passes.
  bool keeps_time() const override {
    return inner_keeps_time_ || cfg_.balance_interval > 0 || cfg_.steal_peek > 0;
  }
  void on_ran(Process& p, Tick ticks) override;
  void on_slice_end(Process& p) override;
  Tick next_event(Tick now) const override;
  void on_boundary(Tick now) override;
  std::string describe() const override;
  void attach(std::function<const Process*(Pid)> lookup) override {
    for (auto& q : queues_) q->attach(lookup);
  }

  /// Time passes by `d` ticks from `now` with the loads as they stand (the tick loop calls it).
  void account(Tick now, Tick d);
  /// machine.multi_ostep: multi.py's stealing pass over all cores, run after
  /// phase 3 (kernel/multi_ostep.cpp).
  void ostep_steal(Tick now);

 private:
  std::int32_t load(CoreId k) const;
  CoreId least_loaded(const Process& p) const;
  CoreId place(const Process& p) const;
  void push(Process& p, CoreId k, Tick now, bool front);
  Process* last_for(CoreId from, CoreId to);
  Process* steal(CoreId core);
  void balance(Tick now);
  CoreId ostep_place(const Process& p);

  PerCoreConfig cfg_;
  std::vector<std::unique_ptr<Policy>> queues_;
  std::vector<std::int32_t> queued_;  ///< ready processes per queue
  std::vector<std::int32_t> loads_;   ///< scratch of account()
  std::int64_t total_queued_ = 0;
  bool inner_keeps_time_ = false;
  const std::vector<Core>& cores_;
  MultiCoreResult& stats_;
  // machine.multi_ostep (kernel/multi_ostep.cpp)
  bool ostep_ = false;
  policies::PythonRandom rng_;  ///< multi.py's random.choice of a victim
  CoreId cursor_ = 0;           ///< the next core of the round-robin initial placement
};

}  // namespace mpsim::detail
