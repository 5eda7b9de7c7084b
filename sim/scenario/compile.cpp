// Operations are JSON objects with exactly one operation key plus modifiers,
// e.g. {"join": "c", "timeout": 5}. Structured control flow compiles to jumps:
//   if:     JumpIfFalse(cond -> else) then... Jump(end) else... end:
//   repeat: RepeatInit(n) top: RepeatNext(-> end) body... Jump(top) end:
//   while:  top: JumpIfFalse(cond -> end) body... Jump(top) end:
#include "scenario/compile.hpp"

#include <algorithm>
#include <map>

#include "mpsim/scenario/loader.hpp"
#include "scenario/pool_decl.hpp"

namespace mpsim::detail {

namespace {

struct OpShape {
  OpCode op;
  std::vector<std::string> modifiers;
};

const std::map<std::string, OpShape>& shapes() {
  static const std::map<std::string, OpShape> kShapes = {
      {"compute", {OpCode::Compute, {}}},
      {"io", {OpCode::Io, {}}},
      {"sleep", {OpCode::Sleep, {}}},
      {"yield", {OpCode::Yield, {}}},
      {"set", {OpCode::Set, {"value"}}},
      {"print", {OpCode::Print, {}}},
      {"if", {OpCode::JumpIfFalse, {"then", "else"}}},
      {"repeat", {OpCode::RepeatInit, {"do"}}},
      {"while", {OpCode::JumpIfFalse, {"do"}}},
      {"create", {OpCode::Create, {"into", "args", "name", "daemon"}}},
      {"spawn", {OpCode::Spawn, {"into", "args", "name", "daemon"}}},
      {"start", {OpCode::Start, {}}},
      {"set_daemon", {OpCode::SetDaemon, {"value"}}},
      {"join", {OpCode::Join, {"timeout"}}},
      {"terminate", {OpCode::Terminate, {}}},
      {"kill", {OpCode::Kill, {}}},
      {"is_alive", {OpCode::IsAlive, {"into"}}},
      {"getpid", {OpCode::GetPid, {}}},
      {"getppid", {OpCode::GetPpid, {}}},
      {"exit", {OpCode::Exit, {}}},
      {"read", {OpCode::Read, {"into"}}},
      {"write", {OpCode::Write, {"value"}}},
      {"assert", {OpCode::Assert, {}}},
      {"acquire", {OpCode::Acquire, {"timeout", "into"}}},
      {"release", {OpCode::Release, {}}},
      {"set_event", {OpCode::SetEvent, {}}},
      {"clear_event", {OpCode::ClearEvent, {}}},
      {"is_set", {OpCode::IsSet, {"into"}}},
      {"wait", {OpCode::Wait, {"timeout", "into"}}},
      {"notify", {OpCode::Notify, {"n"}}},
      {"notify_all", {OpCode::NotifyAll, {}}},
      {"put", {OpCode::Put, {"value", "timeout", "ok"}}},
      {"get", {OpCode::Get, {"into", "timeout", "ok"}}},
      {"qsize", {OpCode::QSize, {"into"}}},
      // process pools (pool_decl.cpp)
      {"create_pool", {OpCode::CreatePool, {}}},
      {"apply", {OpCode::Apply, {"program", "args", "into"}}},
      {"apply_async", {OpCode::ApplyAsync, {"program", "args", "into", "callback", "error_callback"}}},
      {"map", {OpCode::Map, {"program", "items", "args", "into"}}},
      {"map_async", {OpCode::MapAsync, {"program", "items", "args", "into", "callback", "error_callback"}}},
      {"imap", {OpCode::Imap, {"program", "items", "args", "into"}}},
      {"imap_unordered", {OpCode::ImapUnordered, {"program", "items", "args", "into"}}},
      {"get_result", {OpCode::GetResult, {"into", "timeout", "ok"}}},
      {"wait_result", {OpCode::WaitResult, {"timeout", "ok"}}},
      {"ready", {OpCode::Ready, {"into"}}},
      {"next", {OpCode::Next, {"into", "timeout", "ok"}}},
      {"close_pool", {OpCode::ClosePool, {}}},
      {"join_pool", {OpCode::JoinPool, {}}},
      {"terminate_pool", {OpCode::TerminatePool, {}}},
      {"return", {OpCode::Return, {}}},
      {"load", {OpCode::Load, {"into", "index"}}},
      {"store", {OpCode::Store, {"value", "index"}}},
      {"send", {OpCode::Send, {"value"}}},
      {"recv", {OpCode::Recv, {"into", "ok"}}},
      {"poll", {OpCode::Poll, {"into", "timeout"}}},
      {"close", {OpCode::ClosePipe, {}}},
  };
  return kShapes;
}

Instr make(OpCode op) {
  Instr in;
  in.op = op;
  return in;
}

Instr jump_to(std::int32_t target) {
  Instr in = make(OpCode::Jump);
  in.jump = target;
  return in;
}

class Compiler {
 public:
  Compiler(Program& prog, const CompileEnv& env, Checker& chk)
      : prog_(prog), env_(env), chk_(chk) {}

  void block(const json& ops, const std::string& path) {
    if (!chk_.is_array(ops, path)) return;
    for (std::size_t i = 0; i < ops.size(); ++i) operation(ops[i], child(path, i));
  }

 private:
  std::int32_t here() const { return static_cast<std::int32_t>(prog_.code.size()); }
  std::size_t emit(Instr in, const std::string& path) {
    in.path = path;
    prog_.code.push_back(std::move(in));
    return prog_.code.size() - 1;
  }

  void operation(const json& op, const std::string& path) {
    if (op.is_string() && op.get<std::string>() == "yield") {  // the one op without an argument
      emit(make(OpCode::Yield), path);
      return;
    }
    if (op.is_string() && !closest_match(op.get<std::string>(), {"yield"}).empty()) {
      chk_.error(path,
                 "unknown operation \"" + op.get<std::string>() + "\" (did you mean \"yield\"?)");
      return;
    }
    if (!op.is_object()) {
      chk_.error(path,
                 "expected an operation object such as {\"compute\": 5}, found " + describe(op));
      return;
    }
    std::vector<std::string> found;
    for (const auto& [k, v] : op.items())
      if (shapes().count(k)) found.push_back(k);
    if (found.size() != 1) {
      no_single_operation(op, path, found);
      return;
    }
    const std::string& name = found[0];
    std::vector<std::string> allowed = shapes().at(name).modifiers;
    allowed.push_back(name);
    chk_.known_keys(op, path, allowed);
    compile_op(name, op, path);
  }

  void no_single_operation(const json& op, const std::string& path,
                           const std::vector<std::string>& found) {
    if (found.size() > 1) {
      chk_.error(path, "expected exactly one operation per object, found \"" + found[0] +
                           "\" and \"" + found[1] + "\" (put them in separate objects)");
      return;
    }
    if (op.empty()) {
      chk_.error(path, "expected an operation, found an empty object");
      return;
    }
    // Name the key that is not a modifier: in {"into": "x", "raed": "f.k"} the typo is "raed".
    std::string key = op.items().begin().key();
    for (const auto& [k, v] : op.items())
      if (!is_modifier(k)) {
        key = k;
        break;
      }
    if (is_modifier(key)) {
      chk_.error(path, "expected an operation such as \"compute\", found only \"" + key +
                           "\", which modifies an operation");
      return;
    }
    std::string guess = closest_match(key, operation_names());
    std::string msg = "unknown operation \"" + key + "\"";
    if (!guess.empty())
      msg += " (did you mean \"" + guess + "\"?)";
    else
      msg += "; expected one of: " + join(operation_names());
    chk_.error(child(path, key), msg);
  }

  static bool is_modifier(const std::string& key) {
    for (const auto& [name, shape] : shapes())
      if (std::find(shape.modifiers.begin(), shape.modifiers.end(), key) != shape.modifiers.end())
        return true;
    return false;
  }

  std::string var_name(const json& v, const std::string& path) {
    return chk_.variable(v, path).value_or("");
  }

  std::string reference(const json& v, const std::string& path,
                        const std::vector<std::string>& known, const std::string& what) {
    auto s = chk_.string(v, path);
    if (!s) return {};
    if (std::find(known.begin(), known.end(), *s) != known.end()) return *s;
    chk_.error(path, unknown_name(what, *s, known));
    return {};
  }

  std::string file_key(const json& v, const std::string& path) {
    auto s = chk_.string(v, path);
    if (!s) return {};
    auto dot = s->find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == s->size()) {
      chk_.error(path, "expected \"file.key\", found \"" + *s + "\"");
      return {};
    }
    if (reference(json(s->substr(0, dot)), path, env_.files, "file").empty()) return {};
    return *s;
  }

  // A duration in ticks: constants are bounded so sums of ticks cannot overflow.
  Expr need_ticks(const json& v, const std::string& path) {
    auto e = chk_.amount(v, path, 0, kMaxTicks);
    return e ? *e : Expr::constant(0);
  }

  Expr need_count(const json& v, const std::string& path) {
    auto e = chk_.amount(v, path, 0);
    return e ? *e : Expr::constant(0);
  }

  Expr need_value(const json& v, const std::string& path) {
    auto e = chk_.value(v, path);
    return e ? *e : Expr::constant(0);
  }

  Expr need_expr(const json& v, const std::string& path) {
    auto s = chk_.string(v, path);
    if (!s) return Expr::constant(0);
    auto e = chk_.expression(*s, path);
    return e ? *e : Expr::constant(0);
  }

  void compile_op(const std::string& name, const json& op, const std::string& path) {
    const json& arg = op.at(name);
    std::string apath = child(path, name);
    OpCode code = shapes().at(name).op;
    Instr in = make(code);
    switch (code) {
      case OpCode::Compute:
      case OpCode::Io:
      case OpCode::Sleep:
        in.amount = need_ticks(arg, apath);
        break;
      case OpCode::Exit: {
        // An exit code is an integer, never true/false.
        auto e = chk_.amount(arg, apath, INT64_MIN);
        in.amount = e ? *e : Expr::constant(0);
        break;
      }
      case OpCode::Yield:
        if (!arg.is_boolean() || !arg.get<bool>())
          chk_.error(apath,
                     "expected true (or write the operation as the string \"yield\"), found " +
                         describe(arg));
        break;
      case OpCode::Set:
        in.target = var_name(arg, apath);
        if (!op.contains("value"))
          chk_.error(path, "\"set\" needs a \"value\"");
        else
          in.amount = need_value(op["value"], child(path, "value"));
        break;
      case OpCode::Print: {
        auto t = chk_.templ(arg, apath);
        if (t)
          in.text = *t;
        else
          in.text = Template::parse("");
        break;
      }
      case OpCode::JumpIfFalse:
        return name == "if" ? compile_if(op, path) : compile_while(op, path);
      case OpCode::RepeatInit:
        return compile_repeat(op, path);
      case OpCode::Create:
      case OpCode::Spawn:
        child_op(in, op, path, apath);
        break;
      case OpCode::SetDaemon:
        in.handle = need_expr(arg, apath);
        in.daemon = true;
        if (op.contains("value"))
          in.daemon = chk_.boolean(op["value"], child(path, "value")).value_or(true);
        break;
      case OpCode::Join:
        in.handle = need_expr(arg, apath);
        if (op.contains("timeout")) {
          in.has_timeout = true;
          in.amount = need_ticks(op["timeout"], child(path, "timeout"));
        }
        break;
      case OpCode::Start:
      case OpCode::Terminate:
      case OpCode::Kill:
        in.handle = need_expr(arg, apath);
        break;
      case OpCode::IsAlive:
        in.handle = need_expr(arg, apath);
        if (!op.contains("into"))
          chk_.error(path, "\"is_alive\" needs \"into\": the variable to store the answer in");
        else
          in.target = var_name(op["into"], child(path, "into"));
        break;
      case OpCode::GetPid:
      case OpCode::GetPpid:
        in.target = var_name(arg, apath);
        break;
      case OpCode::Read:
        in.object = file_key(arg, apath);
        if (!op.contains("into"))
          chk_.error(path, "\"read\" needs \"into\": the variable to read into");
        else
          in.target = var_name(op["into"], child(path, "into"));
        break;
      case OpCode::Write:
        in.object = file_key(arg, apath);
        if (!op.contains("value"))
          chk_.error(path, "\"write\" needs a \"value\"");
        else
          in.amount = need_value(op["value"], child(path, "value"));
        break;
      case OpCode::Assert: {
        auto src = chk_.string(arg, apath);
        auto e = src ? chk_.expression(*src, apath, {"file"}) : std::nullopt;
        in.condition = e ? *e : Expr::constant(0);
        break;
      }
      case OpCode::Load:
      case OpCode::Store:
      case OpCode::Send:
      case OpCode::Recv:
      case OpCode::Poll:
      case OpCode::ClosePipe:
        compile_ipc_op(in, name, op, path, env_, chk_);
        break;
      default:
        if (is_sync_op(code)) sync_op(in, op, path, apath);
        if (is_pool_op(code)) compile_pool_op(in, name, op, path, env_, chk_);
        break;
    }
    emit(std::move(in), path);
  }

  // The kinds of object each synchronisation operation applies to.
  static std::vector<SyncKind> kinds_for(OpCode op) {
    switch (op) {
      case OpCode::Acquire:
      case OpCode::Release: return {SyncKind::Lock, SyncKind::RLock, SyncKind::Semaphore};
      case OpCode::SetEvent:
      case OpCode::ClearEvent:
      case OpCode::IsSet: return {SyncKind::Event};
      case OpCode::Wait: return {SyncKind::Event, SyncKind::Barrier, SyncKind::Condition};
      case OpCode::Notify:
      case OpCode::NotifyAll: return {SyncKind::Condition};
      default: return {SyncKind::Queue};
    }
  }

  void sync_op(Instr& in, const json& op, const std::string& path, const std::string& apath) {
    const char* name = to_string(in.op);
    in.obj = sync_reference(op.at(name), apath, kinds_for(in.op));
    if (in.obj >= 0) in.object = env_.objects[static_cast<std::size_t>(in.obj)].name;
    if (op.contains("into")) in.target = var_name(op["into"], child(path, "into"));
    if (op.contains("ok")) in.flag = var_name(op["ok"], child(path, "ok"));
    if (op.contains("timeout")) {
      in.has_timeout = true;
      in.timeout = need_ticks(op["timeout"], child(path, "timeout"));
      if (in.obj >= 0 && env_.objects[static_cast<std::size_t>(in.obj)].kind == SyncKind::Barrier)
        chk_.error(child(path, "timeout"), "a barrier wait takes no timeout (a broken barrier is not modelled)");
    }
    if (in.op == OpCode::Notify)
      in.amount = op.contains("n") ? need_count(op["n"], child(path, "n")) : Expr::constant(1);
    if ((in.op == OpCode::IsSet || in.op == OpCode::QSize) && !op.contains("into"))
      chk_.error(path, std::string("\"") + name + "\" needs \"into\": the variable to store the answer in");
    if (in.op == OpCode::Put) {
      if (!op.contains("value"))
        chk_.error(path, "\"put\" needs a \"value\": the message");
      else
        in.amount = need_value(op["value"], child(path, "value"));
    }
  }

  // An object of one of `kinds`; a wrong kind is named in the message.
  std::int32_t sync_reference(const json& v, const std::string& path, const std::vector<SyncKind>& kinds) {
    auto s = chk_.string(v, path);
    if (!s) return -1;
    std::vector<std::string> fitting, words;
    for (SyncKind k : kinds) words.emplace_back(to_string(k));
    for (std::size_t i = 0; i < env_.objects.size(); ++i) {
      const SyncObject& o = env_.objects[i];
      bool fits = std::find(kinds.begin(), kinds.end(), o.kind) != kinds.end();
      if (o.name == *s && fits) return static_cast<std::int32_t>(i);
      if (o.name == *s) {
        chk_.error(path, "\"" + *s + "\" is " + article(o.kind) + to_string(o.kind) + "; expected " + either(words));
        return -1;
      }
      if (fits) fitting.push_back(o.name);
    }
    chk_.error(path, unknown_name(either(words), *s, fitting));
    return -1;
  }

  static const char* article(SyncKind k) { return k == SyncKind::Event ? "an " : "a "; }

  static std::string either(const std::vector<std::string>& words) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i)
      out += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
    return out;
  }

  void child_op(Instr& in, const json& op, const std::string& path, const std::string& apath) {
    in.object = reference(op.at(in.op == OpCode::Spawn ? "spawn" : "create"), apath, env_.programs,
                          "program");
    if (op.contains("into")) in.target = var_name(op["into"], child(path, "into"));
    if (op.contains("name")) {
      auto t = chk_.templ(op["name"], child(path, "name"));
      if (t) {
        in.child_name = *t;
        in.has_child_name = true;
      }
    }
    if (op.contains("daemon"))
      in.daemon = chk_.boolean(op["daemon"], child(path, "daemon")).value_or(false);
    if (op.contains("args") && chk_.is_object(op["args"], child(path, "args"))) {
      for (const auto& [k, v] : op["args"].items()) {
        std::string kp = child(child(path, "args"), k);
        if (var_name(json(k), kp).empty()) continue;
        in.args.emplace_back(k, need_value(v, kp));
      }
    }
  }

  void compile_if(const json& op, const std::string& path) {
    Instr test_in = make(OpCode::JumpIfFalse);
    test_in.condition = need_expr(op["if"], child(path, "if"));
    std::size_t test = emit(std::move(test_in), path);
    if (!op.contains("then"))
      chk_.error(path, "\"if\" needs \"then\": the operations to run when true");
    else
      block(op["then"], child(path, "then"));
    if (op.contains("else")) {
      std::size_t skip = emit(make(OpCode::Jump), path);
      prog_.code[test].jump = here();
      block(op["else"], child(path, "else"));
      prog_.code[skip].jump = here();
    } else {
      prog_.code[test].jump = here();
    }
  }

  void compile_while(const json& op, const std::string& path) {
    std::int32_t top = here();
    Instr test_in = make(OpCode::JumpIfFalse);
    test_in.condition = need_expr(op["while"], child(path, "while"));
    std::size_t test = emit(std::move(test_in), path);
    body(op, path, "while");
    emit(jump_to(top), path);
    prog_.code[test].jump = here();
  }

  void compile_repeat(const json& op, const std::string& path) {
    std::int32_t slot = prog_.loop_slots++;
    Instr init = make(OpCode::RepeatInit);
    init.amount = need_count(op["repeat"], child(path, "repeat"));
    init.slot = slot;
    emit(std::move(init), path);
    std::int32_t top = here();
    Instr next_in = make(OpCode::RepeatNext);
    next_in.slot = slot;
    std::size_t next = emit(std::move(next_in), path);
    body(op, path, "repeat");
    emit(jump_to(top), path);
    prog_.code[next].jump = here();
  }

  void body(const json& op, const std::string& path, const char* loop) {
    if (!op.contains("do"))
      chk_.error(path,
                 std::string("\"") + loop + "\" needs \"do\": the operations to run in the loop");
    else
      block(op["do"], child(path, "do"));
  }

  Program& prog_;
  const CompileEnv& env_;
  Checker& chk_;
};

}  // namespace

const std::vector<std::string>& operation_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (const auto& [k, s] : shapes()) v.push_back(k);
    return v;
  }();
  return kNames;
}

std::shared_ptr<Program> compile_program(const std::string& name, const json& ops,
                                         const std::string& path, const CompileEnv& env,
                                         Checker& chk) {
  auto prog = std::make_shared<Program>();
  prog->name = name;
  Compiler(*prog, env, chk).block(ops, path);
  Instr end;
  end.op = OpCode::End;
  end.path = path;
  prog->code.push_back(std::move(end));
  return prog;
}

}  // namespace mpsim::detail
