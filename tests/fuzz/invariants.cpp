// The kernel invariants of invariants.hpp, from the event log and the metrics.
#include "invariants.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace mpsim::fuzz {

namespace {

std::string at(Tick t) {
  return " at tick " + std::to_string(t);
}

/// Whether a process may go from `from` to `to` (semantics.md §4): new ->
/// ready (start) or zombie (a created child terminated before its start);
/// ready <-> running; running -> blocked; blocked -> ready, or straight back
/// to running on a core it held (switch_on_io false); any live state ->
/// zombie (exit, error, signal); zombie -> reaped.
bool legal(ProcState from, ProcState to) {
  using S = ProcState;
  switch (from) {
    case S::New:
      return to == S::Ready || to == S::Zombie;
    case S::Ready:
      return to == S::Running || to == S::Zombie;
    case S::Running:
      return to == S::Ready || to == S::Blocked || to == S::Zombie;
    case S::Blocked:
      return to == S::Ready || to == S::Running || to == S::Zombie;
    case S::Zombie:
      return to == S::Reaped;
    case S::Reaped:
      return false;
  }
  return false;
}

class Replay {
 public:
  explicit Replay(const RunResult& r)
      : r_(r),
        status_(r.cores.size(), CoreStatus::Idle),
        core_pid_(r.cores.size(), kNoPid),
        state_(r.processes.size() + 2, ProcState::New) {}

  std::string check() {
    Tick last = 0;
    std::size_t i = 0;
    for (auto it = r_.events.begin(); it != r_.events.end(); ++it, ++i) {
      const Event e = *it;
      if (e.tick < last) return "an event goes back in time" + at(e.tick);
      last = e.tick;
      if (std::string bad = apply(e); !bad.empty()) return bad + at(e.tick);
      auto next = it;
      bool end_of_tick = ++next == r_.events.end() || (*next).tick != e.tick;
      if (end_of_tick && e.tick < r_.makespan)
        if (std::string bad = check_tick(); !bad.empty()) return bad + at(e.tick);
    }
    if (last > r_.makespan) return "an event after the makespan";
    return "";
  }

 private:
  std::string apply(const Event& e) {
    auto pid = static_cast<std::size_t>(e.pid);
    if (e.kind == EventKind::State) {
      if (pid >= state_.size()) return "a state event of unknown pid " + std::to_string(e.pid);
      auto to = static_cast<ProcState>(e.a);
      if (e.a > static_cast<int>(ProcState::Reaped)) return "an unknown state";
      // Blocked -> blocked: a blocked process may change what it waits for.
      if (!(state_[pid] == to && to == ProcState::Blocked) && !legal(state_[pid], to))
        return "pid " + std::to_string(e.pid) + " went from state " +
               std::to_string(static_cast<int>(state_[pid])) + " to " + std::to_string(e.a);
      state_[pid] = to;
    }
    if (e.kind == EventKind::Core) {
      auto core = static_cast<std::size_t>(e.core);
      if (e.core < 0 || core >= status_.size()) return "a core event of unknown core";
      if (e.a > static_cast<int>(CoreStatus::Held)) return "an unknown core status";
      status_[core] = static_cast<CoreStatus>(e.a);
      core_pid_[core] = e.pid;
    }
    return "";
  }

  // What holds from the end of a tick's events until the next event.
  std::string check_tick() {
    std::size_t running_cores = 0;
    std::vector<Pid> seen;
    for (std::size_t c = 0; c < status_.size(); ++c) {
      Pid pid = core_pid_[c];
      if (status_[c] == CoreStatus::Idle) {
        if (pid != kNoPid) return "an idle core with a process";
        continue;
      }
      auto p = static_cast<std::size_t>(pid);
      if (pid == kNoPid || p >= state_.size()) return "a busy core without a known process";
      if (std::find(seen.begin(), seen.end(), pid) != seen.end())
        return "pid " + std::to_string(pid) + " on two cores";
      seen.push_back(pid);
      ProcState want = status_[c] == CoreStatus::Running     ? ProcState::Running
                       : status_[c] == CoreStatus::Switching ? ProcState::Ready
                                                             : ProcState::Blocked;
      if (state_[p] != want)
        return "core " + std::to_string(c) + " status " +
               std::to_string(static_cast<int>(status_[c])) + " but pid " + std::to_string(pid) +
               " in state " + std::to_string(static_cast<int>(state_[p]));
      if (status_[c] == CoreStatus::Running) ++running_cores;
    }
    auto running =
        static_cast<std::size_t>(std::count(state_.begin(), state_.end(), ProcState::Running));
    if (running != running_cores) return "running processes and running cores differ";
    return "";
  }

  const RunResult& r_;
  std::vector<CoreStatus> status_;
  std::vector<Pid> core_pid_;
  std::vector<ProcState> state_;
};

}  // namespace

std::string check_event_log(const RunResult& r) {
  return Replay(r).check();
}

std::string check_metrics(const RunResult& r) {
  Tick cpu = 0;
  for (const ProcessResult& p : r.processes) {
    std::string who = "pid " + std::to_string(p.pid);
    if (p.finish >= 0 && p.wait + p.cpu + p.blocked() != p.turnaround())
      return who + ": ready + running + blocked != turnaround";
    if (p.finish >= 0 && p.first_run >= 0 && p.first_run < p.arrival)
      return who + ": ran before it arrived";
    if (p.cpu < 0 || p.wait < 0 || p.blocked() < 0) return who + ": a negative time";
    if (!r.deadlock && p.started && p.state != ProcState::Reaped)
      return who + ": started, no deadlock, yet not reaped";
    if (!p.started && p.state != ProcState::New) return who + ": never started, yet not new";
    cpu += p.cpu;
  }
  Tick busy = 0, switching = 0;
  for (const CoreResult& c : r.cores) {
    busy += c.busy;
    switching += c.switching;
    if (c.busy + c.switching + c.held > r.makespan) return "a core busier than the makespan";
  }
  if (busy != cpu)
    return "cpu time not conserved: cores busy " + std::to_string(busy) + ", processes " +
           std::to_string(cpu);
  if (switching != r.switch_overhead) return "switching time differs from switch_overhead";
  if (r.deadlock == r.stuck.empty()) return "deadlock flag and stuck list disagree";
  return "";
}

}  // namespace mpsim::fuzz
