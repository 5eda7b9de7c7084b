#include "analysis/migrations.hpp"

#include <map>

namespace mpsim::detail {

std::vector<Migration> migrations(const RunResult& r) {
  std::vector<Migration> out;
  std::map<Pid, CoreId> last;  // the core each process was last given
  for (const Event& e : r.events) {
    if (e.kind != EventKind::Core || e.pid == kNoPid) continue;
    auto st = static_cast<CoreStatus>(e.a);
    if (st != CoreStatus::Running && st != CoreStatus::Switching) continue;
    auto [it, first] = last.try_emplace(e.pid, e.core);
    if (first || it->second == e.core) continue;
    out.push_back({e.tick, e.pid, it->second, e.core});
    it->second = e.core;
  }
  return out;
}

}  // namespace mpsim::detail
