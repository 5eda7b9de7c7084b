// Choice points (include/mpsim/kernel/chooser.hpp, docs/explore.md): the
// places where the contract breaks a tie by a fixed rule. Each function here
// runs only with a Chooser; option 0 is always the rule, so answering 0
// everywhere reproduces the ordinary run. The ordinary path never comes here.
#include <algorithm>
#include <stdexcept>

#include "kernel/kernel.hpp"

namespace mpsim {

const char* to_string(ChoiceKind k) {
  switch (k) {
    case ChoiceKind::Dispatch:
      return "dispatch";
    case ChoiceKind::Continue:
      return "continue";
    case ChoiceKind::Grant:
      return "grant";
    case ChoiceKind::Preempt:
      return "preempt";
    case ChoiceKind::Delay:
      return "delay";
  }
  return "?";
}

namespace detail {

std::int32_t Kernel::ask(ChoicePoint& point) {
  point.tick = now_;
  point.event_index = result_.events.size();
  std::int32_t i = options_.chooser->choose(point);
  if (i < 0 || i >= point.count) throw std::logic_error("chooser returned an option out of range");
  return i;
}

// Phase 5 with a chooser: any ready process the policy ranks no lower than
// its own pick may take the core (for fcfs and rr: any ready process).
Process* Kernel::chosen_next(Core& c) {
  std::vector<Process*> cands;
  policy_->for_each_ready([&](Process& r) {
    if (r.can_run_on(c.id) && (cands.empty() || !policy_->prefers(*cands.front(), r, now_)))
      cands.push_back(&r);
    return true;
  });
  if (cands.size() < 2) return policy_->pick_next(c.id, now_);
  std::vector<Pid> pids;
  for (Process* r : cands) pids.push_back(r->pid);
  ChoicePoint point;
  point.kind = ChoiceKind::Dispatch;
  point.count = static_cast<std::int32_t>(pids.size());
  point.pids = pids.data();
  point.core = c.id;
  std::int32_t i = ask(point);
  if (i == 0) return policy_->pick_next(c.id, now_);
  policy_->dequeue(*cands[static_cast<std::size_t>(i)]);
  return cands[static_cast<std::size_t>(i)];
}

// Phase 2 with a chooser: the cores due to continue run their processes in
// the order chosen instead of core order. Which cores are due is asked again
// after each one, as one process may end another's run (terminate).
void Kernel::continue_chosen() {
  std::vector<bool> done(cores_.size());
  auto due = [&](const Core& c) {
    if (done[static_cast<std::size_t>(c.id)] || c.pid == kNoPid) return false;
    const Process& p = *c.process;
    if (c.status == CoreStatus::Running) return p.remaining == 0;
    if (c.status == CoreStatus::Switching) return c.switch_left == 0;
    return c.status == CoreStatus::Held &&
           std::find(held_resume_.begin(), held_resume_.end(), p.pid) != held_resume_.end();
  };
  for (;;) {
    std::vector<Core*> ready;
    for (Core& c : cores_)
      if (due(c)) ready.push_back(&c);
    if (ready.empty()) break;
    Core* c = ready.front();
    if (ready.size() > 1) {
      std::vector<Pid> pids;
      for (Core* r : ready) pids.push_back(r->pid);
      ChoicePoint point;
      point.kind = ChoiceKind::Continue;
      point.count = static_cast<std::int32_t>(pids.size());
      point.pids = pids.data();
      c = ready[static_cast<std::size_t>(ask(point))];
    }
    done[static_cast<std::size_t>(c->id)] = true;
    Process& p = *c->process;
    if (c->status == CoreStatus::Running) {
      handle_stop(*c, p, run_zero_time(p));
    } else {
      if (c->status == CoreStatus::Switching) c->switched_in = now_;
      begin_running(*c, p);
    }
  }
  held_resume_.clear();
}

// A freed lock or semaphore unit: any waiter that began waiting at the same
// tick as the first one (and on the same operation) may get it.
Pid Kernel::chosen_waiter(SyncState& o, std::int32_t id) {
  const Process& first = proc(o.waiters.front());
  std::size_t n = 1;
  while (n < o.waiters.size()) {
    const Process& w = proc(o.waiters[n]);
    if (w.wait_since != first.wait_since || w.wait_obj != first.wait_obj) break;
    ++n;
  }
  std::size_t i = 0;
  if (n > 1) {
    std::vector<Pid> pids(o.waiters.begin(), o.waiters.begin() + static_cast<std::ptrdiff_t>(n));
    ChoicePoint point;
    point.kind = ChoiceKind::Grant;
    point.count = static_cast<std::int32_t>(n);
    point.pids = pids.data();
    point.object = id;
    i = static_cast<std::size_t>(ask(point));
  }
  Pid pid = o.waiters[i];
  o.waiters.erase(o.waiters.begin() + static_cast<std::ptrdiff_t>(i));
  return pid;
}

// Phase 3: a slice ended and someone wants the core. 0 requeues (the rule),
// 1 lets the process go on with a fresh slice (as if the timer were late).
bool Kernel::chosen_keep_slice(Process& p) {
  ChoicePoint point;
  point.kind = ChoiceKind::Preempt;
  point.count = 2;
  point.pid = p.pid;
  return ask(point) == 1;
}

Tick Kernel::chosen_delay(Process& p) {
  ChoicePoint point;
  point.kind = ChoiceKind::Delay;
  point.count = static_cast<std::int32_t>(std::min<Tick>(options_.chooser->jitter, 1000000) + 1);
  point.pid = p.pid;
  return ask(point);
}

}  // namespace detail
}  // namespace mpsim
