#include "analysis/intervals.hpp"

#include <map>

namespace mpsim::detail {

namespace {

struct OpenCore {
  Tick since = 0;
  CoreStatus status = CoreStatus::Idle;
  Pid pid = kNoPid;
};

struct OpenProc {
  Tick since = 0;
  ProcState state = ProcState::New;
  BlockReason reason = BlockReason::None;
  CoreId core = -1;
};

bool shown(ProcState s) { return s != ProcState::New && s != ProcState::Reaped; }

}  // namespace

Intervals replay(const RunResult& r) {
  Intervals out;
  out.cores.resize(r.cores.size());
  out.procs.resize(r.processes.size());
  std::map<Pid, std::size_t> index;
  for (std::size_t i = 0; i < r.processes.size(); ++i) index[r.processes[i].pid] = i;
  std::vector<OpenCore> cores(r.cores.size());
  std::vector<OpenProc> procs(r.processes.size());
  auto close_core = [&](std::size_t c, Tick t) {
    OpenCore& o = cores[c];
    if (o.status != CoreStatus::Idle && t > o.since) out.cores[c].push_back({o.since, t, o.status, o.pid});
  };
  auto close_proc = [&](std::size_t i, Tick t) {
    OpenProc& o = procs[i];
    if (shown(o.state) && t > o.since) out.procs[i].push_back({o.since, t, o.state, o.reason, o.core});
  };
  for (const Event& e : r.events) {
    if (e.kind == EventKind::Core) {
      auto c = static_cast<std::size_t>(e.core);
      close_core(c, e.tick);
      cores[c] = OpenCore{e.tick, static_cast<CoreStatus>(e.a), e.pid};
    } else if (e.kind == EventKind::State && index.count(e.pid)) {
      std::size_t i = index[e.pid];
      close_proc(i, e.tick);
      procs[i] = OpenProc{e.tick, static_cast<ProcState>(e.a), static_cast<BlockReason>(e.b), e.core};
    }
  }
  for (std::size_t c = 0; c < cores.size(); ++c) close_core(c, r.makespan);
  for (std::size_t i = 0; i < procs.size(); ++i) close_proc(i, r.makespan);
  return out;
}

}  // namespace mpsim::detail
