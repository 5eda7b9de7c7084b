// The scenario loader: the only place (with compile.cpp and json_check.cpp)
// that sees JSON. It reports every problem it finds, never just the first.
#include "mpsim/scenario/loader.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "mpsim/kernel/policy.hpp"
#include "mpsim/model/name_key.hpp"
#include "scenario/compile.hpp"
#include "scenario/expect_decl.hpp"
#include "scenario/json_check.hpp"
#include "scenario/random_json.hpp"
#include "scenario/pool_decl.hpp"
#include "scenario/ipc_decl.hpp"
#include "scenario/sync_decl.hpp"

namespace mpsim {

const std::vector<std::string>& builtin_variables() {
  static const std::vector<std::string> kVars = {"pid", "ppid", "name", "now"};
  return kVars;
}

const std::vector<std::string>& builtin_functions() {
  static const std::vector<std::string> kFuncs = {"is_alive", "exitcode", "name_of", "str",
                                                  "abs",      "min",      "max"};
  return kFuncs;
}

namespace detail {
namespace {

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const auto& p : policy_registry()) names.push_back(p.name);
  return names;
}

bool contains(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// The registry gives only a minimum per parameter; the maximum keeps MLFQ's
// per-level queues few and every tick count far from overflow.
std::int64_t param_max(const ParamSpec& ps) {
  if (ps.key == "big") return 1000000;  // stride: pass = ticks * big / tickets stays in 64 bits
  return ps.key == "levels" ? kMaxLevels : kMaxTicks;
}

// A program name used as the default process name must not open a template hole.
std::string escape_braces(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '{' || c == '}') out += c;
  }
  return out;
}

// What an initial process's name and args see: they are evaluated before the
// run, as the kernel will (index, pid, ppid; no functions).
class SetupContext : public EvalContext {
 public:
  SetupContext(std::int64_t index, std::int64_t pid) : index_(index), pid_(pid) {}
  std::optional<Value> variable(std::string_view n) const override {
    if (const Value* v = find_stored(n, name_key(n))) return *v;
    return std::nullopt;
  }
  // Without a copy into an optional: 1000 processes' args are evaluated here.
  // The three names are under 8 bytes, so their keys alone identify them.
  const Value* find_stored(std::string_view, std::uint64_t key) const override {
    static const std::uint64_t kIndex = name_key("index"), kPid = name_key("pid"),
                               kPpid = name_key("ppid");
    if (key == kIndex) return &index_;
    if (key == kPid) return &pid_;
    if (key == kPpid) return &ppid_;
    return nullptr;
  }
  Value call(std::string_view f, const std::vector<Value>&) const override {
    throw RuntimeError("function " + std::string(f) + "() cannot be used in process setup");
  }

 private:
  Value index_;
  Value pid_;
  Value ppid_{std::int64_t{1}};
};

// Arrays and objects nested deeper than this are refused: the parser, the
// loader and the compiler recurse per level, and no scenario needs more.
constexpr std::size_t kMaxDepth = 100;
// Longest name in "files": it becomes NAME.json and .NAME.PID.tmp in the run folder.
constexpr std::size_t kMaxFileName = 100;

// Thrown from the parser callback to stop parsing a too deeply nested document.
struct TooDeep {};

// Builds the document as nlohmann's own DOM parser does, reporting duplicate
// object keys (which it would silently merge: the first position, the last
// value) and excessive nesting with their JSON path. A SAX handler rather
// than parse()'s callback: the callback parser copies every key into a json
// and calls a std::function per token, and a std::set of keys per object
// cost more again; this halved the parse of 1000 listed processes
// (callgrind). Objects with many keys (programs) are indexed in a hash set.
class CheckedDomParser : public nlohmann::detail::json_sax_dom_parser<json> {
  using Base = nlohmann::detail::json_sax_dom_parser<json>;

 public:
  CheckedDomParser(json& result, Checker& chk) : Base(result), chk_(chk) {}

  bool null() { return done(Base::null()); }
  bool boolean(bool v) { return done(Base::boolean(v)); }
  bool number_integer(number_integer_t v) { return done(Base::number_integer(v)); }
  bool number_unsigned(number_unsigned_t v) { return done(Base::number_unsigned(v)); }
  bool number_float(number_float_t v, const string_t& s) { return done(Base::number_float(v, s)); }
  bool string(string_t& v) { return done(Base::string(v)); }
  bool binary(binary_t& v) { return done(Base::binary(v)); }
  bool start_object(std::size_t len) {
    open(false);
    return Base::start_object(len);
  }
  bool start_array(std::size_t len) {
    open(true);
    return Base::start_array(len);
  }
  bool end_object() { return close(Base::end_object()); }
  bool end_array() { return close(Base::end_array()); }
  bool key(string_t& k) {
    Frame& f = frames_[depth_ - 1];
    f.key = k;
    if (!f.add_key(k)) chk_.error(path(), "duplicate key \"" + f.key + "\"");
    return Base::key(k);
  }

 private:
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
    std::vector<std::string> keys;            // while few
    std::unordered_set<std::string> indexed;  // from kIndexFrom keys on
    static constexpr std::size_t kIndexFrom = 16;
    bool add_key(const std::string& k) {
      if (!indexed.empty()) return indexed.insert(k).second;
      if (std::find(keys.begin(), keys.end(), k) != keys.end()) return false;
      keys.push_back(k);
      if (keys.size() == kIndexFrom) {
        indexed.insert(keys.begin(), keys.end());
        keys.clear();
      }
      return true;
    }
  };
  void open(bool array) {
    if (depth_ == kMaxDepth) {
      chk_.error(path(), "expected at most " + std::to_string(kMaxDepth) +
                             " levels of nested arrays and objects, found more");
      throw TooDeep{};
    }
    // Frames are reused level by level: their key lists keep their memory.
    if (depth_ == frames_.size()) frames_.emplace_back();
    Frame& f = frames_[depth_++];
    f.array = array;
    f.index = 0;
    f.keys.clear();
    if (!f.indexed.empty()) f.indexed = {};  // (clear() would zero all its buckets)
  }
  bool close(bool ok) {
    --depth_;
    return done(ok);
  }
  bool done(bool ok) {
    if (depth_ > 0 && frames_[depth_ - 1].array) ++frames_[depth_ - 1].index;
    return ok;
  }
  std::string path() const {
    std::string p;
    for (std::size_t i = 0; i < depth_; ++i) {
      const Frame& f = frames_[i];
      p = f.array ? child(p, f.index) : child(p, f.key);
    }
    return p;
  }
  Checker& chk_;
  std::vector<Frame> frames_;  // the first depth_ are open
  std::size_t depth_ = 0;
};

// nlohmann's token names, as a scenario author would say them. Only object
// keys are ever "expected string literal".
std::string plain_token(const std::string& t, bool expected) {
  if (t == "string literal") return expected ? "a key in double quotes" : "a string";
  if (t == "number literal") return "a number";
  if (t == "end of input") return "the end of the file";
  if (t == "'[', '{', or a literal") return "a value";
  if (t == "invalid literal") return "text that is not JSON";
  return t;
}

// Rewords nlohmann's "syntax error while parsing object - unexpected string
// literal; expected '}'" as "expected ',' or '}', found a string...": its parser
// names only the closing bracket where a comma was just as welcome.
std::string plain_parse_error(const std::string& what) {
  auto dash = what.find(" - ");
  auto colon = what.find(": ");
  std::string detail = dash != std::string::npos    ? what.substr(dash + 3)
                       : colon != std::string::npos ? what.substr(colon + 2)
                                                    : what;
  std::string found, expected, problem, last;
  std::size_t pos = 0;
  while (pos <= detail.size()) {
    auto next = detail.find("; ", pos);
    std::string part =
        detail.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (part.rfind("unexpected ", 0) == 0)
      found = plain_token(part.substr(11), false);
    else if (part.rfind("expected ", 0) == 0)
      expected = plain_token(part.substr(9), true);
    else if (part.rfind("last read: ", 0) == 0)
      last = part.substr(11);
    else
      problem = plain_token(part, false);
    if (next == std::string::npos) break;
    pos = next + 2;
  }
  if (expected == "'}'") expected = "',' or '}'";
  if (expected == "']'") expected = "',' or ']'";
  if (found.empty()) found = problem;
  if (expected.empty() && problem == "text that is not JSON") expected = "a value";
  std::string msg = expected.empty() ? found : "expected " + expected + ", found " + found;
  if (!last.empty()) msg += " (last read: " + last + ")";
  return msg;
}

std::optional<json> parse_json(const std::string& text, Checker& chk) {
  try {
    json doc;
    CheckedDomParser sax(doc, chk);
    json::sax_parse(text, &sax);
    return doc;
  } catch (const TooDeep&) {
    return std::nullopt;
  } catch (const json::parse_error& e) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++col;  // columns count characters: UTF-8 continuation bytes do not start one
      }
    }
    chk.error("", "invalid JSON at line " + std::to_string(line) + ", column " +
                      std::to_string(col) + ": " + plain_parse_error(e.what()));
    return std::nullopt;
  } catch (const json::out_of_range& e) {
    // A number beyond a double's range (1e400) is out_of_range, not a
    // parse_error, and has no position; uncaught it ended mpsim (fuzz finding
    // tests/fuzz/regressions/loader/number-overflow.json).
    std::string what = e.what();
    auto quote = what.find('\'');
    std::string number = quote == std::string::npos ? "" : " " + what.substr(quote);
    chk.error("", "invalid JSON: the number" + number + " is out of range (at most about 1.8e308)");
    return std::nullopt;
  }
}

class Loader {
 public:
  Loader(Checker& chk, Scenario& s) : chk_(chk), s_(s) {}

  void load(const json& doc) {
    if (!chk_.is_object(doc, "")) return;
    std::vector<std::string> top = {"$schema", "name",     "description", "seed",  "machine",
                                    "files",   "programs", "processes",   "expect", "pools"};
    top.insert(top.begin() + 6, sync_object_keys().begin(), sync_object_keys().end());
    top.insert(top.end() - 3, ipc_keys().begin(), ipc_keys().end());
    chk_.known_keys(doc, "", top);
    if (doc.contains("name")) s_.name = chk_.string(doc["name"], "/name").value_or("");
    if (doc.contains("description"))
      s_.description = chk_.string(doc["description"], "/description").value_or("");
    machine(doc.contains("machine") ? doc["machine"] : json::object(), "/machine");  // defaults too
    if (doc.contains("files")) files(doc["files"], "/files");
    load_sync_objects(doc, chk_, s_.objects);
    if (doc.contains("programs") && doc["programs"].is_object())
      for (const auto& [name, ops] : doc["programs"].items()) program_names_.push_back(name);
    load_pools(doc, chk_, program_names_, s_.pools);
    load_ipc(doc, chk_, s_);
    if (!doc.contains("programs"))
      chk_.error("",
                 "missing key \"programs\": expected an object of named programs, each a list of "
                 "operations");
    else
      programs(doc["programs"], "/programs");
    if (!doc.contains("processes"))
      chk_.error(
          "", "missing key \"processes\": expected an array of the processes that start the run");
    else
      processes(doc["processes"], "/processes");
    load_expects(doc, chk_, s_.expects);
    if (chk_.count() == 0) check_pool_callbacks(s_, chk_);
  }

 private:
  void machine(const json& m, const std::string& path) {
    if (!chk_.is_object(m, path)) return;
    chk_.known_keys(m, path,
                    {"cores", "tick_us", "scheduler", "context_switch", "switch_on_io",
                     "io_completion", "exit_semantics", "io_channels", "queues", "per_core",
                     "cache", "multi_ostep"});
    MachineConfig& mc = s_.machine;
    auto get_int = [&](const char* key, std::int64_t min, std::int64_t max, auto& field) {
      if (!m.contains(key)) return;
      if (auto v = chk_.integer(m[key], child(path, key), min, max))
        field = static_cast<std::decay_t<decltype(field)>>(*v);
    };
    get_int("cores", 1, kMaxCores, mc.cores);
    get_int("tick_us", 1, 3600000000, mc.tick_us);
    get_int("context_switch", 0, kMaxTicks, mc.context_switch);
    get_int("io_channels", 0, 1000000, mc.io_channels);
    if (m.contains("switch_on_io"))
      mc.switch_on_io = chk_.boolean(m["switch_on_io"], child(path, "switch_on_io")).value_or(true);
    if (m.contains("io_completion")) {
      auto c = chk_.choice(m["io_completion"], child(path, "io_completion"), {"enqueue", "preempt"},
                           "io_completion");
      if (c) mc.io_completion = *c == "preempt" ? IoCompletion::Preempt : IoCompletion::Enqueue;
    }
    if (m.contains("exit_semantics")) {
      auto c = chk_.choice(m["exit_semantics"], child(path, "exit_semantics"), {"posix", "python"},
                           "exit_semantics");
      if (c) mc.exit_semantics = *c == "python" ? ExitSemantics::Python : ExitSemantics::Posix;
    }
    json sched = m.contains("scheduler") ? m["scheduler"] : json::object();
    scheduler(sched, child(path, "scheduler"));
    queues(m, path);
    cache(m, path);
  }

  // The cache model and multi.py's rules (semantics.md §12.1, docs/multi-ostep.md).
  void cache(const json& m, const std::string& path) {
    MachineConfig& mc = s_.machine;
    if (m.contains("multi_ostep")) {
      mc.multi_ostep = chk_.boolean(m["multi_ostep"], child(path, "multi_ostep")).value_or(false);
      if (mc.multi_ostep && mc.scheduler.policy != "rr")
        chk_.error(child(path, "multi_ostep"), kMultiOstepRr + (" (found " + mc.scheduler.policy + ")"));
    }
    if (!mc.multi_ostep && mc.per_core.seed != 0)
      chk_.error(child(child(path, "per_core"), "seed"),
                 "seed applies only with \"multi_ostep\": true (multi.py's random victim draws)");
    if (!m.contains("cache")) return;
    std::string at = child(path, "cache");
    const json& o = m["cache"];
    if (!chk_.is_object(o, at)) return;
    chk_.known_keys(o, at, {"size", "warmup", "warm_rate"});
    CacheConfig& cc = mc.cache.emplace();
    auto get = [&](const char* key, std::int64_t min, auto& field) {
      if (!o.contains(key)) return;
      if (auto v = chk_.integer(o[key], child(at, key), min, kMaxTicks)) field = *v;
    };
    get("size", 0, cc.size);
    get("warmup", 0, cc.warmup);
    get("warm_rate", 1, cc.warm_rate);
  }

  // `queues` and the rules of per-core queues (semantics.md §12).
  void queues(const json& m, const std::string& path) {
    MachineConfig& mc = s_.machine;
    if (m.contains("queues")) {
      auto c = chk_.choice(m["queues"], child(path, "queues"), {"global", "per_core"}, "queue design");
      if (c) mc.queues = *c == "per_core" ? QueueDesign::PerCore : QueueDesign::Global;
      if (mc.queues == QueueDesign::PerCore && mlfq_ostep(mc.scheduler))
        chk_.error(child(path, "queues"), kOstepPerCore);
    }
    if (!m.contains("per_core")) return;
    std::string at = child(path, "per_core");
    if (mc.queues != QueueDesign::PerCore) {
      chk_.error(at, "per_core rules apply only with \"queues\": \"per_core\"");
      return;
    }
    const json& o = m["per_core"];
    if (!chk_.is_object(o, at)) return;
    chk_.known_keys(o, at, {"placement", "balance_interval", "balance_threshold", "steal_peek", "seed"});
    PerCoreConfig& pc = mc.per_core;
    if (o.contains("placement")) {
      auto c = chk_.choice(o["placement"], child(at, "placement"), {"last", "least_loaded"}, "placement");
      if (c) pc.placement = *c == "last" ? Placement::Last : Placement::LeastLoaded;
    }
    auto get = [&](const char* key, std::int64_t min, auto& field) {
      if (!o.contains(key)) return;
      if (auto v = chk_.integer(o[key], child(at, key), min, kMaxTicks)) field = *v;
    };
    get("balance_interval", 0, pc.balance_interval);
    get("balance_threshold", 1, pc.balance_threshold);
    get("steal_peek", 0, pc.steal_peek);
    if (o.contains("seed"))
      if (auto v = chk_.integer(o["seed"], child(at, "seed"), 0, 4294967295)) pc.seed = *v;
  }

  void scheduler(const json& sc, const std::string& path) {
    if (!sc.is_string() && !sc.is_object()) {
      chk_.error(
          path,
          "expected a policy name or an object such as {\"policy\": \"rr\", \"quantum\": 4}, "
          "found " +
              describe(sc));
      return;
    }
    // "rr" is short for {"policy": "rr"}; a bad name then points at the string itself.
    json obj = sc.is_string() ? json{{"policy", sc}} : sc;
    std::string policy = "rr";
    if (obj.contains("policy")) {
      auto c = chk_.choice(obj["policy"], sc.is_string() ? path : child(path, "policy"),
                           policy_names(), "policy");
      if (!c) return;
      policy = *c;
    }
    s_.machine.scheduler.policy = policy;
    const PolicyInfo& info = *find_policy(policy);
    scheduler_keys(obj, path, info);
    auto& params = s_.machine.scheduler.params;
    bool ok = true;
    for (const auto& ps : info.params) {
      params[ps.key] = ps.default_value;
      if (!obj.contains(ps.key)) continue;
      auto v = param_value(ps, obj[ps.key], child(path, ps.key));
      if (v)
        params[ps.key] = *v;
      else
        ok = false;
    }
    if (ok && info.check)
      for (const auto& [key, msg] : info.check(s_.machine.scheduler))
        chk_.error(child(path, key), msg);
  }

  // Parameters depend on the policy, so a key valid for another policy gets a
  // message saying which policies take it.
  void scheduler_keys(const json& obj, const std::string& path, const PolicyInfo& info) {
    std::vector<std::string> allowed = {"policy"};
    for (const auto& ps : info.params) allowed.push_back(ps.key);
    for (const auto& [key, v] : obj.items()) {
      if (contains(allowed, key)) continue;
      std::string msg = "unknown key \"" + key + "\"";
      std::string guess = closest_match(key, allowed);
      std::vector<std::string> owners;
      for (const auto& p : policy_registry())
        for (const auto& ps : p.params)
          if (ps.key == key) owners.push_back(p.name);
      if (!guess.empty())
        msg += " (did you mean \"" + guess + "\"?)";
      else if (info.params.empty())
        msg += ": policy " + info.name + " takes no parameters";
      else
        msg += ": policy " + info.name + " takes " + join({allowed.begin() + 1, allowed.end()});
      if (guess.empty() && !owners.empty()) msg += " (" + key + " is for " + join(owners) + ")";
      chk_.error(child(path, key), msg);
    }
  }

  std::optional<ParamValue> param_value(const ParamSpec& ps, const json& v,
                                        const std::string& path) {
    switch (ps.kind) {
      case ParamKind::Int:
        if (auto x = chk_.integer(v, path, ps.min, param_max(ps))) return ParamValue{*x};
        return std::nullopt;
      case ParamKind::Bool:
        if (auto b = chk_.boolean(v, path)) return ParamValue{*b};
        return std::nullopt;
      case ParamKind::IntList: {
        if (!chk_.is_array(v, path)) return std::nullopt;
        std::vector<std::int64_t> list;
        std::size_t before = chk_.count();
        for (std::size_t i = 0; i < v.size(); ++i)
          if (auto x = chk_.integer(v[i], child(path, i), ps.min, param_max(ps)))
            list.push_back(*x);
        if (chk_.count() != before) return std::nullopt;
        return ParamValue{list};
      }
      case ParamKind::Choice:
        if (auto c = chk_.choice(v, path, ps.choices, ps.key)) return ParamValue{*c};
        return std::nullopt;
    }
    return std::nullopt;
  }

  // Letters, digits, _ and -, not starting with -: no path, dot or separator
  // can make real-OS mode write outside its run folder.
  static bool safe_file_name(const std::string& name) {
    if (name.empty() || name[0] == '-') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
  }

  void files(const json& f, const std::string& path) {
    if (!chk_.is_object(f, path)) return;
    for (const auto& [name, content] : f.items()) {
      std::string fp = child(path, name);
      // Real-OS mode writes these as files in its run folder: nothing may point outside it.
      if (!safe_file_name(name)) {
        chk_.error(fp, "file name \"" + name +
                           "\" is not allowed: use letters, digits, _ and - only "
                           "(no paths, dots or separators)");
        continue;
      }
      if (name.size() > kMaxFileName) {  // its temporary copies must stay within NAME_MAX
        chk_.error(fp, "expected a file name of at most " + std::to_string(kMaxFileName) +
                           " characters, found " + std::to_string(name.size()));
        continue;
      }
      if (!chk_.is_object(content, fp)) continue;
      FileContent fc;
      for (const auto& [key, v] : content.items()) {
        std::string kp = child(fp, key);
        if (v.is_boolean())
          fc[key] = Value{v.get<bool>()};
        else if (v.is_string())
          fc[key] = Value{v.get<std::string>()};
        else if (v.is_number_integer()) {
          if (auto x = chk_.integer(v, kp, INT64_MIN)) fc[key] = Value{*x};
        } else
          chk_.error(kp, "expected an integer, true/false or a string, found " + describe(v));
      }
      s_.files[name] = std::move(fc);
    }
  }

  void programs(const json& p, const std::string& path) {
    if (!chk_.is_object(p, path)) return;
    CompileEnv env;
    env.programs = program_names_;
    for (const PoolDecl& d : s_.pools) env.pools.push_back(d.name);
    env.objects = s_.objects;
    for (const auto& [name, c] : s_.files) env.files.push_back(name);
    env.shared = &s_.shared;
    env.pipes = &s_.pipes;
    for (const auto& [name, ops] : p.items())
      s_.programs[name] = compile_program(name, ops, child(path, name), env, chk_);
  }

  void processes(const json& ps, const std::string& path) {
    if (!chk_.is_array(ps, path)) return;
    if (ps.empty()) chk_.error(path, "expected at least one process, found an empty array");
    // Names and args of up to this many processes are checked even in a file
    // with other errors; beyond it only in an otherwise sound file.
    constexpr std::int64_t kCheapSetup = 10000;
    std::vector<bool> ok;  // per entry: name and args are sound enough to evaluate
    std::int64_t total = 0;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      std::string pp = child(path, i);
      if (!chk_.is_object(ps[i], pp)) continue;
      std::size_t before = chk_.count();
      process(ps[i], pp);
      ok.push_back(chk_.count() == before);
      total += s_.processes.back().count;
    }
    if (total > kMaxProcesses)
      chk_.error(path, "expected at most " + std::to_string(kMaxProcesses) +
                           " initial processes in all, found " + std::to_string(total));
    else if (chk_.count() == 0 || total <= kCheapSetup)
      setup(ok);  // rendering 10^6 names takes seconds: not for a file already refused
  }

  void process(const json& p, const std::string& path) {
    // Built once: a list built per call cost 10 allocations per listed process.
    static const std::vector<std::string> kKeys = {"name",    "program",  "count", "args",
                                                   "arrival", "priority", "nice",  "affinity",
                                                   "daemon",  "tickets", "working_set"};
    chk_.known_keys(p, path, kKeys);
    ProcessSpec spec;
    spec.path = path;
    if (!p.contains("program")) {
      chk_.error(path, "missing key \"program\": the program this process runs");
    } else if (auto prog = chk_.string(p["program"], child(path, "program"))) {
      if (!s_.programs.count(*prog))
        chk_.error(child(path, "program"), unknown_name("program", *prog, program_names_));
      spec.program = *prog;
    }
    auto num = [&](const char* key, std::int64_t min, std::int64_t max, auto& field) {
      if (!p.contains(key)) return;
      if (auto v = chk_.integer(p[key], child(path, key), min, max))
        field = static_cast<std::decay_t<decltype(field)>>(*v);
    };
    num("count", 1, kMaxProcesses, spec.count);
    num("arrival", 0, kMaxTicks, spec.arrival);
    num("priority", -1000000, 1000000, spec.priority);
    num("nice", -20, 19, spec.nice);
    num("tickets", 1, 1000000, spec.tickets);
    num("working_set", 0, kMaxTicks, spec.working_set);
    if (p.contains("working_set") && !s_.machine.cache)
      chk_.error(child(path, "working_set"),
                 "working_set applies only with the cache model: add \"cache\": {} to \"machine\"");
    if (p.contains("daemon"))
      spec.daemon = chk_.boolean(p["daemon"], child(path, "daemon")).value_or(false);
    if (p.contains("affinity")) affinity(p["affinity"], child(path, "affinity"), spec);
    if (p.contains("args")) args(p["args"], child(path, "args"), spec);
    spec.name = escape_braces(spec.program) + (spec.count > 1 ? "-{index}" : "");
    if (p.contains("name")) {
      auto t = chk_.templ(p["name"], child(path, "name"));
      if (t) {
        spec.name = p["name"].get<std::string>();
        only_index(t->holes(), child(path, "name"));
        if (spec.count > 1 && t->holes().empty())
          chk_.error(child(path, "name"), "name \"" + spec.name + "\" would be the same for all " +
                                              std::to_string(spec.count) +
                                              " processes: put {index} in it");
      }
    }
    s_.processes.push_back(std::move(spec));
  }

  // Names and args of initial processes are computed before the run; doing it
  // here too turns a clash or a division by zero into a load error that names
  // the entry, instead of a failure inside the simulation.
  void setup(const std::vector<bool>& ok) {
    struct Owner {
      std::size_t spec;
      std::int64_t index;
    };
    std::unordered_map<std::string, Owner> seen;
    std::int64_t pid = 2;  // pids of initial processes follow their order, from 2
    for (std::size_t k = 0; k < s_.processes.size(); ++k) {
      ProcessSpec& spec = s_.processes[k];
      std::int64_t first_pid = pid;
      pid += spec.count;
      if (!ok[k]) continue;
      const Template& name = spec.parsed_name.emplace(Template::parse(spec.name));
      for (std::int64_t i = 0; i < spec.count; ++i) {
        SetupContext ctx(i, first_pid + i);
        if (!setup_args(spec, i, ctx)) break;
        std::string rendered;
        try {
          rendered = name.render(ctx);
        } catch (const RuntimeError& e) {
          chk_.error(spec.path + "/name", "\"" + spec.name + "\" fails for index " +
                                              std::to_string(i) + ": " + e.what());
          break;
        }
        auto [it, fresh] = seen.emplace(rendered, Owner{k, i});
        if (fresh) continue;
        duplicate_name(spec, i, rendered, it->second.spec, it->second.index);
        break;
      }
    }
  }

  bool setup_args(const ProcessSpec& spec, std::int64_t i, const SetupContext& ctx) {
    for (const auto& [key, e] : spec.args) {
      try {
        (void)e.eval(ctx);
      } catch (const RuntimeError& err) {
        chk_.error(child(spec.path + "/args", key), "\"" + e.source() + "\" fails for index " +
                                                        std::to_string(i) + ": " + err.what());
        return false;
      }
    }
    return true;
  }

  void duplicate_name(const ProcessSpec& spec, std::int64_t i, const std::string& name,
                      std::size_t other, std::int64_t other_index) {
    const ProcessSpec& o = s_.processes[other];
    if (&o == &spec) {
      chk_.error(spec.path + "/name", "name \"" + spec.name + "\" gives \"" + name +
                                          "\" to both index " + std::to_string(other_index) +
                                          " and index " + std::to_string(i) +
                                          ": each process needs its own name");
      return;
    }
    std::string where =
        o.path + (o.count > 1 ? " (index " + std::to_string(other_index) + ")" : "");
    chk_.error(spec.path + "/name",
               "duplicate process name \"" + name + "\": " + where + " has it too");
  }

  void affinity(const json& a, const std::string& path, ProcessSpec& spec) {
    if (!chk_.is_array(a, path)) return;
    if (a.empty())
      chk_.error(path, "expected at least one core id (leave affinity out for any core)");
    const std::int32_t cores = s_.machine.cores;
    for (std::size_t i = 0; i < a.size(); ++i) {
      std::string ip = child(path, i);
      if (!a[i].is_number_integer()) {
        chk_.error(ip, "expected a core id (an integer), found " + describe(a[i]));
      } else if (a[i].is_number_unsigned()
                     ? a[i].get<std::uint64_t>() >= static_cast<std::uint64_t>(cores)
                     : a[i].get<std::int64_t>() < 0 || a[i].get<std::int64_t>() >= cores) {
        chk_.error(ip, "expected a core id " + range_text(0, cores - 1) + " (the machine has " +
                           std::to_string(cores) + (cores == 1 ? " core" : " cores") + "), found " +
                           a[i].dump());
      } else {
        spec.affinity.push_back(a[i].get<CoreId>());
      }
    }
  }

  void args(const json& a, const std::string& path, ProcessSpec& spec) {
    if (!chk_.is_object(a, path)) return;
    for (const auto& [k, v] : a.items()) {
      std::string kp = child(path, k);
      if (!chk_.variable(json(k), kp)) continue;
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
        chk_.error(path, "unknown variable \"" + v +
                             "\": a process's name and args may use only index, pid and ppid");
        return;
      }
      if (!e.functions().empty()) {
        chk_.error(
            path, "function " + e.functions()[0] + "() cannot be used in a process's name or args");
        return;
      }
    }
  }

  Checker& chk_;
  Scenario& s_;
  std::vector<std::string> program_names_;  // in file order, for suggestions
};

}  // namespace
}  // namespace detail

LoadResult load_scenario_text(const std::string& text, const std::string& source) {
  LoadResult r;
  detail::Checker chk(source, r.errors);
  auto doc = detail::parse_json(text, chk);
  // Duplicate keys are reported but the document is still checked (the last
  // value wins), so the other mistakes in the file show up in the same run.
  if (!doc) return r;
  // Draws are made first, so every later check sees the drawn values.
  std::size_t before_draws = r.errors.size();
  detail::resolve_draws(*doc, chk);
  if (r.errors.size() != before_draws) return r;
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
