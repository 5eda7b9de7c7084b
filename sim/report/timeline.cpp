// The OSTEP-style per-tick table, replayed from the event log: the state a
// process or core has during tick t is the last one it entered at boundary <= t.
#include <map>
#include <sstream>

#include "mpsim/report/report.hpp"
#include "report/pools.hpp"
#include "report/text_table.hpp"

namespace mpsim {

namespace {

struct ProcView {
  ProcState state = ProcState::New;
  BlockReason reason = BlockReason::None;
  CoreId core = -1;
};

struct CoreView {
  CoreStatus status = CoreStatus::Idle;
  Pid pid = kNoPid;
};

std::string proc_cell(const ProcView& p, const std::vector<CoreView>& cores, Pid pid) {
  switch (p.state) {
    case ProcState::New: return "-";
    case ProcState::Ready:
      for (std::size_t c = 0; c < cores.size(); ++c)
        if (cores[c].status == CoreStatus::Switching && cores[c].pid == pid) return "SWITCH:" + std::to_string(c);
      return "READY";
    case ProcState::Running: return "RUN:" + std::to_string(p.core);
    case ProcState::Blocked: {
      std::string s = "BLOCKED:" + std::string(to_string(p.reason));
      return p.core >= 0 ? s + "*" : s;  // * = keeps its core (switch_on_io false)
    }
    case ProcState::Zombie: return "ZOMBIE";
    case ProcState::Reaped: return "-";
  }
  return "?";
}

std::string core_cell(const CoreView& c) {
  switch (c.status) {
    case CoreStatus::Idle: return "idle";
    case CoreStatus::Running: return std::to_string(c.pid);
    case CoreStatus::Switching: return "sw>" + std::to_string(c.pid);
    case CoreStatus::Held: return "held:" + std::to_string(c.pid);
  }
  return "?";
}

std::string pad(const std::string& s, std::size_t w) {
  std::size_t len = detail::display_width(s);
  return len >= w ? s : s + std::string(w - len, ' ');
}

}  // namespace

std::string format_timeline(const RunResult& r) {
  std::vector<Pid> pids;
  std::map<Pid, std::size_t> col;
  for (const auto& p : r.processes) {
    if (!p.started) continue;
    col[p.pid] = pids.size();
    pids.push_back(p.pid);
  }
  std::vector<ProcView> procs(pids.size());
  std::vector<CoreView> cores(r.cores.size());
  std::int32_t io = 0;
  std::vector<std::string> header = {"tick"};
  for (const auto& p : r.processes)
    if (p.started) header.push_back(std::to_string(p.pid) + ":" + p.name);
  for (std::size_t c = 0; c < cores.size(); ++c) header.push_back("cpu" + std::to_string(c));
  header.push_back("io");
  const std::map<Tick, std::string> marks = detail::task_marks(r);  // empty without pools
  if (!r.pools.empty()) header.push_back("tasks");
  std::vector<std::vector<std::string>> rows = {header};
  std::size_t e = 0;
  for (Tick t = 0; t < r.makespan; ++t) {
    for (; e < r.events.size() && r.events[e].tick <= t; ++e) {
      const Event& ev = r.events[e];
      if (ev.kind == EventKind::State && col.count(ev.pid)) {
        procs[col[ev.pid]] = ProcView{static_cast<ProcState>(ev.a), static_cast<BlockReason>(ev.b), ev.core};
      } else if (ev.kind == EventKind::Core) {
        cores[static_cast<std::size_t>(ev.core)] = CoreView{static_cast<CoreStatus>(ev.a), ev.pid};
      } else if (ev.kind == EventKind::Io) {
        io = ev.b;
      }
    }
    std::vector<std::string> row = {std::to_string(t)};
    for (std::size_t i = 0; i < pids.size(); ++i) row.push_back(proc_cell(procs[i], cores, pids[i]));
    for (const auto& c : cores) row.push_back(core_cell(c));
    row.push_back(std::to_string(io));
    if (!r.pools.empty()) row.push_back(marks.count(t) ? marks.at(t) : "");
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> w(header.size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], detail::display_width(row[i]));
  std::ostringstream out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) line += (i + 1 < row.size() ? pad(row[i], w[i] + 2) : row[i]);
    while (!line.empty() && line.back() == ' ') line.pop_back();  // an empty tasks cell
    out << line << "\n";
  }
  out << "(RUN:c running on core c; SWITCH:c being switched in; BLOCKED:why, * = keeps its core; "
         "cpuN shows the pid it runs)\n";
  if (!r.pools.empty()) {
    if (auto last = marks.find(r.makespan); last != marks.end())
      out << "tasks at tick " << r.makespan << ": " << last->second << "\n";
    out << "(tasks: tN+ submitted, tN>P started on worker P, tN< finished, tN! failed)\n";
  }
  return out.str();
}

}  // namespace mpsim
