// Process pools in the scenario language: declarations and operations.
#include "scenario/pool_decl.hpp"

#include <algorithm>

#include "mpsim/scenario/loader.hpp"
#include "scenario/compile.hpp"

namespace mpsim::detail {

namespace {

constexpr std::int64_t kMaxPoolProcesses = 256;

void pool(const std::string& name, const json& v, const std::string& path, Checker& chk,
          const std::vector<std::string>& programs, PoolDecl& d) {
  d.name = name;
  d.path = path;
  if (!chk.is_object(v, path)) return;
  chk.known_keys(v, path, {"processes", "maxtasksperchild", "initializer"});
  if (!v.contains("processes"))
    chk.error(path, "a pool needs \"processes\": how many worker processes it has");
  else
    d.processes = static_cast<std::int32_t>(
        chk.integer(v["processes"], child(path, "processes"), 1, kMaxPoolProcesses).value_or(1));
  if (v.contains("maxtasksperchild"))
    d.maxtasksperchild =
        chk.integer(v["maxtasksperchild"], child(path, "maxtasksperchild"), 0).value_or(0);
  if (v.contains("initializer")) {
    std::string ip = child(path, "initializer");
    auto s = chk.string(v["initializer"], ip);
    if (s && std::find(programs.begin(), programs.end(), *s) == programs.end())
      chk.error(ip, unknown_name("program", *s, programs));
    else if (s)
      d.initializer = *s;
  }
}

std::string program_ref(const json& v, const std::string& path, const CompileEnv& env,
                        Checker& chk) {
  auto s = chk.string(v, path);
  if (!s) return {};
  if (std::find(env.programs.begin(), env.programs.end(), *s) != env.programs.end()) return *s;
  chk.error(path, unknown_name("program", *s, env.programs));
  return {};
}

std::int32_t pool_ref(const json& v, const std::string& path, const CompileEnv& env, Checker& chk) {
  auto s = chk.string(v, path);
  if (!s) return -1;
  auto it = std::find(env.pools.begin(), env.pools.end(), *s);
  if (it != env.pools.end()) return static_cast<std::int32_t>(it - env.pools.begin());
  if (env.pools.empty())
    chk.error(path, "unknown pool \"" + *s + "\": declare it in the top-level \"pools\"");
  else
    chk.error(path, unknown_name("pool", *s, env.pools));
  return -1;
}

Expr expression(const json& v, const std::string& path, Checker& chk) {
  auto s = chk.string(v, path);
  auto e = s ? chk.expression(*s, path) : std::nullopt;
  return e ? *e : Expr::constant(0);
}

std::string variable(const json& op, const std::string& key, const std::string& path,
                     Checker& chk) {
  if (!op.contains(key)) return {};
  return chk.variable(op[key], child(path, key)).value_or("");
}

void task_fields(Instr& in, const json& op, const std::string& path, const CompileEnv& env,
                 Checker& chk) {
  if (!op.contains("program"))
    chk.error(path, std::string("\"") + to_string(in.op) + "\" needs \"program\": the task to run");
  else
    in.object = program_ref(op["program"], child(path, "program"), env, chk);
  if (op.contains("args") && chk.is_object(op["args"], child(path, "args"))) {
    for (const auto& [k, v] : op["args"].items()) {
      std::string kp = child(child(path, "args"), k);
      if (!chk.variable(json(k), kp)) continue;
      auto e = chk.value(v, kp);
      in.args.emplace_back(k, e ? *e : Expr::constant(0));
    }
  }
  bool mapping = in.op == OpCode::Map || in.op == OpCode::MapAsync || in.op == OpCode::Imap ||
                 in.op == OpCode::ImapUnordered;
  if (mapping) {
    if (!op.contains("items"))
      chk.error(path, std::string("\"") + to_string(in.op) +
                          "\" needs \"items\": how many tasks (each sees its `item`, 0, 1, ...)");
    else {
      auto e = chk.amount(op["items"], child(path, "items"), 0, 100000);
      in.amount = e ? *e : Expr::constant(0);
    }
  }
  for (const char* key : {"callback", "error_callback"}) {
    if (!op.contains(key)) continue;
    std::string name = program_ref(op[key], child(path, key), env, chk);
    (std::string(key) == "callback" ? in.callback : in.error_callback) = name;
  }
}

}  // namespace

void load_pools(const json& doc, Checker& chk, const std::vector<std::string>& programs,
                std::vector<PoolDecl>& out) {
  if (!doc.contains("pools")) return;
  const json& ps = doc["pools"];
  if (!chk.is_object(ps, "/pools")) return;
  for (const auto& [name, v] : ps.items()) {
    std::string path = child("/pools", name);
    if (!chk.variable(json(name), path)) continue;  // an identifier, like every other name
    PoolDecl d;
    pool(name, v, path, chk, programs, d);
    out.push_back(std::move(d));
  }
}

void compile_pool_op(Instr& in, const std::string& name, const json& op, const std::string& path,
                     const CompileEnv& env, Checker& chk) {
  const json& arg = op.at(name);
  std::string apath = child(path, name);
  in.target = variable(op, "into", path, chk);
  in.flag = variable(op, "ok", path, chk);
  if (op.contains("timeout")) {
    in.has_timeout = true;
    auto e = chk.amount(op["timeout"], child(path, "timeout"), 0, kMaxTicks);
    in.timeout = e ? *e : Expr::constant(0);
  }
  switch (in.op) {
    case OpCode::Return: {
      auto e = chk.value(arg, apath);
      in.amount = e ? *e : Expr::constant(0);
      return;
    }
    case OpCode::GetResult:
    case OpCode::WaitResult:
    case OpCode::Ready:
    case OpCode::Next:
      in.handle = expression(arg, apath, chk);
      if ((in.op == OpCode::Ready || in.op == OpCode::GetResult || in.op == OpCode::Next) &&
          in.target.empty() && !op.contains("into"))
        chk.error(path, std::string("\"") + name +
                            "\" needs \"into\": the variable to store the answer in");
      return;
    default:
      break;
  }
  in.obj = pool_ref(arg, apath, env, chk);
  bool async = in.op == OpCode::ApplyAsync || in.op == OpCode::MapAsync || in.op == OpCode::Imap ||
               in.op == OpCode::ImapUnordered;
  if (in.op >= OpCode::Apply && in.op <= OpCode::ImapUnordered) task_fields(in, op, path, env, chk);
  if (async && !op.contains("into"))
    chk.error(path, std::string("\"") + name +
                        "\" needs \"into\": the variable that receives the handle");
}

void check_pool_callbacks(const Scenario& s, Checker& chk) {
  for (const auto& [pname, prog] : s.programs) {
    for (const Instr& in : prog->code) {
      for (const std::string* cb : {&in.callback, &in.error_callback}) {
        if (cb->empty()) continue;
        for (const Instr& c : s.programs.at(*cb)->code) {
          switch (c.op) {
            case OpCode::Set:
            case OpCode::Print:
            case OpCode::Jump:
            case OpCode::JumpIfFalse:
            case OpCode::RepeatInit:
            case OpCode::RepeatNext:
            case OpCode::Read:
            case OpCode::Write:
            case OpCode::Assert:
            case OpCode::GetPid:
            case OpCode::GetPpid:
            case OpCode::Return:
            case OpCode::End:
              continue;
            default:
              break;
          }
          chk.error(
              child(in.path, cb == &in.callback ? "callback" : "error_callback"),
              "program \"" + *cb + "\" cannot be a callback: its operation \"" + to_string(c.op) +
                  "\" (at " + c.path +
                  ") takes time or may block, and a callback runs in zero time in the submitting "
                  "process (allowed: set, print, if, repeat, while, read, write, assert, getpid, "
                  "getppid, return)");
          break;
        }
      }
    }
  }
}

}  // namespace mpsim::detail
