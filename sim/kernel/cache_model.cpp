// The cache model of semantics.md §12.1, step for step as OSTEP's multi.py
// runs it: a warm-up counts down only while the process runs on that core
// and survives its absences; a working set that becomes warm goes to the
// front of the cache, which then drops warm working sets from the back
// (the least recently warmed, possibly the newcomer itself if it is larger
// than the cache) until the rest fit. A dropped one must warm up again.
#include "kernel/cache_model.hpp"

#include <algorithm>

#include "kernel/kernel.hpp"

namespace mpsim::detail {

CacheModel::CacheModel(const CacheConfig& cfg, std::int32_t cores, MultiCoreResult& stats)
    : cfg_(cfg), caches_(static_cast<std::size_t>(cores)), stats_(stats) {
  stats_.cold_ticks.assign(caches_.size(), 0);
  stats_.warm_ticks.assign(caches_.size(), 0);
}

// Looked up at every boundary for every running process: indexed by pid,
// not searched (a run may have thousands of processes warming somewhere).
Tick& CacheModel::state(Cache& cache, Pid pid) {
  auto i = static_cast<std::size_t>(pid);
  if (i >= cache.state.size()) cache.state.resize(i + 1, kUnseen);
  return cache.state[i];
}

Tick CacheModel::state(const Cache& cache, Pid pid) {
  auto i = static_cast<std::size_t>(pid);
  return i < cache.state.size() ? cache.state[i] : kUnseen;
}

bool CacheModel::warm(CoreId c, Pid pid) const {
  return state(caches_[static_cast<std::size_t>(c)], pid) == kWarm;
}

void CacheModel::on_dispatch(CoreId c, const Process& p) {
  Cache& cache = caches_[static_cast<std::size_t>(c)];
  Tick& st = state(cache, p.pid);
  if (st == kWarm) return;
  ++stats_.cold_starts;
  if (st != kUnseen) return;  // a warm-up begun earlier goes on where it stopped
  if (cfg_.warmup == 0) {
    make_warm(cache, p);
  } else {
    st = cfg_.warmup;
  }
}

void CacheModel::make_warm(Cache& cache, const Process& p) {
  state(cache, p.pid) = kWarm;
  cache.contents.push_front({p.pid, p.working_set});
  cache.total += p.working_set;
  while (cache.total > cfg_.size) {
    Entry gone = cache.contents.back();
    cache.contents.pop_back();
    cache.total -= gone.size;
    state(cache, gone.pid) = cfg_.warmup;
    ++stats_.evictions;
  }
}

Tick CacheModel::until_event(CoreId c, const Process& p) const {
  Tick st = state(caches_[static_cast<std::size_t>(c)], p.pid);
  if (st == kWarm) return (p.remaining + cfg_.warm_rate - 1) / cfg_.warm_rate;
  // Cold: one compute tick per tick. A warm-up left at 0 (an evicted working
  // set with no warm-up time) still takes one tick, as in multi.py.
  return std::min(p.remaining, std::max<Tick>(1, st));
}

Tick CacheModel::run(CoreId c, const Process& p, Tick d) {
  Cache& cache = caches_[static_cast<std::size_t>(c)];
  Tick& st = state(cache, p.pid);
  if (st == kWarm) {
    stats_.warm_ticks[static_cast<std::size_t>(c)] += d;
    return d * cfg_.warm_rate;
  }
  stats_.cold_ticks[static_cast<std::size_t>(c)] += d;
  if ((st -= d) <= 0) make_warm(cache, p);
  return d;
}

// The tick loop's side, kept out of its hot loops: with the cache model off
// it costs one test per boundary.

// The step advance() is about to take, to `next`, ends at the first warm-up
// end or warm compute end before it (each at least one tick away, never later
// than the plain compute end next_event_time counted; a step capped at one
// tick or at max_ticks stays capped). advance() then takes the step's length
// d off every running compute, as without the model: leave each with what
// the cache says is left after d ticks, plus d.
Tick Kernel::cache_step(Tick next) {
  for (const Core& c : cores_)
    if (c.status == CoreStatus::Running)
      next = std::min(next, now_ + cache_->until_event(c.id, *c.process));
  Tick d = next - now_;
  for (Core& c : cores_) {
    if (c.status != CoreStatus::Running) continue;
    Process& p = *c.process;
    p.remaining = std::max<Tick>(0, p.remaining - cache_->run(c.id, p, d)) + d;
  }
  return next;
}

}  // namespace mpsim::detail
