// Round skipping (semantics.md §5, "Round skipping"): under rr, fair and cfs,
// a fixed set of ready and running processes that only compute is
// periodic. Between two events that change that set (a timer: arrival, io
// or sleep end, timeout; the end of some process's compute, which runs its
// next operations), every period repeats the one before with all times,
// counters, queue sequence numbers and virtual runtimes moved by the same
// amounts. So the machine simulates one period slice by slice, checks that
// it ends in the configuration it started from, and then adds k times the
// period's effects at once, k the number of whole periods that end before
// the next event; the rest is simulated slice by slice again.
//
// The check is what makes it exact: nothing is assumed about how long a
// period is (on several cores and with context-switch costs it varies); a
// candidate round that does not come back to its start before a bound is
// given up and the run goes on as without skipping.
//
// Per-core run queues (issue 17): nothing here assumes one queue. The check
// compares the whole machine (every core, and the ready processes in the
// order for_each_ready visits them), so a per-core policy only has to
// implement periodic_rounds, ready_count (all queues) and rekey_ready, and
// visit its queues in a fixed order. Migrations or balancing that recur
// every period are then skipped like the rest; ones that do not recur make
// the check fail, and the run is simulated slice by slice.
#include <algorithm>

#include "kernel/kernel.hpp"

namespace mpsim::detail {

namespace {

Tick ceil_div(Tick a, Tick b) {
  return (a + b - 1) / b;
}

// Policy::for_each_ready with a visitor handed over as one pointer (no
// allocation in std::function), as in machine.cpp.
template <typename F>
void visit_ready(Policy& policy, F&& visit) {
  policy.for_each_ready([fp = &visit](Process& r) { return (*fp)(r); });
}

RoundProc snap(const Process& p, Tick now) {
  return RoundProc{const_cast<Process*>(&p),
                   p.state,
                   p.core,
                   p.pc,
                   p.remaining,
                   p.quantum_used,
                   now - p.state_since,
                   now - p.ready_since,
                   p.ready_seq,
                   p.policy_used,
                   p.policy_level,
                   p.policy_epoch,
                   p.stats.wait,
                   p.stats.cpu,
                   p.stats.first_run,
                   p.stats.involuntary_switches,
                   p.stats.voluntary_switches};
}

}  // namespace

// The ready processes in the policy's order, until `visit` says false:
// rr's queue directly when slice batching has it (no std::function call
// per process), else through the policy.
template <typename F>
void Kernel::each_ready(F&& visit) {
  if (!rotation_q_) return visit_ready(*policy_, visit);
  for (Process* p : *rotation_q_)
    if (!visit(*p)) return;
}

void Kernel::skip_rounds() {
  RoundRecord& r = round_;
  if (!r.active) {
    r.active = start_round();
    if (r.active) next_round_try_ = now_ + 1;
    return;
  }
  next_round_try_ = now_ + 1;
  if (now_ >= r.timer || now_ > r.give_up_at) {  // the set may have changed, or no period
    r.active = false;
    if (now_ > r.give_up_at) next_round_try_ = now_ + (r.give_up_at - r.start);
    return;
  }
  // The cores first: they come back to the same state once per period at most.
  for (std::size_t i = 0; i < cores_.size(); ++i) {
    const Core& c = cores_[i];
    const RoundCore& s = r.cores[i];
    if (c.status != s.status || c.pid != s.pid || c.switch_left != s.switch_left ||
        now_ - c.status_since != s.since || c.process->quantum_used != s.quantum_used)
      return;
  }
  if (policy_->ready_count() != r.order.size() || !round_matches()) return;
  replay_rounds();
  r.active = false;
}

// Can a round start here, and if so the snapshot. Otherwise sets when to look again.
bool Kernel::start_round() {
  RoundRecord& r = round_;
  next_round_try_ = now_ + 1;
  std::size_t ready = policy_->ready_count();
  if (ready == 0 || !io_woken_.empty()) return false;  // nothing rotates; or io urgency pending
  const Process* any = nullptr;
  for (const Core& c : cores_) {
    if (c.status != CoreStatus::Running && c.status != CoreStatus::Switching) return false;
    if (c.status == CoreStatus::Running) any = c.process;
  }
  if (!any) return false;
  Tick cs = scenario_.machine.context_switch;
  auto cores = static_cast<Tick>(cores_.size());
  Tick slice = slice_left(*any) + any->quantum_used;
  Tick round = ceil_div((static_cast<Tick>(ready) + cores) * (slice + cs), cores);
  Tick timer = std::min(timers_.empty() ? kNever : timers_.top().tick, tick_limit());
  if (timer != kNever && timer - now_ <= 2 * round) {
    // No room for two rounds. Retrying at every timer would cost a check per
    // few boundaries where io is frequent (bursts: 1 % of the instructions);
    // one round later at worst delays a skip by a round.
    next_round_try_ = std::max(timer, now_ + round);
    return false;
  }
  // A look at each process's first cache line before any snapshot: most
  // candidates fail here (a compute ends, or something else happens,
  // within about two rounds), after a few processes.
  auto fits = [&](const Process& p) {
    Tick s = slice_left(p) + p.quantum_used;
    return !p.woke_from_io && p.remaining > 2 * s && (!pinned_ || p.affinity.empty());
  };
  bool fit =
      std::all_of(cores_.begin(), cores_.end(), [&](const Core& c) { return fits(*c.process); });
  if (fit) each_ready([&](Process& p) { return fit = fits(p); });
  if (!fit) {
    next_round_try_ = now_ + round;
    return false;
  }
  r.procs.clear();
  r.order.clear();
  r.cores.clear();
  // At once to its size: grown by doubling, it cost its copies and a page
  // fault per new page each time (about 30 of 540 on issue 18's workload).
  r.procs.reserve(ready + cores_.size());
  r.order.reserve(ready);
  Tick all_slices = 0;  // a period is at most every process's slice and switch once per core
  auto add = [&](const Process& p) {
    all_slices += slice_left(p) + p.quantum_used + cs;
    r.procs.push_back(snap(p, now_));
  };
  for (const Core& c : cores_) {
    add(*c.process);
    r.cores.push_back(RoundCore{c.status, c.pid, c.last, c.switch_left, now_ - c.status_since,
                                now_ - c.switched_in, c.process->quantum_used,
                                result_.cores[static_cast<std::size_t>(c.id)]});
  }
  each_ready([&](Process& p) {
    add(p);
    r.order.push_back(p.pid);
    return true;
  });
  r.start = now_;
  r.timer = timer;
  r.give_up_at = now_ + all_slices + 1;
  r.switches = result_.context_switches;
  r.events = result_.scheduling_events;
  r.concurrency = result_.concurrency_ticks;
  r.overhead = result_.switch_overhead;
  r.seq = ready_seq_;
  r.logged = result_.events.size();
  return true;
}

// The cores matched: is everything else where it was, moved by one period?
bool Kernel::round_matches() {
  RoundRecord& r = round_;
  r.scratch.clear();
  each_ready([&](Process& p) {
    r.scratch.push_back(p.pid);
    return true;
  });
  if (r.scratch != r.order) return false;
  for (std::size_t i = 0; i < cores_.size(); ++i) {
    const Core& c = cores_[i];
    // switched_in only matters when it is now (phase 4 spares such a process).
    if (c.last != r.cores[i].last || (c.switched_in == now_) != (r.cores[i].switched_in == 0))
      return false;
  }
  std::uint64_t seqs = ready_seq_ - r.seq;
  bool first = true;
  std::int64_t vruntime = 0;
  for (const RoundProc& s : r.procs) {
    const Process& p = *s.p;
    std::uint64_t seq = p.ready_seq - s.seq;
    if (p.state != s.state || p.core != s.core || p.pc != s.pc ||
        p.quantum_used != s.quantum_used || now_ - p.state_since != s.since ||
        now_ - p.ready_since != s.ready_since || p.policy_level != s.level ||
        p.policy_epoch != s.epoch || p.woke_from_io || p.stats.first_run != s.first_run ||
        p.stats.voluntary_switches != s.voluntary)
      return false;
    // The same compute goes on: it lost exactly the ticks run (a compute that
    // ended and was followed by another would have lost fewer).
    if (p.remaining <= 0 || s.remaining - p.remaining != p.stats.cpu - s.cpu) return false;
    if (seq != 0 && seq != seqs) return false;
    if (first) vruntime = p.policy_used - s.vruntime;
    if (p.policy_used - s.vruntime != vruntime) return false;  // order kept only if all move alike
    first = false;
  }
  return true;
}

// Adds k periods, k as many as end before the next timer and before any
// compute of the set ends.
void Kernel::replay_rounds() {
  RoundRecord& r = round_;
  Tick period = now_ - r.start;
  Tick timer = std::min({r.timer, timers_.empty() ? kNever : timers_.top().tick, tick_limit()});
  Tick k = timer == kNever ? kNever : (timer - 1 - now_) / period;
  for (const RoundProc& s : r.procs) {
    Tick used = s.remaining - s.p->remaining;
    if (used > 0) k = std::min(k, (s.p->remaining - 1) / used);
  }
  next_round_try_ = now_ + period;    // the next event comes within a period
  if (k <= 0 || k == kNever) return;  // kNever: nobody computes (cannot be periodic)
  Tick skipped = k * period;
  std::uint64_t seqs = ready_seq_ - r.seq;
  for (const RoundProc& s : r.procs) {
    Process& p = *s.p;
    p.remaining -= k * (s.remaining - p.remaining);
    p.stats.wait += k * (p.stats.wait - s.wait);
    p.stats.cpu += k * (p.stats.cpu - s.cpu);
    p.stats.involuntary_switches += k * (p.stats.involuntary_switches - s.involuntary);
    p.policy_used += k * (p.policy_used - s.vruntime);
    if (p.ready_seq != s.seq) p.ready_seq += static_cast<std::uint64_t>(k) * seqs;
    p.state_since += skipped;
    p.ready_since += skipped;
  }
  for (std::size_t i = 0; i < cores_.size(); ++i) {
    Core& c = cores_[i];
    const CoreResult& was = r.cores[i].acc;
    CoreResult& acc = result_.cores[i];
    acc.busy += k * (acc.busy - was.busy);
    acc.switching += k * (acc.switching - was.switching);
    acc.held += k * (acc.held - was.held);
    c.status_since += skipped;
    if (c.switched_in > r.start) c.switched_in += skipped;
  }
  result_.context_switches += k * (result_.context_switches - r.switches);
  result_.switch_overhead += k * (result_.switch_overhead - r.overhead);
  result_.concurrency_ticks += k * (result_.concurrency_ticks - r.concurrency);
  std::int64_t logged = result_.scheduling_events - r.events;
  result_.scheduling_events += k * logged;
  ready_seq_ += static_cast<std::uint64_t>(k) * seqs;
  if (options_.record_events) {  // the log as a slice-by-slice run writes it
    r.period.clear();
    for (std::size_t i = r.logged; i < result_.events.size(); ++i)
      r.period.push_back(result_.events[i]);
    for (Tick j = 1; j <= k; ++j)
      for (Event e : r.period) {
        e.tick += j * period;
        result_.events.push_back(e);
      }
  }
  now_ += skipped;
  result_.round_skipped_ticks += skipped;
  next_round_try_ = now_ + period;
  policy_->rekey_ready();
}

}  // namespace mpsim::detail
