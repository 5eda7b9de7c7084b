// The scenario loader: the only place (with compile.cpp and json_check.cpp)
// that sees JSON. It reports every problem it finds, never just the first.
#include "mpsim/loader.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "compile.hpp"
#include "json_check.hpp"
#include "mpsim/policy.hpp"

namespace mpsim {

const std::vector<std::string>& builtin_variables() {
  static const std::vector<std::string> kVars = {"pid", "ppid", "name", "now"};
  return kVars;
}

const std::vector<std::string>& builtin_functions() {
  static const std::vector<std::string> kFuncs = {"is_alive", "exitcode", "name_of", "str", "abs", "min", "max"};
  return kFuncs;
}

namespace detail {
namespace {

constexpr std::int32_t kMaxCores = 1024;
constexpr std::int32_t kMaxCount = 1000000;

// Parses JSON, reporting duplicate object keys (which nlohmann would silently
// merge) with their JSON path.
class DuplicateKeyFinder {
 public:
  explicit DuplicateKeyFinder(Checker& chk) : chk_(chk) {}
  bool operator()(int depth, json::parse_event_t ev, json& parsed) {
    (void)depth;
    switch (ev) {
      case json::parse_event_t::object_start: frames_.push_back(Frame{false, 0, "", {}}); break;
      case json::parse_event_t::array_start: frames_.push_back(Frame{true, 0, "", {}}); break;
      case json::parse_event_t::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) chk_.error(path(), "duplicate key \"" + f.key + "\"");
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        element_done();
        break;
      case json::parse_event_t::value: element_done(); break;
    }
    return true;
  }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::string key;
    std::set<std::string> keys;
  };
  void element_done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }
  std::string path() const {
    std::string p;
    for (const Frame& f : frames_) p = f.array ? child(p, f.index) : child(p, f.key);
    return p;
  }
  Checker& chk_;
  std::vector<Frame> frames_;
};

std::optional<json> parse_json(const std::string& text, Checker& chk) {
  try {
    DuplicateKeyFinder finder(chk);
    return json::parse(text, std::ref(finder));
  } catch (const json::parse_error& e) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    auto pos = what.find(": ", what.find("parse error"));
    std::string detail = pos == std::string::npos ? what : what.substr(pos + 2);
    chk.error("", "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(col) + ": " +
                      detail);
    return std::nullopt;
  }
}

class Loader {
 public:
  Loader(Checker& chk, Scenario& s) : chk_(chk), s_(s) {}

  void load(const json& doc) {
    if (!chk_.is_object(doc, "")) return;
    chk_.known_keys(doc, "", {"$schema", "name", "description", "machine", "files", "locks", "programs", "processes"});
    if (doc.contains("name")) s_.name = chk_.string(doc["name"], "/name").value_or("");
    if (doc.contains("description")) s_.description = chk_.string(doc["description"], "/description").value_or("");
    if (doc.contains("machine")) machine(doc["machine"], "/machine");
    if (doc.contains("files")) files(doc["files"], "/files");
    if (doc.contains("locks")) locks(doc["locks"], "/locks");
    if (!doc.contains("programs")) chk_.error("", "missing key \"programs\": the programs processes run");
    else programs(doc["programs"], "/programs");
    if (!doc.contains("processes")) chk_.error("", "missing key \"processes\": the processes that start the run");
    else processes(doc["processes"], "/processes");
  }

 private:
  void machine(const json& m, const std::string& path) {
    if (!chk_.is_object(m, path)) return;
    chk_.known_keys(m, path, {"cores", "tick_us", "scheduler", "context_switch", "switch_on_io", "io_completion",
                              "exit_semantics", "io_channels"});
    MachineConfig& mc = s_.machine;
    auto get_int = [&](const char* key, std::int64_t min, std::int64_t max, auto& field) {
      if (!m.contains(key)) return;
      if (auto v = chk_.integer(m[key], child(path, key), min, max)) field = static_cast<std::decay_t<decltype(field)>>(*v);
    };
    get_int("cores", 1, kMaxCores, mc.cores);
    get_int("tick_us", 1, 3600000000, mc.tick_us);
    get_int("context_switch", 0, 1000000000, mc.context_switch);
    get_int("io_channels", 0, 1000000, mc.io_channels);
    if (m.contains("switch_on_io")) mc.switch_on_io = chk_.boolean(m["switch_on_io"], child(path, "switch_on_io")).value_or(true);
    if (m.contains("io_completion")) {
      auto c = chk_.choice(m["io_completion"], child(path, "io_completion"), {"enqueue", "preempt"}, "io_completion");
      if (c) mc.io_completion = *c == "preempt" ? IoCompletion::Preempt : IoCompletion::Enqueue;
    }
    if (m.contains("exit_semantics")) {
      auto c = chk_.choice(m["exit_semantics"], child(path, "exit_semantics"), {"posix", "python"}, "exit_semantics");
      if (c) mc.exit_semantics = *c == "python" ? ExitSemantics::Python : ExitSemantics::Posix;
    }
    json sched = m.contains("scheduler") ? m["scheduler"] : json::object();
    scheduler(sched, child(path, "scheduler"));
  }

  void scheduler(const json& sc, const std::string& path) {
    json obj = sc.is_string() ? json{{"policy", sc}} : sc;  // "rr" is short for {"policy": "rr"}
    if (!chk_.is_object(obj, path)) return;
    std::vector<std::string> names;
    for (const auto& p : policy_registry()) names.push_back(p.name);
    std::string policy = "rr";
    if (obj.contains("policy")) {
      auto c = chk_.choice(obj["policy"], child(path, "policy"), names, "policy");
      if (!c) return;
      policy = *c;
    }
    s_.machine.scheduler.policy = policy;
    const PolicyInfo& info = *find_policy(policy);
    std::vector<std::string> allowed = {"policy"};
    for (const auto& ps : info.params) allowed.push_back(ps.key);
    chk_.known_keys(obj, path, allowed);
    auto& params = s_.machine.scheduler.params;
    bool ok = true;
    for (const auto& ps : info.params) {
      params[ps.key] = ps.default_value;
      if (!obj.contains(ps.key)) continue;
      auto v = param_value(ps, obj[ps.key], child(path, ps.key));
      if (v) params[ps.key] = *v;
      else ok = false;
    }
    if (ok && info.check)
      for (const auto& [key, msg] : info.check(s_.machine.scheduler)) chk_.error(child(path, key), msg);
  }

  std::optional<ParamValue> param_value(const ParamSpec& ps, const json& v, const std::string& path) {
    switch (ps.kind) {
      case ParamKind::Int:
        if (auto x = chk_.integer(v, path, ps.min)) return ParamValue{*x};
        return std::nullopt;
      case ParamKind::Bool:
        if (auto b = chk_.boolean(v, path)) return ParamValue{*b};
        return std::nullopt;
      case ParamKind::IntList: {
        if (!chk_.is_array(v, path)) return std::nullopt;
        std::vector<std::int64_t> list;
        std::size_t before = chk_.count();
        for (std::size_t i = 0; i < v.size(); ++i)
          if (auto x = chk_.integer(v[i], child(path, i), ps.min)) list.push_back(*x);
        if (chk_.count() != before) return std::nullopt;
        return ParamValue{list};
      }
    }
    return std::nullopt;
  }

  void files(const json& f, const std::string& path) {
    if (!chk_.is_object(f, path)) return;
    static const std::regex kSafe("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    for (const auto& [name, content] : f.items()) {
      std::string fp = child(path, name);
      // Real-OS mode writes these as files in its run folder: nothing may point outside it.
      if (!std::regex_match(name, kSafe) || name.find("..") != std::string::npos || name.find('.') != std::string::npos) {
        chk_.error(fp, "file name \"" + name + "\" is not allowed: use letters, digits, _ and - only "
                       "(no paths, dots or separators)");
        continue;
      }
      if (!chk_.is_object(content, fp)) continue;
      FileContent fc;
      for (const auto& [key, v] : content.items()) {
        std::string kp = child(fp, key);
        if (v.is_boolean()) fc[key] = Value{v.get<bool>()};
        else if (v.is_string()) fc[key] = Value{v.get<std::string>()};
        else if (v.is_number_integer()) {
          if (auto x = chk_.integer(v, kp, INT64_MIN)) fc[key] = Value{*x};
        } else chk_.error(kp, "expected an integer, true/false or a string, found " + describe(v));
      }
      s_.files[name] = std::move(fc);
    }
  }

  void locks(const json& l, const std::string& path) {
    if (!chk_.is_array(l, path)) return;
    for (std::size_t i = 0; i < l.size(); ++i) {
      auto name = chk_.string(l[i], child(path, i));
      if (!name) continue;
      if (std::find(s_.locks.begin(), s_.locks.end(), *name) != s_.locks.end())
        chk_.error(child(path, i), "duplicate lock \"" + *name + "\"");
      else s_.locks.push_back(*name);
    }
  }

  void programs(const json& p, const std::string& path) {
    if (!chk_.is_object(p, path)) return;
    CompileEnv env;
    for (const auto& [name, ops] : p.items()) env.programs.push_back(name);
    env.locks = s_.locks;
    for (const auto& [name, c] : s_.files) env.files.push_back(name);
    for (const auto& [name, ops] : p.items())
      s_.programs[name] = compile_program(name, ops, child(path, name), env, chk_);
  }

  void processes(const json& ps, const std::string& path) {
    if (!chk_.is_array(ps, path)) return;
    if (ps.empty()) chk_.error(path, "expected at least one process");
    std::set<std::string> names;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      std::string pp = child(path, i);
      if (!chk_.is_object(ps[i], pp)) continue;
      process(ps[i], pp, names);
    }
  }

  void process(const json& p, const std::string& path, std::set<std::string>& names) {
    chk_.known_keys(p, path, {"name", "program", "count", "args", "arrival", "priority", "nice", "affinity", "daemon"});
    ProcessSpec spec;
    spec.path = path;
    if (!p.contains("program")) {
      chk_.error(path, "missing key \"program\": the program this process runs");
    } else if (auto prog = chk_.string(p["program"], child(path, "program"))) {
      std::vector<std::string> known;
      for (const auto& [n, pr] : s_.programs) known.push_back(n);
      if (!s_.programs.count(*prog)) {
        std::string msg = "unknown program \"" + *prog + "\"";
        std::string guess = closest_match(*prog, known);
        if (!guess.empty()) msg += " (did you mean \"" + guess + "\"?)";
        chk_.error(child(path, "program"), msg);
      }
      spec.program = *prog;
    }
    auto num = [&](const char* key, std::int64_t min, std::int64_t max, auto& field) {
      if (!p.contains(key)) return;
      if (auto v = chk_.integer(p[key], child(path, key), min, max)) field = static_cast<std::decay_t<decltype(field)>>(*v);
    };
    num("count", 1, kMaxCount, spec.count);
    num("arrival", 0, INT64_MAX / 4, spec.arrival);
    num("priority", -1000000, 1000000, spec.priority);
    num("nice", -20, 19, spec.nice);
    if (p.contains("daemon")) spec.daemon = chk_.boolean(p["daemon"], child(path, "daemon")).value_or(false);
    if (p.contains("affinity")) affinity(p["affinity"], child(path, "affinity"), spec);
    if (p.contains("args")) args(p["args"], child(path, "args"), spec);
    spec.name = spec.program + (spec.count > 1 ? "-{index}" : "");
    if (p.contains("name")) {
      auto t = chk_.templ(p["name"], child(path, "name"));
      if (t) {
        spec.name = p["name"].get<std::string>();
        only_index(t->holes(), child(path, "name"));
      }
    }
    bool per_index = spec.name.find('{') != std::string::npos;
    if (spec.count > 1 && !per_index)
      chk_.error(child(path, "name"), "name \"" + spec.name + "\" would be the same for all " +
                                          std::to_string(spec.count) + " processes: put {index} in it");
    else if (!per_index && !names.insert(spec.name).second)
      chk_.error(child(path, "name"), "duplicate process name \"" + spec.name + "\"");
    s_.processes.push_back(std::move(spec));
  }

  void affinity(const json& a, const std::string& path, ProcessSpec& spec) {
    if (!chk_.is_array(a, path)) return;
    if (a.empty()) chk_.error(path, "expected at least one core id (leave affinity out for any core)");
    for (std::size_t i = 0; i < a.size(); ++i)
      if (auto c = chk_.integer(a[i], child(path, i), 0, s_.machine.cores - 1)) spec.affinity.push_back(static_cast<CoreId>(*c));
  }

  void args(const json& a, const std::string& path, ProcessSpec& spec) {
    if (!chk_.is_object(a, path)) return;
    for (const auto& [k, v] : a.items()) {
      std::string kp = child(path, k);
      const auto& reserved = builtin_variables();
      if (std::find(reserved.begin(), reserved.end(), k) != reserved.end()) {
        chk_.error(kp, "\"" + k + "\" is a built-in variable and cannot be an argument");
        continue;
      }
      auto e = chk_.value(v, kp);
      if (!e) continue;
      only_index({*e}, kp);
      spec.args.emplace_back(k, *e);
    }
  }

  // Initial processes are set up before anything runs: only `index` (and pid) exist.
  void only_index(const std::vector<Expr>& exprs, const std::string& path) {
    for (const Expr& e : exprs) {
      for (const auto& v : e.variables()) {
        if (v == "index" || v == "pid" || v == "ppid") continue;
        chk_.error(path, "unknown variable \"" + v + "\": a process's name and args may use only index, pid and ppid");
        return;
      }
      if (!e.functions().empty()) {
        chk_.error(path, "function " + e.functions()[0] + "() cannot be used in a process's name or args");
        return;
      }
    }
  }

  Checker& chk_;
  Scenario& s_;
};

}  // namespace
}  // namespace detail

LoadResult load_scenario_text(const std::string& text, const std::string& source) {
  LoadResult r;
  detail::Checker chk(source, r.errors);
  auto doc = detail::parse_json(text, chk);
  if (!doc || !r.errors.empty()) return r;
  Scenario s;
  s.source = source;
  detail::Loader(chk, s).load(*doc);
  if (r.errors.empty()) r.scenario = std::move(s);
  return r;
}

LoadResult load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.errors.push_back(Diagnostic{path, "", "cannot open the file"});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_scenario_text(text.str(), path);
}

}  // namespace mpsim
