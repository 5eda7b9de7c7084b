#include "report/json_processes.hpp"

#include <nlohmann/json.hpp>

namespace mpsim::detail {

namespace {

// Appends `"key": ` at the indentation of one process's fields (or of the
// "blocked" object's, 8).
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void key(const char* k, int indent) {
    out_ += first_ ? "\n" : ",\n";
    first_ = false;
    out_.append(static_cast<std::size_t>(indent), ' ');
    out_ += '"';
    out_ += k;
    out_ += "\": ";
  }
  void num(const char* k, std::int64_t v, int indent = 6) {
    key(k, indent);
    out_ += std::to_string(v);
  }
  void opt(const char* k, std::int64_t v, bool present) {
    key(k, 6);
    out_ += present ? std::to_string(v) : "null";
  }
  void boolean(const char* k, bool v) {
    key(k, 6);
    out_ += v ? "true" : "false";
  }
  // Strings through nlohmann, so that escaping (and its refusal of invalid
  // UTF-8) stays exactly the library's.
  void str(const char* k, const std::string& v) {
    key(k, 6);
    out_ += nlohmann::ordered_json(v).dump();
  }
  void restart() { first_ = true; }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

std::string processes_json_text(const std::vector<ProcessResult>& processes, bool migrations) {
  if (processes.empty()) return "[]";
  std::string out = "[";
  out.reserve(processes.size() * 900);
  Writer w(out);
  for (std::size_t i = 0; i < processes.size(); ++i) {
    const ProcessResult& p = processes[i];
    bool done = p.finish >= 0;
    out += i == 0 ? "\n    {" : ",\n    {";
    w.restart();
    w.num("pid", p.pid);
    w.str("name", p.name);
    w.str("program", p.program);
    w.num("parent", p.parent);
    w.num("original_parent", p.original_parent);
    w.boolean("daemon", p.daemon);
    w.boolean("started", p.started);
    w.str("state", to_string(p.state));
    w.opt("exit_code", p.exit_code, done);
    if (p.error.empty())
      w.opt("error", 0, false);
    else
      w.str("error", p.error);
    w.opt("arrival", p.arrival, p.arrival >= 0);
    w.opt("first_run", p.first_run, p.first_run >= 0);
    w.opt("finish", p.finish, p.finish >= 0);
    w.opt("turnaround", p.turnaround(), done);
    w.opt("response", p.response(), p.response() >= 0);
    w.num("wait", p.wait);
    w.num("cpu", p.cpu);
    w.key("blocked", 6);
    out += "{";
    w.restart();
    w.num("io", p.blocked_io, 8);
    w.num("sleep", p.blocked_sleep, 8);
    w.num("join", p.blocked_join, 8);
    w.num("lock", p.blocked_lock, 8);
    w.num("semaphore", p.blocked_semaphore, 8);
    w.num("event", p.blocked_event, 8);
    w.num("barrier", p.blocked_barrier, 8);
    w.num("condition", p.blocked_condition, 8);
    w.num("queue", p.blocked_queue, 8);
    out += "\n      }";
    w.num("voluntary_switches", p.voluntary_switches);
    w.num("involuntary_switches", p.involuntary_switches);
    w.opt("reaped_at", p.reaped_at, p.reaped_at >= 0);
    w.opt("reaped_by", p.reaped_by, p.reaped_by != kNoPid);
    w.opt("orphaned_at", p.orphaned_at, p.orphaned_at >= 0);
    if (migrations) w.num("migrations", p.migrations);  // per-core queues only
    out += "\n    }";
  }
  out += "\n  ]";
  return out;
}

}  // namespace mpsim::detail
