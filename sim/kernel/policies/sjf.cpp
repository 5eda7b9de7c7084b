// sjf: shortest (predicted) next CPU burst first, non-preemptive; ties by
// ready-queue order. srtf: the same order, and a ready process whose burst is
// strictly shorter than what a running one has left takes its core.
#include "mpsim/kernel/policy.hpp"
#include "kernel/policies/queues.hpp"

namespace mpsim::policies {

class ShortestFirst : public Policy {
 public:
  explicit ShortestFirst(bool preemptive) : preemptive_(preemptive) {}
  void enqueue(Process& p, Tick, bool front) override {
    p.policy_level = predicted_burst(p);  // fixed while it waits: nothing it runs changes it
    q_.push(p, front);
  }
  void dequeue(Process& p) override { q_.remove(p); }
  Process* pick_next(CoreId core, Tick) override { return q_.pop_for(core, better()); }
  bool has_ready_for(CoreId core) const override { return q_.has_for(core); }
  void for_each_ready(const std::function<bool(Process&)>& f) override { q_.visit_sorted(better(), f); }
  bool prefers(const Process& a, const Process& b, Tick) const override { return burst(a) < burst(b); }
  bool preemptive() const override { return preemptive_; }
  Tick slice_left(const Process&) const override { return kNever; }
  std::string describe() const override { return preemptive_ ? "srtf" : "sjf"; }

 private:
  static Tick burst(const Process& p) {
    return p.state == ProcState::Running ? p.remaining : p.policy_level;
  }
  static ScanQueue::Better better() {
    return [](const Process& a, const Process& b) {
      if (burst(a) != burst(b)) return burst(a) < burst(b);
      return earlier_in_queue(a, b);
    };
  }
  bool preemptive_;
  ScanQueue q_;
};

std::unique_ptr<Policy> make_sjf(const MachineConfig&) { return std::make_unique<ShortestFirst>(false); }
std::unique_ptr<Policy> make_srtf(const MachineConfig&) { return std::make_unique<ShortestFirst>(true); }

}  // namespace mpsim::policies
