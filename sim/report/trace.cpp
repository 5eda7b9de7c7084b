// Chrome trace-event format: "X" complete events for slices, "i" instants,
// "M" metadata for names and order. Two trace processes: "cores" (one thread
// per core) and "processes" (one thread per simulated process).
#include <map>
#include <nlohmann/json.hpp>

#include "analysis/intervals.hpp"
#include "analysis/migrations.hpp"
#include "mpsim/report/report.hpp"

namespace mpsim {

namespace {

using ojson = nlohmann::ordered_json;
constexpr int kCoresTrack = 1;
constexpr int kProcsTrack = 2;

std::string state_name(const detail::ProcInterval& i) {
  if (i.state == ProcState::Blocked) return std::string("blocked: ") + to_string(i.reason);
  return to_string(i.state);
}

ojson meta(int pid, int tid, const char* what, const ojson& args) {
  ojson m{{"ph", "M"}, {"pid", pid}, {"name", what}, {"args", args}};
  if (tid >= 0) m["tid"] = tid;
  return m;
}

class TraceWriter {
 public:
  explicit TraceWriter(const RunResult& r) : r_(r), us_(r.machine.tick_us) {
    for (const auto& p : r.processes) by_pid_[p.pid] = &p;
  }

  ojson build() {
    events_.push_back(meta(kCoresTrack, -1, "process_name", {{"name", "cores"}}));
    events_.push_back(meta(kProcsTrack, -1, "process_name", {{"name", "processes"}}));
    events_.push_back(meta(kCoresTrack, -1, "process_sort_index", {{"sort_index", 0}}));
    events_.push_back(meta(kProcsTrack, -1, "process_sort_index", {{"sort_index", 1}}));
    detail::Intervals iv = detail::replay(r_);
    cores(iv);
    processes(iv);
    instants();
    // One instant per migration on the process's track (none: nothing added).
    for (const auto& m : detail::migrations(r_))
      instant(m.tick, m.pid, "migrate to core " + std::to_string(m.to), {{"from", m.from}, {"to", m.to}},
              "migration");
    return ojson{{"displayTimeUnit", "ms"}, {"traceEvents", events_}};
  }

 private:
  std::string name_of(Pid pid) const {
    auto it = by_pid_.find(pid);
    return it == by_pid_.end() ? "pid " + std::to_string(pid) : it->second->name;
  }

  void slice(int track, int tid, const std::string& name, const char* cat, Tick start, Tick end, ojson args) {
    events_.push_back({{"ph", "X"}, {"pid", track}, {"tid", tid}, {"name", name}, {"cat", cat},
                       {"ts", start * us_}, {"dur", (end - start) * us_}, {"args", std::move(args)}});
  }

  void cores(const detail::Intervals& iv) {
    for (std::size_t c = 0; c < iv.cores.size(); ++c) {
      int tid = static_cast<int>(c);
      events_.push_back(meta(kCoresTrack, tid, "thread_name", {{"name", "core " + std::to_string(c)}}));
      events_.push_back(meta(kCoresTrack, tid, "thread_sort_index", {{"sort_index", tid}}));
      for (const auto& i : iv.cores[c]) {
        std::string name = i.status == CoreStatus::Running     ? name_of(i.pid)
                           : i.status == CoreStatus::Switching ? "switch to " + name_of(i.pid)
                                                               : "held by " + name_of(i.pid);
        slice(kCoresTrack, tid, name, to_string(i.status), i.start, i.end, {{"pid", i.pid}, {"ticks", i.end - i.start}});
      }
    }
  }

  void processes(const detail::Intervals& iv) {
    for (std::size_t k = 0; k < r_.processes.size(); ++k) {
      const ProcessResult& p = r_.processes[k];
      events_.push_back(meta(kProcsTrack, p.pid, "thread_name", {{"name", std::to_string(p.pid) + " " + p.name}}));
      events_.push_back(meta(kProcsTrack, p.pid, "thread_sort_index", {{"sort_index", p.pid}}));
      for (const auto& i : iv.procs[k])
        slice(kProcsTrack, p.pid, state_name(i), "state", i.start, i.end, {{"ticks", i.end - i.start}});
    }
  }

  void instant(Tick t, Pid pid, const std::string& name, ojson args, const char* cat = "lifecycle") {
    events_.push_back({{"ph", "i"}, {"s", "t"}, {"pid", kProcsTrack}, {"tid", pid}, {"name", name},
                       {"cat", cat}, {"ts", t * us_}, {"args", std::move(args)}});
  }

  // "acquire lock mutex", "put queue q" (message id in args), "read data.ticket".
  void sync(const Event& e) {
    auto op = static_cast<SyncOp>(e.a);
    bool file = op == SyncOp::Read || op == SyncOp::Write;
    const auto& names = file ? r_.keys : r_.objects;
    std::string object = names.at(static_cast<std::size_t>(e.core));
    ojson args{{"object", object}};
    if (op == SyncOp::Put || op == SyncOp::Get) args["message"] = e.b;
    if (op == SyncOp::Arrive || op == SyncOp::Pass) args["generation"] = e.b;
    instant(e.tick, e.pid, std::string(to_string(op)) + " " + object, std::move(args), file ? "file" : "sync");
  }

  void instants() {
    for (const Event& e : r_.events) {
      switch (e.kind) {
        case EventKind::Spawn: instant(e.tick, e.pid, "spawn", {{"parent", e.b}}); break;
        case EventKind::Orphan: instant(e.tick, e.pid, "orphan", {{"former_parent", e.b}, {"new_parent", 1}}); break;
        case EventKind::Reap: instant(e.tick, e.pid, "reap", {{"reaper", e.b}}); break;
        case EventKind::Signal:
          instant(e.tick, e.pid, e.a == 9 ? "kill" : "terminate", {{"signal", e.a}, {"sender", e.b}});
          break;
        case EventKind::DaemonKill: instant(e.tick, e.pid, "daemon killed", {{"parent", e.b}}); break;
        case EventKind::Print:
          instant(e.tick, e.pid, "print", {{"text", r_.prints[static_cast<std::size_t>(e.b)].text}});
          break;
        case EventKind::Error:
          instant(e.tick, e.pid, "error", {{"message", r_.errors[static_cast<std::size_t>(e.b)].message}});
          break;
        case EventKind::Sync: sync(e); break;
        case EventKind::State:
          if (static_cast<ProcState>(e.a) == ProcState::Zombie && by_pid_.count(e.pid))
            instant(e.tick, e.pid, "exit", {{"exit_code", by_pid_.at(e.pid)->exit_code}});
          break;
        default: break;
      }
    }
  }

  const RunResult& r_;
  std::map<Pid, const ProcessResult*> by_pid_;
  std::int64_t us_;
  ojson events_ = ojson::array();
};

}  // namespace

std::string format_trace(const RunResult& r) { return TraceWriter(r).build().dump(1); }

}  // namespace mpsim
