// The cache model of semantics.md §12.1, step for step as OSTEP's multi.py
// runs it: a warm-up counts down only while the process runs on that core
// and survives its absences; a working set that becomes warm goes to the
// front of the cache, which then drops warm working sets from the back
// (the least recently warmed, possibly the newcomer itself if it is larger
// than the cache) until the rest fit. A dropped one must warm up again.
#include "kernel/cache_model.hpp"

#include <algorithm>

namespace mpsim::detail {

CacheModel::CacheModel(const CacheConfig& cfg, std::int32_t cores, MultiCoreResult& stats)
    : cfg_(cfg), caches_(static_cast<std::size_t>(cores)), stats_(stats) {
  stats_.cold_ticks.assign(caches_.size(), 0);
  stats_.warm_ticks.assign(caches_.size(), 0);
}

CacheModel::Entry* CacheModel::find(std::vector<Entry>& v, Pid pid) {
  for (Entry& e : v)
    if (e.pid == pid) return &e;
  return nullptr;
}

const CacheModel::Entry* CacheModel::find(const std::vector<Entry>& v, Pid pid) {
  for (const Entry& e : v)
    if (e.pid == pid) return &e;
  return nullptr;
}

bool CacheModel::warm(CoreId c, Pid pid) const {
  return find(caches_[static_cast<std::size_t>(c)].contents, pid) != nullptr;
}

void CacheModel::on_dispatch(CoreId c, const Process& p) {
  Cache& cache = caches_[static_cast<std::size_t>(c)];
  if (find(cache.contents, p.pid)) return;
  ++stats_.cold_starts;
  if (find(cache.warming, p.pid)) return;  // a warm-up begun earlier goes on where it stopped
  if (cfg_.warmup == 0) {
    make_warm(cache, p);
  } else {
    cache.warming.push_back({p.pid, cfg_.warmup});
  }
}

void CacheModel::make_warm(Cache& cache, const Process& p) {
  cache.contents.insert(cache.contents.begin(), {p.pid, p.working_set});
  std::int64_t total = 0;
  for (const Entry& e : cache.contents) total += e.size;
  while (total > cfg_.size) {
    Entry gone = cache.contents.back();
    cache.contents.pop_back();
    total -= gone.size;
    cache.warming.push_back({gone.pid, cfg_.warmup});
    ++stats_.evictions;
  }
}

Tick CacheModel::until_event(CoreId c, const Process& p) const {
  const Cache& cache = caches_[static_cast<std::size_t>(c)];
  if (find(cache.contents, p.pid)) return (p.remaining + cfg_.warm_rate - 1) / cfg_.warm_rate;
  // Cold: one compute tick per tick. A warm-up left at 0 (an evicted working
  // set with no warm-up time) still takes one tick, as in multi.py.
  const Entry* w = find(cache.warming, p.pid);
  Tick left = w ? std::max<Tick>(1, w->size) : 1;
  return std::min(p.remaining, left);
}

Tick CacheModel::run(CoreId c, const Process& p, Tick d) {
  Cache& cache = caches_[static_cast<std::size_t>(c)];
  if (find(cache.contents, p.pid)) {
    stats_.warm_ticks[static_cast<std::size_t>(c)] += d;
    return d * cfg_.warm_rate;
  }
  stats_.cold_ticks[static_cast<std::size_t>(c)] += d;
  auto it = std::find_if(cache.warming.begin(), cache.warming.end(),
                         [&](const Entry& e) { return e.pid == p.pid; });
  if (it != cache.warming.end() && (it->size -= d) <= 0) {
    cache.warming.erase(it);
    make_warm(cache, p);
  }
  return d;
}

}  // namespace mpsim::detail
