#pragma once
// Helpers for the scheduling and lifecycle tests: build small scenarios from a
// job list, run them both with and without event skipping (they must agree),
// and render what happened as short strings a reader can check by hand.
#include <gtest/gtest.h>

#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "mpsim/report/report.hpp"
#include "sim_helpers.hpp"

namespace mpsim::test {

/// One process of a job-set scenario: it runs its own program `ops` (a JSON
/// array); `extra` is appended to its `processes` entry (e.g. "\"priority\": 2").
struct Job {
  std::string name;
  std::string ops;
  Tick arrival = 0;
  std::string extra;
};

/// A scenario with `machine` (the JSON members of "machine", without braces),
/// one program per job and one process per job, in the given (pid) order.
inline std::string jobs_scenario(const std::string& machine, const std::vector<Job>& jobs,
                                 const std::string& more = "") {
  std::string programs, processes;
  for (const Job& j : jobs) {
    if (!programs.empty()) programs += ", ";
    if (!processes.empty()) processes += ", ";
    programs += "\"" + j.name + "\": " + j.ops;
    processes += "{\"name\": \"" + j.name + "\", \"program\": \"" + j.name +
                 "\", \"arrival\": " + std::to_string(j.arrival);
    if (!j.extra.empty()) processes += ", " + j.extra;
    processes += "}";
  }
  std::string s = "{\"name\": \"t\", \"machine\": {" + machine + "}, ";
  if (!more.empty()) s += more + ", ";
  return s + "\"programs\": {" + programs + "}, \"processes\": [" + processes + "]}";
}

/// A job running `ops`.
inline Job job(const std::string& name, const std::string& ops, Tick arrival = 0,
               const std::string& extra = "") {
  return Job{name, ops, arrival, extra};
}

/// A job that only computes for `n` ticks.
inline Job cpu(const std::string& name, Tick n, Tick arrival = 0, const std::string& extra = "") {
  return Job{name, "[{\"compute\": " + std::to_string(n) + "}]", arrival, extra};
}

/// "" when `a` and `b` are equal, else their first differing lines.
inline std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool ga = static_cast<bool>(std::getline(sa, la)), gb = static_cast<bool>(std::getline(sb, lb));
    if (!ga && !gb) return "";
    if (!ga || !gb || la != lb)
      return "line " + std::to_string(line) + ": '" + la + "' vs '" + lb + "'";
  }
}

/// Simulates `json` with and without event skipping; the two results must be
/// byte for byte the same (semantics §5). Returns the skipping one.
inline RunResult run_both(const std::string& json, RunOptions options = {}) {
  Scenario s = load(json);
  options.event_skipping = true;
  RunResult skip = simulate(s, options);
  options.event_skipping = false;
  RunResult step = simulate(s, options);
  EXPECT_EQ(first_difference(format_json(skip, true), format_json(step, true)), "")
      << "event skipping changed the result (skipping vs tick by tick)";
  return skip;
}

/// The OSTEP metrics of one process, compared as a whole so a failure shows all.
struct Metrics {
  Tick first_run, finish, turnaround, response, wait;
  bool operator==(const Metrics&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Metrics& m) {
  return os << "{first_run " << m.first_run << ", finish " << m.finish << ", turnaround "
            << m.turnaround << ", response " << m.response << ", wait " << m.wait << "}";
}

inline Metrics metrics(const RunResult& r, const std::string& name) {
  const ProcessResult& p = by_name(r, name);
  return Metrics{p.first_run, p.finish, p.turnaround(), p.response(), p.wait};
}

/// Letter of a pid in charts: pid 2 is 'A', 3 is 'B', ...
inline char letter(Pid pid) {
  return pid >= 2 && pid < 28 ? static_cast<char>('A' + pid - 2) : '?';
}

/// What core `core` did in each tick [0, makespan), from the event log: the
/// running process's letter, '*' while switching, the lower-case letter of a
/// process holding the core (switch_on_io false), '.' when idle.
inline std::string chart(const RunResult& r, CoreId core) {
  std::string out(static_cast<std::size_t>(r.makespan), '.');
  char now = '.';
  Tick from = 0;
  auto fill = [&](Tick to) {
    for (Tick t = from; t < to && t < r.makespan; ++t) out[static_cast<std::size_t>(t)] = now;
    from = to;
  };
  for (const Event& e : r.events) {
    if (e.kind != EventKind::Core || e.core != core) continue;
    fill(e.tick);
    auto st = static_cast<CoreStatus>(e.a);
    now = st == CoreStatus::Running     ? letter(e.pid)
          : st == CoreStatus::Switching ? '*'
          : st == CoreStatus::Held      ? static_cast<char>(letter(e.pid) - 'A' + 'a')
                                        : '.';
  }
  fill(r.makespan);
  return out;
}

/// The state of `pid` during tick `tick`, from the event log.
inline ProcState state_at(const RunResult& r, Pid pid, Tick tick) {
  ProcState st = ProcState::New;
  for (const Event& e : r.events)
    if (e.kind == EventKind::State && e.pid == pid && e.tick <= tick)
      st = static_cast<ProcState>(e.a);
  return st;
}

/// Does the log hold an event of kind `k` for `pid` with value `b`?
inline bool has_event(const RunResult& r, EventKind k, Pid pid, std::int32_t b) {
  for (const Event& e : r.events)
    if (e.kind == k && e.pid == pid && e.b == b) return true;
  return false;
}

}  // namespace mpsim::test
