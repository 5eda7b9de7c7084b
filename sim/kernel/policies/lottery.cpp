// lottery: at every pick a ticket is drawn among the tickets of the ready
// processes that may run on the core, and its holder runs one quantum
// (Waldspurger and Weihl 1994; OSTEP ch. 9). The generator is Python's
// Mersenne Twister (python_random.hpp), so `ostep: true` draws exactly as
// OSTEP's lottery.py does: int(random() * 1000001) modulo the tickets.
#include <algorithm>
#include <vector>

#include "kernel/policies/python_random.hpp"
#include "kernel/policies/tickets.hpp"
#include "mpsim/kernel/policy.hpp"

namespace mpsim::policies {

class Lottery : public Policy {
 public:
  Lottery(Tick quantum, std::int64_t seed, std::int64_t skip, bool ostep, bool transfer)
      : quantum_(quantum),
        seed_(seed),
        ostep_(ostep),
        transfer_(transfer),
        rng_(static_cast<std::uint64_t>(seed)) {
    for (std::int64_t i = 0; i < skip; ++i) rng_.random();
  }

  // Kept in pid order: the order in which lottery.py walks its job list.
  void enqueue(Process& p, Tick, bool) override {
    auto at = std::lower_bound(ready_.begin(), ready_.end(), p.pid,
                               [](const Process* q, Pid pid) { return q->pid < pid; });
    ready_.insert(at, &p);
  }
  void dequeue(Process& p) override {
    auto it = std::find(ready_.begin(), ready_.end(), &p);
    if (it != ready_.end()) ready_.erase(it);
  }
  Process* pick_next(CoreId core, Tick) override {
    std::uint64_t total = 0;
    for (const Process* p : ready_)
      if (p->can_run_on(core)) total += tickets(*p);
    if (total == 0) return nullptr;
    std::uint64_t winner = draw(total);
    for (auto it = ready_.begin(); it != ready_.end(); ++it) {
      Process* p = *it;
      if (!p->can_run_on(core)) continue;
      std::uint64_t t = tickets(*p);
      if (winner < t) {
        ready_.erase(it);
        return p;
      }
      winner -= t;
    }
    return nullptr;  // unreachable: winner < total
  }
  bool has_ready_for(CoreId core) const override {
    return std::any_of(ready_.begin(), ready_.end(),
                       [&](const Process* p) { return p->can_run_on(core); });
  }
  void for_each_ready(const std::function<bool(Process&)>& f) override {
    for (Process* p : ready_)
      if (!f(*p)) return;
  }
  bool prefers(const Process&, const Process&, Tick) const override { return false; }
  bool ranks_all_equal() const override { return true; }
  bool preemptive() const override { return false; }
  Tick slice_left(const Process& p) const override { return quantum_ - p.quantum_used; }
  Tick fixed_quantum() const override { return quantum_; }
  // lottery.py draws at every quantum, even for its last job: a lone
  // process's slice end draws too (the result can only be that process), so
  // that the generator stays in step with it.
  void on_slice_end(Process& p) override {
    if (!has_ready_for(p.core)) draw(tickets(p));
  }
  std::string describe() const override {
    return "lottery (quantum " + std::to_string(quantum_) + ", seed " + std::to_string(seed_) +
           (ostep_ ? ", ostep" : "") + (transfer_ ? ", transfer" : "") + ")";
  }

  void attach(std::function<const Process*(Pid)> lookup) override { lookup_ = std::move(lookup); }

 private:
  std::uint64_t tickets(const Process& p) const {
    return static_cast<std::uint64_t>(effective_tickets(p, lookup_, transfer_));
  }
  std::uint64_t draw(std::uint64_t total) {
    if (!ostep_) return rng_.below(total);
    auto r = static_cast<std::uint64_t>(rng_.random() * 1000001);
    return r % total;
  }

  Tick quantum_;
  std::int64_t seed_;
  bool ostep_;
  bool transfer_;
  PythonRandom rng_;
  ProcessLookup lookup_;
  std::vector<Process*> ready_;
};

std::unique_ptr<Policy> make_lottery(const MachineConfig& m) {
  const SchedulerConfig& c = m.scheduler;
  return std::make_unique<Lottery>(param_int(c, "quantum"), param_int(c, "seed"),
                                   param_int(c, "skip"), param_bool(c, "ostep"),
                                   param_bool(c, "transfer"));
}

}  // namespace mpsim::policies
