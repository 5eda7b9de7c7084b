// rr: round robin; a process runs at most `quantum` ticks before going to the
// tail of the ready queue (when someone else is waiting for its core).
#include "mpsim/kernel/policy.hpp"
#include "kernel/policies/queues.hpp"

namespace mpsim::policies {

class RoundRobin : public Policy {
 public:
  explicit RoundRobin(Tick quantum) : quantum_(quantum) {}
  void enqueue(Process& p, Tick, bool front) override { q_.push(p, front); }
  void dequeue(Process& p) override { q_.remove(p); }
  Process* pick_next(CoreId core, Tick) override { return q_.pop_for(core); }
  bool has_ready_for(CoreId core) const override { return q_.has_for(core); }
  void for_each_ready(const std::function<bool(Process&)>& f) override { q_.visit(f); }
  bool prefers(const Process&, const Process&, Tick) const override { return false; }
  bool ranks_all_equal() const override { return true; }
  bool preemptive() const override { return false; }
  Tick slice_left(const Process& p) const override { return quantum_ - p.quantum_used; }
  bool silent_slice_end() const override { return true; }
  Tick fixed_quantum() const override { return quantum_; }
  bool keeps_time() const override { return false; }
  bool periodic_rounds() const override { return true; }
  std::size_t ready_count() const override { return q_.size(); }
  Ring<Process*>* rotation_queue() override { return &q_.items(); }
  std::string describe() const override { return "rr (quantum " + std::to_string(quantum_) + ")"; }

 private:
  Tick quantum_;
  FifoQueue q_;
};

std::unique_ptr<Policy> make_rr(const MachineConfig& m) {
  return std::make_unique<RoundRobin>(param_int(m.scheduler, "quantum"));
}

}  // namespace mpsim::policies
