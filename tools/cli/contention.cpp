#include "contention.hpp"

#include <algorithm>

namespace mpsim::cli {

namespace {

bool contends(const Event& e) {
  if (e.kind == EventKind::Sync) return static_cast<SyncOp>(e.a) == SyncOp::Acquire;
  if (e.kind != EventKind::State || static_cast<ProcState>(e.a) != ProcState::Blocked) return false;
  auto why = static_cast<BlockReason>(e.b);
  return why == BlockReason::Lock || why == BlockReason::Semaphore;
}

}  // namespace

std::optional<SameTickContention> same_tick_contention(const RunResult& sim) {
  if (sim.machine.cores < 2) return std::nullopt;
  SameTickContention at;
  for (const Event& e : sim.events) {
    if (!contends(e)) continue;
    if (e.tick != at.tick) {
      if (at.pids.size() >= 2) return at;
      at = {e.tick, {}};
    }
    if (std::find(at.pids.begin(), at.pids.end(), e.pid) == at.pids.end()) at.pids.push_back(e.pid);
  }
  if (at.pids.size() >= 2) return at;
  return std::nullopt;
}

}  // namespace mpsim::cli
