// The messages of real Python processes as operations of the kernel. Each
// message carries the ticks of CPU work done since the previous one: they
// run first, as a compute, and the message itself is handled when that
// compute ends, at the simulated time the program reaches it.
#include "python/driver.hpp"

#include <cmath>

#include "mpsim/python/py_run.hpp"

namespace mpsim::python::detail {

namespace {

// The variables a Python process's operations store their results in.
constexpr const char* kResult = "_r";
constexpr const char* kOk = "_ok";
constexpr const char* kMessage = "_v";

nlohmann::json to_json(const Value* v) {
  if (!v) return nullptr;
  if (const auto* i = std::get_if<std::int64_t>(v)) return *i;
  if (const auto* b = std::get_if<bool>(v)) return *b;
  return std::get<std::string>(*v);
}

/// Seconds already converted to ticks by the runtime (a float), rounded to
/// the nearest tick; null means "no limit".
std::optional<Tick> ticks(const nlohmann::json& v) {
  if (v.is_null()) return std::nullopt;
  double t = v.get<double>();
  if (!(t >= 0) || t > 1e12) throw RuntimeError("a time of " + v.dump() + " ticks is out of range");
  return static_cast<Tick>(std::llround(t));
}

std::string literal_template(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '{' || c == '}') out += c;
  }
  return out;
}

Instr op(OpCode code, const nlohmann::json& m) {
  Instr in;
  in.op = code;
  in.path = m.value("where", std::string("python"));
  return in;
}

void set_timeout(Instr& in, const nlohmann::json& m) {
  if (auto t = ticks(m.value("timeout", nlohmann::json()))) {
    in.has_timeout = true;
    in.timeout = Expr::constant(*t);
  }
}

SyncKind kind_of(const std::string& k, bool& bounded) {
  static const std::map<std::string, SyncKind> kinds = {
      {"lock", SyncKind::Lock},           {"rlock", SyncKind::RLock},
      {"semaphore", SyncKind::Semaphore}, {"bounded_semaphore", SyncKind::Semaphore},
      {"event", SyncKind::Event},         {"barrier", SyncKind::Barrier},
      {"condition", SyncKind::Condition}, {"queue", SyncKind::Queue}};
  auto it = kinds.find(k);
  if (it == kinds.end())
    throw PyError("the Python runtime asked for an unknown object kind " + k, 1);
  bounded = k == "bounded_semaphore";
  return it->second;
}

}  // namespace

void Driver::adopt(Pid pid, Channel c) {
  Peer& peer = peers_[pid];
  peer.channel = std::move(c);
  peer.await = Await::Hello;
}

void Driver::run(Process& p, std::vector<Instr> code) {
  Instr end;
  end.op = OpCode::End;
  code.push_back(std::move(end));
  Program& prog = programs_.emplace_back();
  prog.name = "py";
  prog.code = std::move(code);
  prog.external = true;
  p.program = &prog;
  p.pc = 0;
}

void Driver::answer(ExternalHost& host, Peer& peer, nlohmann::json r) {
  peer.channel.send({{"r", std::move(r)}, {"now", host.now()}});
}

std::int32_t Driver::declare(ExternalHost& host, const nlohmann::json& m) {
  SyncObject o;
  o.kind = kind_of(m.at("kind").get<std::string>(), o.bounded);
  o.value = m.value("value", std::int64_t{0});
  if (o.kind == SyncKind::Condition) o.lock = m.at("lock").get<std::int32_t>();
  std::string base = m.value("name", std::string("object"));
  int n = ++object_names_[base];
  o.name = n == 1 ? base : base + "#" + std::to_string(n);
  std::int32_t id = host.add_object(o);
  object_by_id_[id] = o.name;
  return id;
}

void Driver::next(ExternalHost& host, Process& p) {
  auto it = peers_.find(p.pid);
  if (it == peers_.end())
    throw PyError("no Python process is attached to pid " + std::to_string(p.pid), 1);
  Peer& peer = it->second;
  // The results of the operations just run, for the process waiting on them.
  switch (peer.await) {
    case Await::Nothing:
      break;
    case Await::Ack:
      answer(host, peer, nullptr);
      break;
    case Await::Hello:
      answer(host, peer, {{"pid", p.pid}});
      break;
    case Await::Result:
      answer(host, peer, to_json(p.vars.find(kResult)));
      break;
    case Await::PutOk:
      answer(host, peer, to_json(p.vars.find(kOk)));
      break;
    case Await::Get: {
      const Value* ok = p.vars.find(kOk);
      bool got = ok && std::get<bool>(*ok);
      answer(host, peer,
             nlohmann::json::array({got, got ? to_json(p.vars.find(kResult)) : nullptr}));
      break;
    }
    case Await::Spawn: {
      const Value* child = p.vars.find(kResult);
      Pid c = static_cast<Pid>(std::get<std::int64_t>(*child));
      adopt(c, std::move(spawned_));
      answer(host, peer, c);
      break;
    }
  }
  peer.await = Await::Nothing;
  for (;;) {
    nlohmann::json m;
    if (!peer.pending.is_null()) {
      m = std::move(peer.pending);
      peer.pending = nullptr;
    } else {
      auto got = peer.channel.read(deadline_);
      if (!got)
        throw RuntimeError(
            "the Python process ended without telling mpsim (it crashed, or was killed from "
            "outside)");
      m = std::move(*got);
    }
    if (auto t = m.value("t", std::int64_t{0}); t > 0) {
      m["t"] = 0;
      peer.pending = std::move(m);
      Instr in = op(OpCode::Compute, peer.pending);
      in.amount = Expr::constant(t);
      run(p, {std::move(in)});
      return;
    }
    if (handle(host, p, peer, m)) return;
  }
}

bool Driver::handle(ExternalHost& host, Process& p, Peer& peer, const nlohmann::json& m) {
  const std::string what = m.at("op").get<std::string>();
  auto one = [&](Instr in, Await a) {
    peer.await = a;
    run(p, {std::move(in)});
    return true;
  };
  auto object = [&](OpCode code) {
    Instr in = op(code, m);
    in.obj = m.at("obj").get<std::int32_t>();
    auto name = object_by_id_.find(in.obj);
    if (name == object_by_id_.end()) throw PyError("the Python runtime named an unknown object", 1);
    in.object = name->second;
    return in;
  };
  if (what == "compute") {
    answer(host, peer, nullptr);
    return false;
  }
  if (what == "now") {
    answer(host, peer, host.now());
    return false;
  }
  if (what == "getppid") {
    answer(host, peer, p.parent);
    return false;
  }
  if (what == "is_alive" || what == "exitcode") {
    const Process* c = host.process(m.at("pid").get<std::int64_t>());
    if (!c) throw RuntimeError(what + ": no process has pid " + m.at("pid").dump());
    if (what == "is_alive")
      answer(host, peer, c->alive());
    else
      answer(host, peer,
             c->alive() || !c->started ? nlohmann::json() : nlohmann::json(c->stats.exit_code));
    return false;
  }
  if (what == "open") {
    host.shared_access(p, m.at("path").get<std::string>(), m.at("write").get<bool>());
    answer(host, peer, nullptr);
    return false;
  }
  if (what == "new_value") {
    std::string base = m.value("name", std::string("value"));
    int n = ++object_names_[base];
    values_.push_back({n == 1 ? base : base + "#" + std::to_string(n), m.at("value")});
    answer(host, peer, values_.size() - 1);
    return false;
  }
  if (what == "value_get" || what == "value_set") {
    auto id = m.at("id").get<std::size_t>();
    if (id >= values_.size()) throw PyError("the Python runtime named an unknown Value", 1);
    auto& [name, v] = values_[id];
    host.shared_access(p, name, what == "value_set");
    if (what == "value_set") v = m.at("value");
    answer(host, peer, what == "value_get" ? v : nlohmann::json());
    return false;
  }
  if (what == "new") {
    answer(host, peer, declare(host, m));
    return false;
  }
  if (what == "pool_report") {
    std::string base = m.at("name").get<std::string>();
    int n = ++object_names_["pool " + base];
    pools_.add(m, n == 1 ? base : base + "#" + std::to_string(n), p.pid);
    answer(host, peer, nullptr);
    return false;
  }
  if (what == "unsupported")
    throw PyError(m.value("where", std::string("?")) + ": " + m.value("what", std::string("?")) +
                      " is not supported by mpsim py (docs/python.md lists what is)",
                  2);
  if (what == "print") {
    Instr in = op(OpCode::Print, m);
    in.text = Template::parse(literal_template(m.at("text").get<std::string>()));
    return one(std::move(in), Await::Ack);
  }
  if (what == "sleep") {
    Tick n = ticks(m.at("ticks")).value_or(0);
    if (n == 0) {
      answer(host, peer, nullptr);
      return false;
    }
    Instr in = op(OpCode::Sleep, m);
    in.amount = Expr::constant(n);
    return one(std::move(in), Await::Ack);
  }
  if (what == "spawn") {
    spawned_ = accept_child_();
    Instr in = op(OpCode::Spawn, m);
    in.object = "py";
    in.has_child_name = true;
    in.child_name = Template::parse(literal_template(m.at("name").get<std::string>()));
    in.daemon = m.at("daemon").get<bool>();
    in.target = kResult;
    return one(std::move(in), Await::Spawn);
  }
  if (what == "join" || what == "terminate" || what == "kill") {
    Instr in = op(what == "join"        ? OpCode::Join
                  : what == "terminate" ? OpCode::Terminate
                                        : OpCode::Kill,
                  m);
    in.handle = Expr::constant(m.at("pid").get<std::int64_t>());
    if (auto t = ticks(m.value("timeout", nlohmann::json()))) {
      in.has_timeout = true;
      in.amount = Expr::constant(*t);
    }
    return one(std::move(in), Await::Ack);
  }
  if (what == "exit" && m.value("now", false)) {
    peer.channel.close();
    host.exit_now(p, m.at("code").get<std::int64_t>());
    return true;
  }
  if (what == "exit") {
    Instr in = op(OpCode::Exit, m);
    in.amount = Expr::constant(m.at("code").get<std::int64_t>());
    peer.channel.close();
    return one(std::move(in), Await::Nothing);
  }
  if (what == "acquire" || what == "wait") {
    Instr in = object(what == "acquire" ? OpCode::Acquire : OpCode::Wait);
    in.target = kResult;
    set_timeout(in, m);
    return one(std::move(in), Await::Result);
  }
  if (what == "release") return one(object(OpCode::Release), Await::Ack);
  if (what == "set_event") return one(object(OpCode::SetEvent), Await::Ack);
  if (what == "clear_event") return one(object(OpCode::ClearEvent), Await::Ack);
  if (what == "is_set" || what == "qsize") {
    Instr in = object(what == "is_set" ? OpCode::IsSet : OpCode::QSize);
    in.target = kResult;
    return one(std::move(in), Await::Result);
  }
  if (what == "notify") {
    if (m.at("n").is_null()) return one(object(OpCode::NotifyAll), Await::Ack);
    Instr in = object(OpCode::Notify);
    in.amount = Expr::constant(m.at("n").get<std::int64_t>());
    return one(std::move(in), Await::Ack);
  }
  if (what == "put") {
    p.vars.set(kMessage, Value{m.at("value").get<std::string>()});
    Instr in = object(OpCode::Put);
    in.amount = Expr::parse(kMessage);
    in.flag = kOk;
    set_timeout(in, m);
    return one(std::move(in), Await::PutOk);
  }
  if (what == "get") {
    Instr in = object(OpCode::Get);
    in.target = kResult;
    in.flag = kOk;
    set_timeout(in, m);
    return one(std::move(in), Await::Get);
  }
  throw PyError("the Python runtime sent an unknown operation " + what, 1);
}

}  // namespace mpsim::python::detail
