// mlfq: multi-level feedback queue after OSTEP (chapter 8 and mlfq.py).
// Level 0 is the highest priority. New processes start at level 0; within a
// level it is round robin with that level's quantum; a process that has used
// its allotment at a level (time summed across its bursts, so giving up the
// CPU just before the quantum ends does not game it) moves one level down;
// every `boost` ticks all processes return to level 0. A ready process at a
// higher level preempts a running one at a lower level.
#include "mpsim/kernel/policy.hpp"
#include "kernel/policies/mlfq_ostep.hpp"
#include "kernel/policies/queues.hpp"

namespace mpsim::policies {

class Mlfq : public Policy {
 public:
  Mlfq(std::vector<Tick> quanta, std::vector<Tick> allotments, Tick boost)
      : quanta_(std::move(quanta)), allot_(std::move(allotments)), boost_(boost), queues_(quanta_.size()) {}

  void enqueue(Process& p, Tick, bool front) override {
    refresh(p);
    demote_if_spent(p);  // it may have blocked just as its allotment ran out
    queues_[static_cast<std::size_t>(p.policy_level)].push(p, front);
  }
  void dequeue(Process& p) override { queues_[static_cast<std::size_t>(p.policy_level)].remove(p); }
  Process* pick_next(CoreId core, Tick) override {
    for (auto& q : queues_)
      if (Process* p = q.pop_for(core)) return p;
    return nullptr;
  }
  bool has_ready_for(CoreId core) const override {
    for (const auto& q : queues_)
      if (q.has_for(core)) return true;
    return false;
  }
  void for_each_ready(const std::function<bool(Process&)>& f) override {
    for (auto& q : queues_)
      if (!q.visit(f)) return;
  }
  bool prefers(const Process& a, const Process& b, Tick) const override { return level(a) < level(b); }
  bool preemptive() const override { return true; }
  Tick slice_left(const Process& p) const override {
    std::size_t l = static_cast<std::size_t>(level(p));
    Tick used = p.policy_epoch == epoch_ ? p.policy_used : 0;
    return std::min(quanta_[l] - p.quantum_used, allot_[l] - used);
  }
  void on_ran(Process& p, Tick ticks) override {
    refresh(p);
    p.policy_used += ticks;
  }
  void on_slice_end(Process& p) override {
    refresh(p);
    demote_if_spent(p);
  }
  Tick next_event(Tick now) const override { return boost_ == 0 ? kNever : (now / boost_ + 1) * boost_; }
  void on_boundary(Tick now) override {
    if (boost_ == 0 || now == 0 || now % boost_ != 0 || now == last_boost_) return;
    last_boost_ = now;
    ++epoch_;  // everyone is back at level 0 with a fresh allotment (applied lazily)
    FifoQueue merged;
    for (auto& q : queues_) {
      for (Process* p : q.items()) merged.push(*p, false);
      q.items().clear();
    }
    for (Process* p : merged.items()) enqueue(*p, now, false);
  }
  std::string describe() const override {
    std::string d = "mlfq (" + std::to_string(quanta_.size()) + " levels, quanta";
    for (Tick q : quanta_) d += " " + std::to_string(q);
    d += ", allotments";
    for (Tick a : allot_) d += " " + std::to_string(a);
    if (boost_ > 0) d += ", boost " + std::to_string(boost_);
    return d + ")";
  }

 private:
  std::int64_t level(const Process& p) const { return p.policy_epoch == epoch_ ? p.policy_level : 0; }
  // A process that has used its allotment at its level moves one level down
  // (at the last level it stays, with a fresh allotment).
  void demote_if_spent(Process& p) const {
    std::size_t l = static_cast<std::size_t>(p.policy_level);
    if (p.policy_used < allot_[l]) return;
    p.policy_used = 0;
    if (l + 1 < quanta_.size()) ++p.policy_level;
  }
  void refresh(Process& p) const {
    if (p.policy_epoch == epoch_) return;
    p.policy_epoch = epoch_;
    p.policy_level = 0;
    p.policy_used = 0;
  }
  std::vector<Tick> quanta_;
  std::vector<Tick> allot_;
  Tick boost_;
  std::vector<FifoQueue> queues_;
  std::int64_t epoch_ = 1;  // processes start with epoch 0: their first enqueue puts them at level 0
  Tick last_boost_ = -1;
};

namespace {

// A per-level list: the list parameter when given, else the scalar for every level.
std::vector<Tick> per_level(const SchedulerConfig& c, const std::string& list, Tick fallback,
                            std::size_t levels) {
  std::vector<Tick> v = param_list(c, list);
  if (v.empty()) v.assign(levels, fallback);
  return v;
}

}  // namespace

std::unique_ptr<Policy> make_mlfq(const MachineConfig& m) {
  const SchedulerConfig& c = m.scheduler;
  std::size_t levels = static_cast<std::size_t>(param_int(c, "levels"));
  std::vector<Tick> quanta = per_level(c, "quanta", param_int(c, "quantum"), levels);
  Tick allot = param_int(c, "allotment");
  std::vector<Tick> allots = param_list(c, "allotments");
  if (allots.empty()) {
    for (Tick q : quanta) allots.push_back(allot == 0 ? q : allot);  // 0: one quantum, as mlfq.py
  }
  if (param_choice(c, "variant") == "ostep") {
    std::vector<std::int64_t> in_quanta;  // the loader has checked that they divide
    for (std::size_t l = 0; l < quanta.size(); ++l) in_quanta.push_back(allots[l] / quanta[l]);
    return make_mlfq_ostep(OstepConfig{std::move(quanta), std::move(in_quanta),
                                       param_int(c, "boost"), param_bool(c, "io_resets"),
                                       param_bool(c, "io_to_front")});
  }
  return std::make_unique<Mlfq>(std::move(quanta), std::move(allots), param_int(c, "boost"));
}

}  // namespace mpsim::policies
