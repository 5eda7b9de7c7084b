// fcfs: first come, first served; a process keeps its core until it blocks or exits.
#include "mpsim/kernel/policy.hpp"
#include "kernel/policies/queues.hpp"

namespace mpsim::policies {

class Fcfs : public Policy {
 public:
  void enqueue(Process& p, Tick, bool front) override { q_.push(p, front); }
  void dequeue(Process& p) override { q_.remove(p); }
  Process* pick_next(CoreId core, Tick) override { return q_.pop_for(core); }
  bool has_ready_for(CoreId core) const override { return q_.has_for(core); }
  void for_each_ready(const std::function<bool(Process&)>& f) override { q_.visit(f); }
  bool prefers(const Process&, const Process&, Tick) const override { return false; }
  bool ranks_all_equal() const override { return true; }
  bool preemptive() const override { return false; }
  Tick slice_left(const Process&) const override { return kNever; }
  bool keeps_time() const override { return false; }
  std::string describe() const override { return "fcfs"; }

 private:
  FifoQueue q_;
};

std::unique_ptr<Policy> make_fcfs(const MachineConfig&) { return std::make_unique<Fcfs>(); }

}  // namespace mpsim::policies
