// The JSON result (field by field in docs/json-output.md). Keys are written in
// a fixed order so the same run gives the same bytes.
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/kernel/policy.hpp"
#include "mpsim/analysis/races.hpp"
#include "mpsim/report/report.hpp"
#include "report/json_processes.hpp"
#include "report/multicore.hpp"
#include "report/pools.hpp"

namespace mpsim {

namespace {

using ojson = nlohmann::ordered_json;

ojson value_json(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return std::get<std::string>(v);
}

ojson machine_json(const MachineConfig& m) {
  ojson sched;
  sched["policy"] = m.scheduler.policy;
  for (const auto& [k, v] : m.scheduler.params) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) sched[k] = *i;
    else if (const auto* b = std::get_if<bool>(&v)) sched[k] = *b;
    else if (const auto* s = std::get_if<std::string>(&v)) sched[k] = *s;
    else sched[k] = std::get<std::vector<std::int64_t>>(v);
  }
  ojson j{{"cores", m.cores},
               {"tick_us", m.tick_us},
               {"scheduler", sched},
               {"context_switch", m.context_switch},
               {"switch_on_io", m.switch_on_io},
               {"io_completion", m.io_completion == IoCompletion::Preempt ? "preempt" : "enqueue"},
               {"exit_semantics", m.exit_semantics == ExitSemantics::Python ? "python" : "posix"},
               {"io_channels", m.io_channels}};
  detail::add_queues_json(j, m);
  return j;
}

ojson summary_json(const RunResult& r) {
  ojson cores = ojson::array();
  for (const auto& c : r.cores) {
    double u = r.makespan ? static_cast<double>(c.busy) / static_cast<double>(r.makespan) : 0.0;
    cores.push_back({{"busy", c.busy}, {"switching", c.switching}, {"held", c.held}, {"utilisation", u}});
  }
  std::vector<double> ta, resp, wait;
  for (const auto& p : r.processes) {
    if (p.finish < 0) continue;
    ta.push_back(static_cast<double>(p.turnaround()));
    resp.push_back(static_cast<double>(p.response()));
    wait.push_back(static_cast<double>(p.wait));
  }
  auto dist = [](std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;    // in pid order, before the sort: the same bits as ever
    std::sort(v.begin(), v.end());  // once for the three percentiles
    return ojson{{"mean", v.empty() ? 0.0 : sum / static_cast<double>(v.size())},
                 {"p50", sorted_percentile(v, 50)},
                 {"p95", sorted_percentile(v, 95)},
                 {"max", sorted_percentile(v, 100)}};
  };
  return ojson{{"makespan", r.makespan},
               {"cores", cores},
               {"io_busy", r.io_busy},
               {"context_switches", r.context_switches},
               {"switch_overhead", r.switch_overhead},
               {"max_parallelism", r.max_parallelism},
               {"average_concurrency", r.average_concurrency()},
               {"max_concurrency", r.max_concurrency},
               {"finished", ta.size()},
               {"turnaround", dist(ta)},
               {"response", dist(resp)},
               {"wait", dist(wait)},
               {"scheduling_events", r.scheduling_events}};
}

const char* kind_name(EventKind k) {
  switch (k) {
    case EventKind::State: return "state";
    case EventKind::Core: return "core";
    case EventKind::Io: return "io";
    case EventKind::Spawn: return "spawn";
    case EventKind::Orphan: return "orphan";
    case EventKind::Reap: return "reap";
    case EventKind::Signal: return "signal";
    case EventKind::DaemonKill: return "daemon_kill";
    case EventKind::Print: return "print";
    case EventKind::Error: return "error";
    case EventKind::Sync: return "sync";
  }
  return "?";
}

ojson event_json(const Event& e, const RunResult& r) {
  ojson j{{"tick", e.tick}, {"kind", kind_name(e.kind)}};
  switch (e.kind) {
    case EventKind::State:
      j["pid"] = e.pid;
      j["state"] = to_string(static_cast<ProcState>(e.a));
      if (e.b) j["reason"] = to_string(static_cast<BlockReason>(e.b));
      if (e.core >= 0) j["core"] = e.core;
      break;
    case EventKind::Core:
      j["core"] = e.core;
      j["status"] = to_string(static_cast<CoreStatus>(e.a));
      if (e.pid) j["pid"] = e.pid;
      break;
    case EventKind::Io:
      if (e.pid) j["pid"] = e.pid;
      j["in_service"] = e.b;
      break;
    case EventKind::Signal:
      j["pid"] = e.pid;
      j["signal"] = e.a;
      j["sender"] = e.b;
      break;
    case EventKind::Print:
    case EventKind::Error:
      j["pid"] = e.pid;
      j["index"] = e.b;
      break;
    case EventKind::Sync: {
      auto op = static_cast<SyncOp>(e.a);
      bool file = op == SyncOp::Read || op == SyncOp::Write;
      const auto& names = file ? r.keys : r.objects;
      j["pid"] = e.pid;
      j["op"] = to_string(op);
      j[file ? "key" : "object"] = names.at(static_cast<std::size_t>(e.core));
      if (op == SyncOp::Put || op == SyncOp::Get) j["message"] = e.b;
      if (op == SyncOp::Arrive || op == SyncOp::Pass) j["generation"] = e.b;
      break;
    }
    default: {
      j["pid"] = e.pid;
      const char* other = e.kind == EventKind::Reap     ? "reaper"
                          : e.kind == EventKind::Orphan ? "former_parent"
                                                        : "parent";  // spawn, daemon_kill
      j[other] = e.b;
    }
  }
  return j;
}

// The result with an empty "processes" array, dumped, and where that array
// is: the processes, most of the text, are written apart
// (report/json_processes.hpp).
struct Skeleton {
  std::string text;
  std::size_t slot = std::string::npos;  // the "[]" of "processes", if it is to be filled
};

Skeleton skeleton(const RunResult& r, bool events) {
  ojson j;
  j["scenario"] = r.scenario;
  j["machine"] = machine_json(r.machine);
  j["summary"] = summary_json(r);
  if (r.multicore) j["multicore"] = detail::multicore_json(r);
  j["processes"] = ojson::array();  // filled in by the callers below
  j["output"] = ojson::array();
  for (const auto& l : r.prints) j["output"].push_back({{"tick", l.tick}, {"pid", l.pid}, {"text", l.text}});
  j["errors"] = ojson::array();
  for (const auto& e : r.errors) {
    j["errors"].push_back({{"tick", e.tick}, {"pid", e.pid}, {"message", e.message}});
    if (e.assertion)
      j["errors"].back()["assertion"] = true;  // only then: older outputs stay as they were
  }
  j["files"] = ojson::object();
  for (const auto& [name, content] : r.files) {
    ojson f = ojson::object();
    for (const auto& [k, v] : content) f[k] = value_json(v);
    j["files"][name] = f;
  }
  j["objects"] = ojson::array();
  for (std::size_t i = 0; i < r.object_stats.size(); ++i) {
    const ObjectStats& s = r.object_stats[i];
    j["objects"].push_back({{"object", r.objects[i]}, {"uses", s.uses}, {"waits", s.waits},
                            {"blocked", s.blocked}, {"max_waiting", s.max_waiting}});
  }
  detail::pools_json(j, r);  // only with pools: other outputs stay as they were
  if (r.deadlock) {
    DeadlockReport rep = analyse_deadlock(r);
    ojson stuck = ojson::array();
    for (std::size_t i = 0; i < r.stuck.size(); ++i) {
      const auto& s = r.stuck[i];
      stuck.push_back({{"pid", s.pid}, {"reason", to_string(s.reason)}, {"waits_for", s.waits_for},
                       {"holders", s.holders}, {"explanation", rep.explanations[i]}});
    }
    j["deadlock"] = {{"tick", r.makespan}, {"blocked", stuck}, {"cycles", rep.cycles}};
  } else {
    j["deadlock"] = nullptr;
  }
  // Only when set, so that the output of a run that ended by itself is unchanged.
  if (!r.stopped.empty()) j["stopped"] = {{"tick", r.makespan}, {"reason", r.stopped}};
  if (r.keys.empty()) {
    j["races"] = nullptr;  // no shared files: nothing to race on
  } else {
    RaceReport rep = find_races(r);
    ojson list = ojson::array();
    for (const auto& race : rep.races) {
      auto access = [](const Access& a) {
        return ojson{{"pid", a.pid}, {"tick", a.tick}, {"op", a.write ? "write" : "read"}};
      };
      list.push_back({{"key", race.key}, {"first", access(race.first)}, {"second", access(race.second)},
                      {"explanation", explain(race, r)}});
    }
    j["races"] = {{"total", rep.total}, {"write_write", rep.write_write}, {"listed", list}};
  }
  if (events) {
    j["events"] = ojson::array();
    for (const auto& e : r.events) j["events"].push_back(event_json(e, r));
  }
  Skeleton s{j.dump(2)};
  // The first top-level "processes" (keys of nested objects are indented deeper).
  const std::string slot = "\n  \"processes\": []";
  std::size_t at = s.text.find(slot);
  if (at != std::string::npos && !r.processes.empty()) s.slot = at + slot.size() - 2;
  return s;
}

}  // namespace

std::string format_json(const RunResult& r, bool events) {
  Skeleton s = skeleton(r, events);
  if (s.slot == std::string::npos) return std::move(s.text);
  // Assembled in one string reserved for all of it (and the newline callers
  // add): a replace() would copy the processes' text, most of the output, again.
  std::string whole;
  whole.reserve(s.text.size() + detail::processes_json_bound(r.processes) + 1);
  whole.append(s.text, 0, s.slot);
  detail::append_processes_json(whole, r.processes, r.multicore.has_value());
  whole.append(s.text, s.slot + 2);
  return whole;
}

std::function<void(const TextSink&)> json_writer(const RunResult& r, bool events) {
  auto s = std::make_shared<const Skeleton>(skeleton(r, events));
  if (s->slot != std::string::npos) detail::check_processes_json(r.processes);
  return [s, &r](const TextSink& sink) {
    if (s->slot == std::string::npos) return sink(s->text);
    sink(std::string_view(s->text).substr(0, s->slot));
    detail::write_processes_json(r.processes, r.multicore.has_value(), sink);
    sink(std::string_view(s->text).substr(s->slot + 2));
  };
}

}  // namespace mpsim
