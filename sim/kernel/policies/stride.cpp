// stride: deterministic proportional share (Waldspurger 1995; OSTEP ch. 9).
// Each process has stride = `big` / tickets and a pass; the ready process with
// the lowest pass runs, and every tick it runs adds its stride to its pass.
#include <algorithm>

#include "kernel/policies/queues.hpp"
#include "kernel/policies/tickets.hpp"
#include "mpsim/kernel/policy.hpp"

namespace mpsim::policies {

namespace {
// pass lives in Process::policy_used.
bool lower_pass(const Process& a, const Process& b) {
  if (a.policy_used != b.policy_used) return a.policy_used < b.policy_used;
  return earlier_in_queue(a, b);
}
}  // namespace

class Stride : public Policy {
 public:
  Stride(Tick quantum, std::int64_t big, bool transfer)
      : quantum_(quantum), big_(big), transfer_(transfer) {}
  void attach(std::function<const Process*(Pid)> lookup) override { lookup_ = std::move(lookup); }
  // A process entering the queue starts no lower than the lowest pass of the
  // processes already waiting, or, when none waits, than the highest pass
  // reached so far: a newcomer or a sleeper cannot make up for time it was
  // not ready (it would otherwise hold a core until its pass caught up),
  // while a requeued runner keeps its place among the waiting.
  void enqueue(Process& p, Tick, bool front) override {
    const auto& waiting = q_.items();
    std::int64_t floor = global_pass_;
    if (!waiting.empty()) {
      floor = waiting.front()->policy_used;
      for (const Process* w : waiting) floor = std::min(floor, w->policy_used);
    }
    p.policy_used = std::max(p.policy_used, floor);
    q_.push(p, front);
  }
  void dequeue(Process& p) override { q_.remove(p); }
  Process* pick_next(CoreId core, Tick) override {
    Process* p = q_.pop_for(core, lower_pass);
    if (p) global_pass_ = std::max(global_pass_, p->policy_used);
    return p;
  }
  bool has_ready_for(CoreId core) const override { return q_.has_for(core); }
  void for_each_ready(const std::function<bool(Process&)>& f) override {
    q_.visit_sorted(lower_pass, f);
  }
  bool prefers(const Process& a, const Process& b, Tick) const override {
    return a.policy_used < b.policy_used;
  }
  bool preemptive() const override { return false; }
  Tick slice_left(const Process& p) const override { return quantum_ - p.quantum_used; }
  Tick fixed_quantum() const override { return quantum_; }
  // The running process's pass grows as it runs: whether its slice is renewed
  // changes with time, so every slice end is a boundary (not skipped).
  bool silent_slice_end() const override { return false; }
  void on_ran(Process& p, Tick ticks) override {
    p.policy_used += ticks * (big_ / effective_tickets(p, lookup_, transfer_));
    global_pass_ = std::max(global_pass_, p.policy_used);
  }
  std::string describe() const override {
    return "stride (quantum " + std::to_string(quantum_) + ", big " + std::to_string(big_) +
           (transfer_ ? ", transfer" : "") + ")";
  }

 private:
  Tick quantum_;
  std::int64_t big_;
  bool transfer_;
  ProcessLookup lookup_;
  std::int64_t global_pass_ = 0;
  ScanQueue q_;
};

std::unique_ptr<Policy> make_stride(const MachineConfig& m) {
  return std::make_unique<Stride>(param_int(m.scheduler, "quantum"), param_int(m.scheduler, "big"),
                                  param_bool(m.scheduler, "transfer"));
}

}  // namespace mpsim::policies
