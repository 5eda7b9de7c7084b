// The interpreter: runs a process's zero-time operations while it holds a
// core, up to its next time-consuming operation. Runtime errors end only the
// offending process (exit code 1); the run goes on.
#include <algorithm>

#include "kernel/kernel.hpp"
#include "kernel/runtime.hpp"

namespace mpsim::detail {

std::optional<Value> ProcessContext::variable(std::string_view n) const {
  if (n == "pid") return Value{static_cast<std::int64_t>(p_.pid)};
  if (n == "ppid") return Value{static_cast<std::int64_t>(p_.parent)};
  if (n == "name") return Value{p_.name};
  if (n == "now") return Value{rt_.now()};
  if (const Value* v = p_.vars.find(n)) return *v;
  return std::nullopt;
}

// variable() answers the built-in names itself, but none is ever stored: the
// loader refuses them as variable and argument names (json_check.cpp), so
// find_stored (runtime.hpp) is a plain lookup.

namespace {

const Value& one(std::string_view f, const std::vector<Value>& args) {
  if (args.size() != 1) throw RuntimeError(std::string(f) + "() takes 1 argument");
  return args[0];
}

std::int64_t as_int(std::string_view f, const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  throw RuntimeError(std::string(f) + "() needs an int, got " + type_name(v));
}

// Context for evaluating the `name` template and `args` of an initial process.
class SetupContext : public EvalContext {
 public:
  SetupContext(std::int64_t index, Pid pid) : index_(index), pid_(pid) {}
  std::optional<Value> variable(std::string_view n) const override {
    if (n == "index") return Value{index_};
    if (n == "pid") return Value{static_cast<std::int64_t>(pid_)};
    if (n == "ppid") return Value{static_cast<std::int64_t>(kInitPid)};
    return std::nullopt;
  }
  Value call(std::string_view f, const std::vector<Value>&) const override {
    throw RuntimeError("function " + std::string(f) + " cannot be used in process setup");
  }

 private:
  std::int64_t index_;
  Pid pid_;
};


}  // namespace

Value ProcessContext::call(std::string_view f, const std::vector<Value>& args) const {
  if (f == "str") return to_display(one(f, args));
  if (f == "abs") {
    std::int64_t v = as_int(f, one(f, args));
    if (v == INT64_MIN) throw RuntimeError("integer overflow in abs");
    return v < 0 ? -v : v;
  }
  if (f == "min" || f == "max") {
    if (args.size() != 2) throw RuntimeError(std::string(f) + "() takes 2 arguments");
    std::int64_t a = as_int(f, args[0]), b = as_int(f, args[1]);
    return f == "min" ? std::min(a, b) : std::max(a, b);
  }
  if (f == "file") return read_file_key(one(f, args));
  const Process& c = rt_.child_of(p_, one(f, args), f);
  if (f == "is_alive") return c.alive();
  if (f == "name_of") return c.name;
  // exitcode
  if (c.alive() || !c.started)
    throw RuntimeError("exitcode(" + std::to_string(c.pid) +
                       ") of a process that has not exited (Python gives None)");
  return c.stats.exit_code;
}

// file('data.ticket') in an assert: a read of the shared file like `read`
// (the race detector sees it), without a variable to put it in.
Value ProcessContext::read_file_key(const Value& key) const {
  const auto* k = std::get_if<std::string>(&key);
  if (!k)
    throw RuntimeError(std::string("file() needs a key such as 'data.ticket', got ") +
                       type_name(key));
  auto dot = k->find('.');
  if (dot == std::string::npos || !rt_.scenario().files.count(k->substr(0, dot)))
    throw RuntimeError("file('" + *k + "'): no such shared file (declare it in \"files\")");
  std::optional<Value> v = rt_.read_key(p_, *k);
  if (!v)
    throw RuntimeError("file('" + *k + "'): the file has no key '" + k->substr(dot + 1) + "'");
  return *v;
}

namespace {

[[noreturn, gnu::cold, gnu::noinline]] void negative_amount(std::int64_t v, const Instr& in) {
  throw RuntimeError(std::string(to_string(in.op)) + " needs a non-negative amount, '" + in.amount.source() +
                     "' is " + std::to_string(v));
}

// Inline, with the error out of line: every compute, io and repeat passes here.
inline std::int64_t non_negative(std::int64_t v, const Instr& in) {
  if (v < 0) [[unlikely]] negative_amount(v, in);
  return v;
}

// compute, io and sleep (`in` is one of them), most of what programs run: a
// template so that Kernel::run_zero_time (Rt = Kernel, a final class) runs
// them without step()'s frame and calls block() directly; step() runs them
// for everyone else (Rt = Runtime).
template <typename Rt>
inline Stop timed_step(Rt& rt, Process& p, const Instr& in, const ProcessContext& ctx) {
  if (in.op == OpCode::Compute) {
    if (p.remaining > 0) return Stop::Compute;  // resumed after a preemption
    std::int64_t n = non_negative(ctx.int_of(in.amount, "compute"), in);
    if (n == 0) {
      ++p.pc;
      return Stop::None;
    }
    p.remaining = n;
    return Stop::Compute;  // pc moves on when the compute finishes (advance)
  }
  // string_views, not a choice of char pointers: that would cost a strlen per io.
  using namespace std::string_view_literals;
  bool io = in.op == OpCode::Io;
  std::int64_t n = non_negative(ctx.int_of(in.amount, io ? "io"sv : "sleep"sv), in);
  ++p.pc;
  if (n == 0) return Stop::None;
  rt.block(p, io ? BlockReason::Io : BlockReason::Sleep, n);
  return Stop::Blocked;
}

std::pair<std::string, std::string> split_key(const std::string& object) {
  auto dot = object.find('.');
  return {object.substr(0, dot), object.substr(dot + 1)};
}

}  // namespace

InitialIdentity initial_identity(const ProcessSpec& spec, std::int32_t index, Pid pid) {
  SetupContext ctx(index, pid);
  InitialIdentity id;
  if (spec.count > 1 || spec.name.find("{index}") != std::string::npos)
    id.vars.set("index", Value{static_cast<std::int64_t>(index)});
  for (const auto& [k, e] : spec.args) id.vars.set(k, e.eval(ctx));
  id.name = spec.parsed_name ? spec.parsed_name->render(ctx) : Template::parse(spec.name).render(ctx);
  return id;
}

Process& Runtime::child_of(const Process& parent, const Value& handle, std::string_view what) {
  const auto* h = std::get_if<std::int64_t>(&handle);
  if (!h) throw RuntimeError(std::string(what) + " needs a process handle (int), got " + type_name(handle));
  Process* found = lookup(*h);
  if (!found) throw RuntimeError(std::string(what) + ": no process has pid " + std::to_string(*h));
  Process& c = *found;
  if (c.original_parent != parent.pid)
    throw RuntimeError(std::string(what) + ": process " + std::to_string(*h) + " (" + c.name +
                       ") is not a child of " + parent.name);
  return c;
}

Pid Runtime::create_child(Process& p, const Instr& in, const EvalContext& ctx) {
  if (p.daemon)
    throw RuntimeError("a daemon process may not create children (daemonic processes are not "
                       "allowed to have children)");
  const Program& prog = *scenario().programs.at(in.object);
  Variables vars = p.vars;  // a copy: the seed's isolation lesson
  vars.set("index", Value{static_cast<std::int64_t>(p.children.size())});
  for (const auto& [k, e] : in.args) vars.set(k, e.eval(ctx));
  Pid pid = next_pid();
  std::string name = in.has_child_name ? in.child_name.render(ctx)
                                       : prog.name + "-" + std::to_string(pid);
  Process& c = create_process(p.pid, prog, std::move(name), std::move(vars));
  c.daemon = in.daemon;
  if (!in.target.empty()) p.vars.set(in.target, Value{static_cast<std::int64_t>(pid)});
  return pid;
}

void Runtime::start_child(Process& p, Process& c) {
  if (c.started) throw RuntimeError("cannot start a process twice: " + c.name + " was already started");
  (void)p;
  c.stats.daemon = c.daemon;
  start_process(c);
}

// One zero-time operation; returns a Stop when the process leaves the core or
// reaches compute. The program counter is advanced before anything that blocks.
Stop Runtime::step(Process& p, const Instr& in, const ProcessContext& ctx) {
  switch (in.op) {
    case OpCode::Compute:
    case OpCode::Io:
    case OpCode::Sleep:
      return timed_step(*this, p, in, ctx);
    case OpCode::Yield:
      ++p.pc;
      if (!yield_core(p)) return Stop::None;  // like sched_yield with nobody waiting
      return Stop::Yielded;
    case OpCode::Set: p.vars.set(in.target, in.amount.eval(ctx)); break;
    case OpCode::Print: print(p, in.text.render(ctx)); break;
    case OpCode::Jump:
    case OpCode::RepeatNext:
      jump_step(p, in);
      return Stop::None;
    case OpCode::JumpIfFalse:
      if (in.condition.eval_bool(ctx, "condition")) break;
      p.pc = in.jump;
      return Stop::None;
    case OpCode::RepeatInit:
      p.loop_counters[static_cast<std::size_t>(in.slot)] =
          non_negative(ctx.int_of(in.amount, "repeat"), in);
      break;
    case OpCode::Create: create_child(p, in, ctx); break;
    case OpCode::Spawn: {
      Pid c = create_child(p, in, ctx);
      start_child(p, *lookup(c));
      break;
    }
    case OpCode::Start: start_child(p, child_of(p, in.handle.eval(ctx), "start")); break;
    case OpCode::SetDaemon: {
      Process& c = child_of(p, in.handle.eval(ctx), "set_daemon");
      if (c.started)
        throw RuntimeError("set_daemon after start: " + c.name +
                           " is already running (a daemon must be set before start)");
      c.daemon = in.daemon;
      break;
    }
    case OpCode::Join: return join(p, in, ctx);
    case OpCode::Terminate:
    case OpCode::Kill: {
      Process& c = child_of(p, in.handle.eval(ctx), to_string(in.op));
      if (!c.started) throw RuntimeError(std::string(to_string(in.op)) + " of " + c.name + ", which was never started");
      ++p.pc;
      signal_process(c, in.op == OpCode::Terminate ? 15 : 9, p.pid);
      return Stop::None;
    }
    case OpCode::IsAlive:
      p.vars.set(in.target, Value{child_of(p, in.handle.eval(ctx), "is_alive").alive()});
      break;
    case OpCode::GetPid: p.vars.set(in.target, Value{static_cast<std::int64_t>(p.pid)}); break;
    case OpCode::GetPpid: p.vars.set(in.target, Value{static_cast<std::int64_t>(p.parent)}); break;
    case OpCode::Exit:
    case OpCode::End:
      if (p.task != -1) [[unlikely]] return pool_step(p, in, ctx);  // a pool task or initializer ends
      if (p.exit_stage == 0) p.exit_request = in.op == OpCode::Exit ? in.amount.eval_int(ctx, "exit code") : 0;
      if (in.op == OpCode::Exit) p.pc = static_cast<std::int32_t>(p.program->code.size()) - 1;
      return exit_sequence(p);
    case OpCode::Read: return read_file(p, in);
    case OpCode::Write: write_file(p, in, ctx); break;
    case OpCode::Assert:
      if (!in.condition.eval_bool(ctx, "assert"))
        throw AssertionFailed("assertion failed: " + in.condition.source());
      break;
    case OpCode::Acquire:
    case OpCode::Release:
    case OpCode::SetEvent:
    case OpCode::ClearEvent:
    case OpCode::IsSet:
    case OpCode::Wait:
    case OpCode::Notify:
    case OpCode::NotifyAll:
    case OpCode::Put:
    case OpCode::Get:
    case OpCode::QSize: return sync_step(p, in, ctx);
    case OpCode::CreatePool:
    case OpCode::Apply:
    case OpCode::ApplyAsync:
    case OpCode::Map:
    case OpCode::MapAsync:
    case OpCode::Imap:
    case OpCode::ImapUnordered:
    case OpCode::GetResult:
    case OpCode::WaitResult:
    case OpCode::Ready:
    case OpCode::Next:
    case OpCode::ClosePool:
    case OpCode::JoinPool:
    case OpCode::TerminatePool:
    case OpCode::Return:
    case OpCode::PoolWork: return pool_step(p, in, ctx);
    case OpCode::Load: return load_shared(p, in, ctx);
    case OpCode::Store: store_shared(p, in, ctx); break;
    case OpCode::Send:
    case OpCode::Recv:
    case OpCode::Poll:
    case OpCode::ClosePipe: return pipe_step(p, in, ctx);
  }
  ++p.pc;
  return Stop::None;
}

Stop Runtime::join(Process& p, const Instr& in, const EvalContext& ctx) {
  Process& c = child_of(p, in.handle.eval(ctx), "join");
  if (!c.started) throw RuntimeError("cannot join " + c.name + ", which was never started");
  Tick timeout = in.has_timeout ? non_negative(in.amount.eval_int(ctx, "join timeout"), in) : kNever;
  ++p.pc;
  return wait_child(p, c, timeout);
}

Stop Runtime::read_file(Process& p, const Instr& in) {
  std::optional<Value> v = read_key(p, in.object);
  if (!v) throw RuntimeError("read of " + in.object + ": the file has no key '" + split_key(in.object).second + "'");
  p.vars.set(in.target, std::move(*v));
  ++p.pc;
  return Stop::None;
}

void Runtime::write_file(Process& p, const Instr& in, const EvalContext& ctx) {
  write_key(p, in.object, in.amount.eval(ctx));
}

// ---------------------------------------------------------------------------
// The simulator's side of the operations (Kernel implements Runtime).

Process* Kernel::lookup(std::int64_t pid) { return valid_pid(pid) ? &proc(static_cast<Pid>(pid)) : nullptr; }

Pid Kernel::next_pid() { return static_cast<Pid>(procs_.size()); }

bool Kernel::yield_core(Process& p) {
  if (!others_ready_for(p)) return false;
  make_ready(p);
  return true;
}

// The python exit sequence: terminate daemon children, join the others, exit.
Stop Kernel::exit_sequence(Process& p) {
  if (scenario_.machine.exit_semantics == ExitSemantics::Python) {
    if (p.exit_stage == 0) {
      p.exit_stage = 1;
      for (Pid c : p.children)
        if (proc(c).daemon && proc(c).parent == p.pid) signal_process(proc(c), 15, p.pid);
    }
    for (Pid cpid : p.children) {
      Process& c = proc(cpid);
      if (c.parent != p.pid || !c.started) continue;
      if (c.state == ProcState::Zombie) reap(c, p.pid);
      if (!c.alive()) continue;
      p.join_target = c.pid;
      block(p, BlockReason::Join, kNever);
      return Stop::Blocked;  // the End op runs again when the child exits
    }
  }
  exit_process(p, p.exit_request, true);
  return Stop::Exited;
}

Stop Kernel::wait_child(Process& p, Process& c, Tick timeout) {
  if (c.state == ProcState::Zombie && c.parent == p.pid) reap(c, p.pid);
  if (!c.alive() || timeout == 0) return Stop::None;
  p.join_target = c.pid;
  block(p, BlockReason::Join, timeout);
  return Stop::Blocked;
}

std::optional<Value> Kernel::read_key(Process& p, const std::string& object) {
  auto [file, key] = split_key(object);
  const FileContent& content = files_.at(file);
  auto it = content.find(key);
  if (it == content.end()) return std::nullopt;
  log_sync(p, SyncOp::Read, key_id(object));
  if (options_.chooser) options_.chooser->on_access(p.pid, false, object, it->second, now_);
  return it->second;
}

void Kernel::write_key(Process& p, const std::string& object, Value v) {
  auto [file, key] = split_key(object);
  if (options_.chooser) options_.chooser->on_access(p.pid, true, object, v, now_);
  files_.at(file)[key] = std::move(v);
  log_sync(p, SyncOp::Write, key_id(object));
}

Stop Kernel::run_zero_time(Process& p) {
  ProcessContext ctx(*this, p);
  // Counted over all its dispatches at this boundary: two processes yielding
  // to each other in endless loops never consume a tick either.
  std::int64_t& ops = zero_ops_.of(p);
  for (;;) {
    const Instr* at = &p.program->code[static_cast<std::size_t>(p.pc)];
    if (at->op == OpCode::End && p.program->external && p.exit_stage == 0) [[unlikely]] {
      try {
        options_.external->next(*this, p);  // replaces p.program and p.pc
      } catch (const RuntimeError& e) {
        fail(p, e.what());
        return Stop::Exited;
      }
      if (!p.alive()) return Stop::Exited;  // os._exit
      at = &p.program->code[static_cast<std::size_t>(p.pc)];
    }
    const Instr& in = *at;
    try {
      if (ops++ == options_.max_zero_time_ops)
        throw RuntimeError("runaway loop: more than " + std::to_string(options_.max_zero_time_ops) +
                           " zero-time operations at one tick without consuming time");
      // The most frequent operations without step()'s frame (it saves every
      // register its large switch uses): a loop's own and the timed ones.
      if (jump_step(p, in)) continue;
      if (in.op == OpCode::Compute || in.op == OpCode::Io ||
          in.op == OpCode::Sleep) {  // never end the process
        if (Stop stop = timed_step(*this, p, in, ctx); stop != Stop::None) return stop;
        continue;
      }
      if (Stop stop = step(p, in, ctx); stop != Stop::None) return stop;
    } catch (const RuntimeError& e) {
      if (p.task >= 0) {  // a pool task failed: the task ends, its worker goes on (semantics.md §13)
        pools_.task_failed(p, in.path + ": " + e.what());
        continue;
      }
      fail(p, in.path + ": " + e.what());
      if (dynamic_cast<const AssertionFailed*>(&e)) result_.errors.back().assertion = true;
      return Stop::Exited;
    }
    if (!p.alive()) return Stop::Exited;
  }
}

}  // namespace mpsim::detail
