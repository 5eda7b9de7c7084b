// Process pools in the text and JSON reports and the timeline.
#include "report/pools.hpp"

#include "report/text_table.hpp"

namespace mpsim::detail {

namespace {

std::string tick_or_dash(Tick t) {
  return t < 0 ? "-" : std::to_string(t);
}

std::string pct(double v) {
  return fixed(100.0 * v, 1) + "%";
}

}  // namespace

void pools_text(std::ostringstream& out, const RunResult& r) {
  if (r.pools.empty()) return;
  out << "pools\n";
  Table t({"pool", "processes", "maxtasks", "creator", "created", "ended", "workers", "tasks",
           "failed", "busy", "utilisation"});
  for (const PoolResult& p : r.pools) {
    std::string workers;
    for (Pid w : p.workers) workers += (workers.empty() ? "" : ",") + std::to_string(w);
    t.add({p.name, std::to_string(p.processes),
           p.maxtasksperchild > 0 ? std::to_string(p.maxtasksperchild) : "-",
           p.creator == kNoPid ? "-" : std::to_string(p.creator), tick_or_dash(p.created),
           tick_or_dash(p.ended), workers.empty() ? "-" : workers, std::to_string(p.tasks),
           std::to_string(p.failed), std::to_string(p.busy), pct(p.utilisation(r.makespan))});
  }
  out << t.render("  ")
      << "  (busy = worker-ticks holding a task; utilisation = busy / (processes x (ended or "
         "makespan - created)))\n\n";
  if (r.tasks.empty()) return;
  out << "tasks\n";
  Table k({"task", "pool", "kind", "handle", "item", "program", "submitter", "submitted", "started",
           "finished", "worker", "queued", "result"});
  for (const TaskResult& x : r.tasks) {
    std::string result = x.finished < 0 ? "-" : x.ok ? x.result : "error: " + x.error;
    k.add({std::to_string(x.id), x.pool, x.kind, std::to_string(x.job), std::to_string(x.item),
           x.program, std::to_string(x.submitter), tick_or_dash(x.submitted),
           tick_or_dash(x.started), tick_or_dash(x.finished),
           x.worker == kNoPid ? "-" : std::to_string(x.worker),
           x.started < 0 ? "-" : std::to_string(x.started - x.submitted), result});
  }
  out << k.render("  ")
      << "  (queued = started - submitted; handle = the submission the task belongs to)\n\n";
}

void pools_json(nlohmann::ordered_json& j, const RunResult& r) {
  if (r.pools.empty()) return;
  using ojson = nlohmann::ordered_json;
  j["pools"] = ojson::array();
  for (const PoolResult& p : r.pools) {
    j["pools"].push_back({{"name", p.name},
                          {"processes", p.processes},
                          {"maxtasksperchild", p.maxtasksperchild},
                          {"creator", p.creator == kNoPid ? ojson(nullptr) : ojson(p.creator)},
                          {"created", p.created < 0 ? ojson(nullptr) : ojson(p.created)},
                          {"ended", p.ended < 0 ? ojson(nullptr) : ojson(p.ended)},
                          {"workers", p.workers},
                          {"tasks", p.tasks},
                          {"failed", p.failed},
                          {"busy", p.busy},
                          {"utilisation", std::stod(fixed(p.utilisation(r.makespan), 4))}});
  }
  j["tasks"] = ojson::array();
  auto opt = [](Tick t) { return t < 0 ? ojson(nullptr) : ojson(t); };
  for (const TaskResult& x : r.tasks) {
    ojson t = {{"id", x.id},
               {"pool", x.pool},
               {"kind", x.kind},
               {"handle", x.job},
               {"item", x.item},
               {"program", x.program},
               {"submitter", x.submitter},
               {"submitted", opt(x.submitted)},
               {"started", opt(x.started)},
               {"finished", opt(x.finished)},
               {"worker", x.worker == kNoPid ? ojson(nullptr) : ojson(x.worker)},
               {"ok", x.ok}};
    if (x.finished >= 0 && x.ok) t["result"] = x.result;
    if (!x.error.empty()) t["error"] = x.error;
    j["tasks"].push_back(std::move(t));
  }
}

std::map<Tick, std::string> task_marks(const RunResult& r) {
  std::map<Tick, std::string> marks;
  auto add = [&](Tick t, const std::string& m) {
    if (t < 0) return;
    std::string& s = marks[t];
    s += (s.empty() ? "" : " ") + m;
  };
  for (const TaskResult& x : r.tasks) {
    std::string id = "t" + std::to_string(x.id);
    add(x.submitted, id + "+");
    add(x.started, id + ">" + std::to_string(x.worker));
    add(x.finished, id + (x.ok ? "<" : "!"));
  }
  return marks;
}

}  // namespace mpsim::detail
