// fair: processor sharing approximated in whole ticks. Every runnable process
// should get an equal share of the cores; the policy runs the ready process
// that has received the least CPU time (its virtual runtime, in ticks) for a
// slice of `quantum` ticks (default 1), ties in ready-queue order. A process
// that wakes up (new, or after blocking) starts at no less than the smallest
// virtual runtime of the runnable processes, so time spent blocked is not
// banked as credit: from then on it shares equally, as under ideal processor
// sharing. Not preemptive: with a 1-tick quantum every tick is a decision.
// The rounding bound versus ideal processor sharing is in docs/semantics.md §6.
#include "kernel/policies/vruntime.hpp"

namespace mpsim::policies {

class Fair : public VruntimePolicy {
 public:
  explicit Fair(Tick quantum) : quantum_(quantum) {}
  bool prefers(const Process& a, const Process& b, Tick) const override {
    return a.policy_used < b.policy_used;
  }
  bool preemptive() const override { return false; }
  std::string describe() const override {
    return quantum_ == 1 ? "fair" : "fair (quantum " + std::to_string(quantum_) + ")";
  }

 protected:
  std::int64_t increment(const Process&) const override { return 1; }
  Tick slice(const Process&) const override { return quantum_; }
  std::int64_t weight(const Process&) const override { return 1; }
  std::int64_t wake_credit() const override { return 0; }

 private:
  Tick quantum_;
};

std::unique_ptr<Policy> make_fair(const MachineConfig& m) {
  return std::make_unique<Fair>(param_int(m.scheduler, "quantum"));
}

}  // namespace mpsim::policies
