// Per-core run queues: each core has its own instance of the policy. A
// process is queued on one core (Process::rq_core) and only that core runs it,
// unless periodic balancing or an idle core's stealing moves it. The rules
// and their tie-breaks are semantics.md §12.
#include "kernel/run_queues.hpp"

#include <algorithm>

#include "kernel/kernel.hpp"

namespace mpsim::detail {

namespace {

Tick next_multiple(Tick now, Tick every) {
  return (now / every + 1) * every;
}

}  // namespace

PerCoreQueues::PerCoreQueues(const PolicyInfo& info, const MachineConfig& m,
                             const std::vector<Core>& cores, MultiCoreResult& stats)
    : cfg_(m.per_core),
      cores_(cores),
      stats_(stats),
      ostep_(m.multi_ostep),
      rng_(static_cast<std::uint64_t>(m.per_core.seed)) {
  for (CoreId k = 0; k < m.cores; ++k) {
    // A seeded policy (lottery) gets seed + k on core k: identical streams on
    // every core would make their draws move in lockstep.
    MachineConfig mk = m;
    if (auto it = mk.scheduler.params.find("seed"); it != mk.scheduler.params.end())
      it->second = std::get<std::int64_t>(it->second) + k;
    queues_.push_back(info.make(mk));
  }
  queued_.assign(static_cast<std::size_t>(m.cores), 0);
  loads_.assign(static_cast<std::size_t>(m.cores), 0);
  inner_keeps_time_ = queues_[0]->keeps_time();
  stats_.load_ticks.assign(static_cast<std::size_t>(m.cores), 0);
}

std::int32_t PerCoreQueues::load(CoreId k) const {
  auto i = static_cast<std::size_t>(k);
  return queued_[i] + (cores_[i].status == CoreStatus::Idle ? 0 : 1);
}

// The allowed core with the lowest load; ties go to the lowest core id.
CoreId PerCoreQueues::least_loaded(const Process& p) const {
  CoreId best = -1;
  for (CoreId k = 0; k < static_cast<CoreId>(queues_.size()); ++k)
    if (p.can_run_on(k) && (best < 0 || load(k) < load(best))) best = k;
  return best;
}

CoreId PerCoreQueues::place(const Process& p) const {
  if (cfg_.placement == Placement::Last && p.last_core >= 0 && p.can_run_on(p.last_core))
    return p.last_core;
  return least_loaded(p);
}

void PerCoreQueues::push(Process& p, CoreId k, Tick now, bool front) {
  p.rq_core = k;
  ++queued_[static_cast<std::size_t>(k)];
  ++total_queued_;
  queues_[static_cast<std::size_t>(k)]->enqueue(p, now, front);
}

void PerCoreQueues::enqueue(Process& p, Tick now, bool front) {
  // The machine counts an involuntary switch exactly when it takes a core
  // from a process and requeues it (slice expiry, preemption): such a process
  // goes back to the queue of the core it ran on; a new or woken one is placed.
  bool requeued = p.rq_core >= 0 && p.stats.involuntary_switches != p.rq_preempts;
  p.rq_preempts = p.stats.involuntary_switches;
  CoreId k = requeued ? p.rq_core : ostep_ && p.last_core < 0 ? ostep_place(p) : place(p);
  push(p, k, now, front);
}

void PerCoreQueues::dequeue(Process& p) {
  auto k = static_cast<std::size_t>(p.rq_core);
  --queued_[k];
  --total_queued_;
  queues_[k]->dequeue(p);
}

Process* PerCoreQueues::pick_next(CoreId core, Tick now) {
  auto k = static_cast<std::size_t>(core);
  Process* p = queues_[k]->pick_next(core, now);
  if (p) {
    --queued_[k];
    --total_queued_;
  } else if (cfg_.steal_peek > 0 && now % cfg_.steal_peek == 0 && !ostep_) {
    p = steal(core);
    // The thief's instance must know what runs on its core, as if it had
    // picked it (cfs: its weight, min_vruntime, next_event, and a requeue at
    // the slice end is one "from the core", not a wake-up).
    if (p) queues_[k]->adopt(*p, core, now);
  }
  if (!p) return nullptr;
  if (p->last_core >= 0 && p->last_core != core) {
    ++p->stats.migrations;
    ++stats_.migrations;
  }
  p->last_core = core;
  p->rq_core = core;
  p->rq_preempts = p->stats.involuntary_switches;
  return p;
}

// The process queue `from` would run last among those allowed on `to`: the
// one that would wait longest there, so moving it costs that queue least.
Process* PerCoreQueues::last_for(CoreId from, CoreId to) {
  Process* last = nullptr;
  queues_[static_cast<std::size_t>(from)]->for_each_ready([&](Process& r) {
    if (r.can_run_on(to)) last = &r;
    return true;
  });
  return last;
}

// Idle `core` takes a process from the queue with the most processes its own
// core cannot start now (ties: lowest core id).
Process* PerCoreQueues::steal(CoreId core) {
  CoreId victim = -1;
  std::int32_t most = 0;
  for (CoreId k = 0; k < static_cast<CoreId>(queues_.size()); ++k) {
    if (k == core) continue;
    auto i = static_cast<std::size_t>(k);
    std::int32_t spare = queued_[i] - (cores_[i].status == CoreStatus::Idle ? 1 : 0);
    if (spare > most && last_for(k, core)) victim = k, most = spare;
  }
  if (victim < 0) return nullptr;
  Process* p = last_for(victim, core);
  dequeue(*p);
  ++stats_.stolen;
  return p;
}

// Moves processes from the most loaded queue to the least loaded one while
// their loads differ by more than the threshold (ties: lowest core id).
void PerCoreQueues::balance(Tick now) {
  auto n = static_cast<CoreId>(queues_.size());
  for (std::int64_t moves = 0; moves <= total_queued_; ++moves) {
    CoreId busiest = 0, idlest = 0;
    for (CoreId k = 1; k < n; ++k) {
      if (load(k) > load(busiest)) busiest = k;
      if (load(k) < load(idlest)) idlest = k;
    }
    if (load(busiest) - load(idlest) <= cfg_.balance_threshold) return;
    Process* p = last_for(busiest, idlest);
    if (!p) return;
    dequeue(*p);
    push(*p, idlest, now, false);
    ++stats_.balanced;
  }
}

bool PerCoreQueues::has_ready_for(CoreId core) const {
  return queues_[static_cast<std::size_t>(core)]->has_ready_for(core);
}

void PerCoreQueues::for_each_ready(const std::function<bool(Process&)>& visit) {
  bool go = true;
  for (auto& q : queues_) {
    q->for_each_ready([&](Process& r) { return go = visit(r); });
    if (!go) return;
  }
}

bool PerCoreQueues::prefers(const Process& a, const Process& b, Tick now) const {
  CoreId k = a.rq_core >= 0 ? a.rq_core : 0;
  return queues_[static_cast<std::size_t>(k)]->prefers(a, b, now);
}

// Renewing a slice in place is silent only when nothing of ours happens at
// boundaries either (no balancing, no stealing).
bool PerCoreQueues::silent_slice_end() const {
  return queues_[0]->silent_slice_end() && cfg_.balance_interval == 0 && cfg_.steal_peek == 0;
}

// The queue that picked `p` (rq_core is set at the pick) owns its slice. Asking
// core 0's queue instead made a cfs slice on core 1 depend on core 0's load,
// and disagree with core 1's own next_event, which event skipping trusts.
Tick PerCoreQueues::slice_left(const Process& p) const {
  CoreId k = p.rq_core >= 0 ? p.rq_core : 0;
  return queues_[static_cast<std::size_t>(k)]->slice_left(p);
}

void PerCoreQueues::on_ran(Process& p, Tick ticks) {
  if (inner_keeps_time_) queues_[static_cast<std::size_t>(p.rq_core)]->on_ran(p, ticks);
}

void PerCoreQueues::on_slice_end(Process& p) {
  if (inner_keeps_time_) queues_[static_cast<std::size_t>(p.rq_core)]->on_slice_end(p);
}

Tick PerCoreQueues::next_event(Tick now) const {
  Tick t = kNever;
  if (inner_keeps_time_)
    for (const auto& q : queues_) t = std::min(t, q->next_event(now));
  // multi.py draws a victim for every empty queue at each peek: all are events.
  if (ostep_ && cfg_.steal_peek > 0) t = std::min(t, next_multiple(now, cfg_.steal_peek));
  if (total_queued_ == 0) return t;  // nothing to move or steal
  if (cfg_.balance_interval > 0) t = std::min(t, next_multiple(now, cfg_.balance_interval));
  if (cfg_.steal_peek > 0 && std::any_of(cores_.begin(), cores_.end(), [](const Core& c) {
        return c.status == CoreStatus::Idle;
      }))
    t = std::min(t, next_multiple(now, cfg_.steal_peek));
  return t;
}

void PerCoreQueues::on_boundary(Tick now) {
  if (inner_keeps_time_)
    for (auto& q : queues_) q->on_boundary(now);
  if (cfg_.balance_interval > 0 && now % cfg_.balance_interval == 0) balance(now);
}

void PerCoreQueues::account(Tick now, Tick d) {
  auto n = queues_.size();
  std::vector<std::int32_t>& loads = loads_;  // reused: this runs at every boundary
  std::int32_t hi = 0, lo = INT32_MAX;
  for (std::size_t k = 0; k < n; ++k) {
    loads[k] = load(static_cast<CoreId>(k));
    stats_.load_ticks[k] += loads[k] * d;
    hi = std::max(hi, loads[k]);
    lo = std::min(lo, loads[k]);
  }
  stats_.imbalance_ticks += (hi - lo) * d;
  stats_.max_imbalance = std::max(stats_.max_imbalance, hi - lo);
  if (stats_.load_series.empty() || stats_.load_series.back().loads != loads)
    stats_.load_series.push_back({now, loads});
}

std::string PerCoreQueues::describe() const {
  return queues_[0]->describe();
}

}  // namespace mpsim::detail
