// priority: the smallest priority number runs first; ties by ready-queue order.
// Preemptive by default: a ready process with a strictly smaller (effective)
// number takes a core from a running one. With `aging` = A > 0, a process
// waiting in the ready queue gains one level (its number drops by 1) for every
// A ticks it has waited; the bonus is lost when it is dispatched.
#include "mpsim/kernel/policy.hpp"
#include "kernel/policies/queues.hpp"

namespace mpsim::policies {

class PriorityPolicy : public Policy {
 public:
  PriorityPolicy(bool preemptive, Tick aging) : preemptive_(preemptive), aging_(aging) {}
  void enqueue(Process& p, Tick, bool front) override { q_.push(p, front); }
  void dequeue(Process& p) override { q_.remove(p); }
  Process* pick_next(CoreId core, Tick now) override { return q_.pop_for(core, better(now)); }
  bool has_ready_for(CoreId core) const override { return q_.has_for(core); }
  void for_each_ready(const std::function<bool(Process&)>& f) override {
    q_.visit_sorted(better(now_), f);
  }
  bool prefers(const Process& a, const Process& b, Tick now) const override {
    return effective(a, now) < effective(b, now);
  }
  bool preemptive() const override { return preemptive_; }
  Tick slice_left(const Process&) const override { return kNever; }
  void on_boundary(Tick now) override { now_ = now; }
  Tick next_event(Tick now) const override {
    if (aging_ == 0 || !preemptive_) return kNever;  // non-preemptive: only picks matter
    Tick next = kNever;
    for (const Process* p : q_.items())
      next = std::min(next, p->ready_since + ((now - p->ready_since) / aging_ + 1) * aging_);
    return next;
  }
  std::string describe() const override {
    std::string d = preemptive_ ? "priority (preemptive" : "priority (non-preemptive";
    if (aging_ > 0) d += ", aging " + std::to_string(aging_);
    return d + ")";
  }

 private:
  std::int64_t effective(const Process& p, Tick now) const {
    if (aging_ == 0 || p.state != ProcState::Ready) return p.priority;
    return p.priority - (now - p.ready_since) / aging_;
  }
  ScanQueue::Better better(Tick now) const {
    return [this, now](const Process& a, const Process& b) {
      std::int64_t ea = effective(a, now), eb = effective(b, now);
      if (ea != eb) return ea < eb;
      return earlier_in_queue(a, b);
    };
  }
  bool preemptive_;
  Tick aging_;
  Tick now_ = 0;
  ScanQueue q_;
};

std::unique_ptr<Policy> make_priority(const MachineConfig& m) {
  return std::make_unique<PriorityPolicy>(param_bool(m.scheduler, "preemptive"),
                                          param_int(m.scheduler, "aging"));
}

}  // namespace mpsim::policies
