// Process pools on the simulated machine (docs/semantics.md §13). Every rule
// here is deterministic: tasks queue FIFO, an idle worker that has waited
// longest gets the next task, and a task's end, its callback and the wake-up
// of whoever waits for it all happen at the boundary the task returns.
#include "kernel/pool.hpp"

#include <algorithm>

#include "kernel/kernel.hpp"

namespace mpsim::detail {

namespace {

constexpr std::int64_t kMaxCallbackOps = 1000000;

bool mapping(OpCode op) {
  return op == OpCode::Map || op == OpCode::MapAsync || op == OpCode::Imap ||
         op == OpCode::ImapUnordered;
}

std::string indexed(const std::string& name, std::size_t i) {
  return name + "_" + std::to_string(i);
}

}  // namespace

Process& Pools::proc(Pid pid) {
  return k_.proc(pid);
}
const Process& Pools::proc(Pid pid) const {
  return k_.proc(pid);
}

void Pools::init(const Scenario& s) {
  for (const PoolDecl& d : s.pools) {
    Pool& pl = pools_.emplace_back();
    pl.decl = &d;
    pl.rec.name = d.name;
    pl.rec.processes = d.processes;
    pl.rec.maxtasksperchild = d.maxtasksperchild;
    pl.loop = std::make_shared<Program>();
    pl.loop->name = "pool:" + d.name;
    Instr work;
    work.op = OpCode::PoolWork;
    work.obj = static_cast<std::int32_t>(pools_.size() - 1);
    work.path = d.path;
    Instr end;
    end.op = OpCode::End;
    end.path = d.path;
    pl.loop->code = {work, end};
  }
  // After the loop: add_object may grow the kernel's tables, not pools_.
  for (Pool& pl : pools_)
    pl.object = k_.add_object(SyncObject{"pool:" + pl.decl->name, SyncKind::Queue, 0, false, -1});
}

void Pools::hand_over(const Process& p, SyncOp op, std::int64_t task, bool result) {
  const Task& t = tasks_[static_cast<std::size_t>(task - 1)];
  Pool& pl = pools_[static_cast<std::size_t>(jobs_[static_cast<std::size_t>(t.rec.job - 1)].pool)];
  ++k_.sync_[static_cast<std::size_t>(pl.object)].stats.uses;
  k_.log_sync(p, op, pl.object, static_cast<std::int32_t>(2 * task + (result ? 1 : 0)));
}

void Pools::received(const Process& q, const Job& j) {
  for (std::int64_t id : j.tasks)
    if (tasks_[static_cast<std::size_t>(id - 1)].rec.finished >= 0)
      hand_over(q, SyncOp::Get, id, true);
}

Stop Pools::step(Process& p, const Instr& in, const EvalContext& ctx) {
  switch (in.op) {
    case OpCode::End:
    case OpCode::Exit:
    case OpCode::Return:
      return task_end(p, in, ctx);
    case OpCode::PoolWork:
      return work(p);
    case OpCode::CreatePool:
      create(p, in);
      break;
    case OpCode::Apply:
    case OpCode::Map:
      return blocking_submit(p, in, ctx);
    case OpCode::ApplyAsync:
    case OpCode::MapAsync:
    case OpCode::Imap:
    case OpCode::ImapUnordered: {
      std::int64_t job = submit(p, in, ctx);
      p.vars.set(in.target, Value{job});
      break;
    }
    case OpCode::GetResult:
      return get_result(p, in, ctx);
    case OpCode::WaitResult: {
      Job& j = owned_job(p, in.handle.eval(ctx), in);
      bool timed_out = false;
      if (!j.done() && await(p, in, j.id, ctx, timed_out) == Stop::Blocked) return Stop::Blocked;
      waits_.erase(p.pid);
      if (j.done()) received(p, j);
      if (!in.flag.empty()) p.vars.set(in.flag, Value{j.done()});
      break;
    }
    case OpCode::Ready:
      p.vars.set(in.target, Value{owned_job(p, in.handle.eval(ctx), in).done()});
      break;
    case OpCode::Next:
      return next(p, in, ctx);
    case OpCode::ClosePool:
      close(owned(p, in));
      break;
    case OpCode::JoinPool:
      return join(p, in);
    case OpCode::TerminatePool:
      terminate(p, in);
      break;
    default:
      throw RuntimeError(std::string("not a pool operation: ") + to_string(in.op));
  }
  ++p.pc;
  return Stop::None;
}

// --- the pool and its workers -------------------------------------------------

Pools::Pool& Pools::owned(const Process& p, const Instr& in) {
  Pool& pl = pools_[static_cast<std::size_t>(in.obj)];
  const std::string& name = pl.decl->name;
  if (pl.state == State::Unborn)
    throw RuntimeError("pool `" + name + "` is not created yet (run {\"create_pool\": \"" + name +
                       "\"} first)");
  if (pl.creator != p.pid)
    throw RuntimeError("pool `" + name + "` belongs to " + proc(pl.creator).name + " (pid " +
                       std::to_string(pl.creator) +
                       "): only the process that created a pool may use it");
  return pl;
}

Pools::Job& Pools::owned_job(const Process& p, const Value& handle, const Instr& in) {
  const auto* h = std::get_if<std::int64_t>(&handle);
  if (!h)
    throw RuntimeError(std::string(to_string(in.op)) + " needs a result handle (int), got " +
                       type_name(handle));
  if (*h < 1 || *h > static_cast<std::int64_t>(jobs_.size()))
    throw RuntimeError(std::string(to_string(in.op)) + ": no pool submission has handle " +
                       std::to_string(*h));
  Job& j = jobs_[static_cast<std::size_t>(*h - 1)];
  if (j.submitter != p.pid)
    throw RuntimeError(std::string(to_string(in.op)) + ": handle " + std::to_string(*h) +
                       " belongs to " + proc(j.submitter).name + ", not to " + p.name);
  bool iterator = j.kind == OpCode::Imap || j.kind == OpCode::ImapUnordered;
  if (in.op == OpCode::Next && !iterator)
    throw RuntimeError("next: handle " + std::to_string(*h) +
                       " is not an imap or imap_unordered iterator");
  if (in.op == OpCode::GetResult && iterator)
    throw RuntimeError("get_result: handle " + std::to_string(*h) + " is an " + to_string(j.kind) +
                       " iterator: take its results with \"next\"");
  return j;
}

void Pools::create(Process& p, const Instr& in) {
  Pool& pl = pools_[static_cast<std::size_t>(in.obj)];
  if (pl.state != State::Unborn)
    throw RuntimeError("pool `" + pl.decl->name + "` was already created at tick " +
                       std::to_string(pl.rec.created));
  if (p.daemon)
    throw RuntimeError(
        "a daemon process may not create a pool (daemonic processes are not allowed to have "
        "children)");
  if (p.pool >= 0) throw RuntimeError("a pool worker may not create a pool");
  pl.state = State::Running;
  pl.creator = p.pid;
  pl.rec.creator = p.pid;
  pl.rec.created = k_.now();
  for (std::int32_t i = 0; i < pl.decl->processes; ++i) spawn_worker(in.obj);
}

// A worker is forked from the creator: it starts with a copy of its variables.
void Pools::spawn_worker(std::int32_t index) {
  Pool& pl = pools_[static_cast<std::size_t>(index)];
  Process& c = proc(pl.creator);
  const bool init = !pl.decl->initializer.empty();
  const Program& first = init ? *k_.scenario().programs.at(pl.decl->initializer) : *pl.loop;
  std::string name = pl.decl->name + "-worker-" + std::to_string(++pl.spawned);
  Process& w = k_.create_process(c.pid, first, std::move(name), c.vars);
  w.daemon = true;
  w.stats.daemon = true;
  w.pool = index;
  w.task = init ? kInitializerTask : -1;
  pl.rec.workers.push_back(w.pid);
  ++pl.live;
  k_.start_process(w);
}

// The worker's built-in operation: start the task it was given or the oldest
// queued one; with none, retire when the pool is closed, else wait idle.
Stop Pools::work(Process& w) {
  Pool& pl = pools_[static_cast<std::size_t>(w.pool)];
  std::int64_t id = 0;
  if (!proc(pl.creator).alive()) {
    ++w.pc;  // the creator is gone (its task pipe closed): exit with code 0, queued tasks never
             // start
    return Stop::None;
  }
  if (auto it = pl.assigned.find(w.pid); it != pl.assigned.end()) {
    id = it->second;
    pl.assigned.erase(it);
  } else if (!pl.queue.empty()) {
    id = pl.queue.front();
    pl.queue.pop_front();
  }
  if (id > 0) {
    start_task(w, id);
    return Stop::None;
  }
  if (pl.state != State::Running) {
    ++w.pc;  // to End: the worker exits with code 0
    return Stop::None;
  }
  pl.idle.push_back(w.pid);
  k_.block(w, BlockReason::Queue, kNever);  // runs PoolWork again when woken
  return Stop::Blocked;
}

// Queued tasks go to idle workers, longest idle first; each is woken.
void Pools::dispatch(Pool& pl) {
  while (!pl.idle.empty() && !pl.queue.empty()) {
    Pid w = pl.idle.front();
    pl.idle.pop_front();
    pl.assigned[w] = pl.queue.front();
    pl.queue.pop_front();
    k_.make_ready(proc(w));
  }
}

void Pools::start_task(Process& w, std::int64_t id) {
  Task& t = tasks_[static_cast<std::size_t>(id - 1)];
  t.rec.started = k_.now();
  t.rec.worker = w.pid;
  hand_over(w, SyncOp::Get, id, false);
  w.task = static_cast<std::int32_t>(id);
  w.program = t.program;
  w.pc = 0;
  w.loop_counters.reset(static_cast<std::size_t>(t.program->loop_slots));
  for (const auto& [k, v] : t.args) w.vars.set(k, v);
  if (t.mapped) w.vars.set("item", Value{t.rec.item});
}

void Pools::back_to_loop(Process& w) {
  Pool& pl = pools_[static_cast<std::size_t>(w.pool)];
  w.task = -1;
  w.program = pl.loop.get();
  w.pc = 0;
  w.loop_counters.reset(0);
}

// End, exit or return while a worker runs a task or its initializer, or a
// `return` in a plain process (it ends the program, like its last operation).
Stop Pools::task_end(Process& w, const Instr& in, const EvalContext& ctx) {
  if (in.op == OpCode::Exit)
    throw RuntimeError(
        w.task == kInitializerTask
            ? "exit in a pool initializer (the pool would replace the worker forever)"
            : "exit in a pool task (the worker would die and the task be lost)");
  if (w.task == -1) {  // `return` outside a task
    w.pc = static_cast<std::int32_t>(w.program->code.size()) - 1;
    return Stop::None;
  }
  if (w.task == kInitializerTask) {
    back_to_loop(w);
    return Stop::None;
  }
  Value v = in.op == OpCode::Return ? in.amount.eval(ctx) : Value{std::string("None")};
  std::int64_t id = w.task;
  hand_over(w, SyncOp::Put, id, true);
  back_to_loop(w);
  Pool& pl = pools_[static_cast<std::size_t>(w.pool)];
  std::int64_t done = ++pl.done_by[w.pid];
  if (pl.decl->maxtasksperchild > 0 && done >= pl.decl->maxtasksperchild) ++w.pc;  // retire: to End
  finish_task(id, true, std::move(v), "");
  return Stop::None;
}

void Pools::task_failed(Process& w, const std::string& message) {
  std::int64_t id = w.task;
  hand_over(w, SyncOp::Put, id, true);
  back_to_loop(w);
  Pool& pl = pools_[static_cast<std::size_t>(w.pool)];
  std::int64_t done = ++pl.done_by[w.pid];
  if (pl.decl->maxtasksperchild > 0 && done >= pl.decl->maxtasksperchild) ++w.pc;
  finish_task(id, false, Value{}, message);
}

void Pools::worker_exited(Process& w) {
  Pool& pl = pools_[static_cast<std::size_t>(w.pool)];
  --pl.live;
  pl.idle.erase(std::remove(pl.idle.begin(), pl.idle.end(), w.pid), pl.idle.end());
  if (auto it = pl.assigned.find(w.pid); it != pl.assigned.end()) {
    pl.queue.push_front(it->second);  // never started: the next worker takes it
    pl.assigned.erase(it);
  }
  const bool in_init = w.task == kInitializerTask;
  if (w.task >= 0) {
    std::int64_t id = w.task;
    w.task = -1;
    w.program = pl.loop.get();
    finish_task(id, false, Value{},
                pl.state == State::Terminated
                    ? "the pool was terminated while the task ran"
                    : "worker " + std::to_string(w.pid) + " ended (exit code " +
                          std::to_string(w.stats.exit_code) + ") while running the task");
  }
  const Process& c = proc(pl.creator);
  bool replace = !in_init && pl.state != State::Terminated && c.alive() && c.exit_stage == 0 &&
                 (pl.state == State::Running || !pl.queue.empty());
  if (replace) {
    // Like the pool's maintenance thread: reap the old worker, fork a new one.
    if (w.state == ProcState::Zombie && w.parent == c.pid) k_.reap(w, c.pid);
    try {
      spawn_worker(w.pool);
    } catch (const RuntimeError&) {
      replace = false;  // the process limit: the pool goes on with fewer workers
    }
  }
  if (pl.live == 0 && !replace) pl.rec.ended = k_.now();
}

// A creator that ends without terminating its pool (an error, a signal, or
// python exit semantics, which leave daemons to the exit sequence): its idle
// workers wake and exit; busy ones exit after their task.
void Pools::creator_exited(const Process& p) {
  for (Pool& pl : pools_) {
    if (pl.creator != p.pid || pl.state == State::Terminated) continue;
    for (const auto& [w, id] : pl.assigned) pl.queue.push_front(id);  // never started
    pl.assigned.clear();
    for (Pid w : pl.idle) k_.make_ready(proc(w));
    pl.idle.clear();
  }
}

// --- submitting and results -----------------------------------------------------

std::int64_t Pools::submit(Process& p, const Instr& in, const EvalContext& ctx) {
  Pool& pl = owned(p, in);
  if (pl.state != State::Running)
    throw RuntimeError(
        std::string(to_string(in.op)) + " on pool `" + pl.decl->name +
        "` after close_pool or terminate_pool (Python raises ValueError: Pool not running)");
  std::int64_t n = 1;
  if (mapping(in.op)) {
    n = in.amount.eval_int(ctx, "items");
    if (n < 0)
      throw RuntimeError("items must be >= 0, '" + in.amount.source() + "' is " +
                         std::to_string(n));
  }
  std::vector<std::pair<std::string, Value>> args;
  for (const auto& [k, e] : in.args) args.emplace_back(k, e.eval(ctx));
  Job& j = jobs_.emplace_back();
  j.id = static_cast<std::int64_t>(jobs_.size());
  j.pool = in.obj;
  j.kind = in.op;
  j.submitter = p.pid;
  j.callback = in.callback;
  j.error_callback = in.error_callback;
  for (std::int64_t i = 0; i < n; ++i) {
    Task& t = tasks_.emplace_back();
    t.rec.id = static_cast<std::int64_t>(tasks_.size());
    t.rec.pool = pl.decl->name;
    t.rec.job = j.id;
    t.rec.kind = to_string(in.op);
    t.rec.item = i;
    t.rec.program = in.object;
    t.rec.submitter = p.pid;
    t.rec.submitted = k_.now();
    t.program = k_.scenario().programs.at(in.object).get();
    t.args = args;
    t.mapped = mapping(in.op);
    j.tasks.push_back(t.rec.id);
    pl.queue.push_back(t.rec.id);
    hand_over(p, SyncOp::Put, t.rec.id, false);
  }
  dispatch(pl);
  if (j.done()) complete_job(j);  // a map over 0 items
  return j.id;
}

void Pools::finish_task(std::int64_t id, bool ok, Value v, const std::string& error) {
  Task& t = tasks_[static_cast<std::size_t>(id - 1)];
  t.rec.finished = k_.now();
  t.rec.ok = ok;
  t.rec.error = error;
  if (ok) t.rec.result = to_display(v);
  t.value = std::move(v);
  Job& j = jobs_[static_cast<std::size_t>(t.rec.job - 1)];
  j.done_order.push_back(id);
  if (j.done())
    complete_job(j);
  else if (j.kind == OpCode::Imap || j.kind == OpCode::ImapUnordered)
    wake_waiter(j);  // `next` may have its result now
}

// The first failure in item order, as the submitter sees it.
std::string Pools::failure(const Job& j) const {
  for (std::int64_t id : j.tasks) {
    const Task& t = tasks_[static_cast<std::size_t>(id - 1)];
    if (t.rec.finished >= 0 && !t.rec.ok)
      return "task " + std::to_string(id) + " (" + t.rec.program +
             (mapping(j.kind) ? ", item " + std::to_string(t.rec.item) : std::string()) +
             ") failed: " + t.rec.error;
  }
  return {};
}

// The callback runs first, then the waiter wakes (as in CPython, where the
// result handler calls the callback before it marks the result ready).
void Pools::complete_job(Job& j) {
  Process& q = proc(j.submitter);
  const Pool& pl = pools_[static_cast<std::size_t>(j.pool)];
  bool failed = !failure(j).empty();
  const std::string& cb = failed ? j.error_callback : j.callback;
  if (!cb.empty() && q.alive() && q.exit_stage == 0 && pl.state != State::Terminated)
    run_callback(q, cb, j);
  wake_waiter(j);
}

void Pools::run_callback(Process& q, const std::string& name, const Job& j) {
  received(q, j);
  std::string fail = failure(j);
  if (!fail.empty()) {
    q.vars.set("error", Value{fail});
  } else if (j.kind == OpCode::ApplyAsync) {
    q.vars.set("result", tasks_[static_cast<std::size_t>(j.tasks[0] - 1)].value);
  } else {
    for (std::size_t i = 0; i < j.tasks.size(); ++i)
      q.vars.set(indexed("result", i), tasks_[static_cast<std::size_t>(j.tasks[i] - 1)].value);
  }
  const Program& cb = *k_.scenario().programs.at(name);
  const Program* saved_program = q.program;
  std::int32_t saved_pc = q.pc;
  LoopCounters saved_loops = q.loop_counters;
  q.program = &cb;
  q.pc = 0;
  q.loop_counters.reset(static_cast<std::size_t>(cb.loop_slots));
  ProcessContext ctx(k_, q);
  std::string error;
  std::int64_t ops = 0;
  for (;;) {
    const Instr& in = cb.code[static_cast<std::size_t>(q.pc)];
    if (in.op == OpCode::End || in.op == OpCode::Return) break;
    try {
      if (++ops > kMaxCallbackOps)
        throw RuntimeError("runaway loop: more than " + std::to_string(kMaxCallbackOps) +
                           " operations");
      k_.step(q, in, ctx);
    } catch (const RuntimeError& e) {
      error = in.path + ": " + e.what();
      break;
    }
  }
  q.program = saved_program;
  q.pc = saved_pc;
  q.loop_counters = saved_loops;
  if (!error.empty())
    k_.fail(q, "callback `" + name + "` of handle " + std::to_string(j.id) + ": " + error);
}

void Pools::wake_waiter(const Job& j) {
  auto it = waits_.find(j.submitter);
  if (it == waits_.end() || it->second.job != j.id) return;
  Process& q = proc(j.submitter);
  if (q.state != ProcState::Blocked || q.block != BlockReason::Event || q.wait_obj >= 0) return;
  ++q.timer_gen;  // cancel its timeout
  q.wake_at = kNever;
  k_.make_ready(q);
}

// Blocks `p` until job `job` moves on or the operation's timeout passes; the
// operation runs again when `p` wakes (its pc stays). Returns Stop::None with
// `timed_out` when the deadline has passed.
Stop Pools::await(Process& p, const Instr& in, std::int64_t job, const EvalContext& ctx,
                  bool& timed_out) {
  auto it = waits_.find(p.pid);
  if (it == waits_.end() || it->second.in != &in) {
    Tick deadline = kNever;
    if (in.has_timeout) {
      std::int64_t t = in.timeout.eval_int(ctx, "timeout");
      if (t < 0)
        throw RuntimeError("timeout must be >= 0, '" + in.timeout.source() + "' is " +
                           std::to_string(t));
      deadline = k_.now() + t;
    }
    it = waits_.insert_or_assign(p.pid, Waiting{&in, job, deadline}).first;
  }
  Tick deadline = it->second.deadline;
  if (deadline != kNever && k_.now() >= deadline) {
    waits_.erase(it);
    timed_out = true;
    return Stop::None;
  }
  k_.block(p, BlockReason::Event, deadline == kNever ? kNever : deadline - k_.now());
  return Stop::Blocked;
}

Stop Pools::blocking_submit(Process& p, const Instr& in, const EvalContext& ctx) {
  auto it = waits_.find(p.pid);
  std::int64_t job = it != waits_.end() && it->second.in == &in ? it->second.job : 0;
  if (job == 0) {
    job = submit(p, in, ctx);
    waits_.insert_or_assign(p.pid, Waiting{&in, job, kNever});
  }
  Job& j = jobs_[static_cast<std::size_t>(job - 1)];
  bool timed_out = false;
  if (!j.done()) return await(p, in, job, ctx, timed_out);
  waits_.erase(p.pid);
  received(p, j);
  if (std::string f = failure(j); !f.empty()) throw RuntimeError(f);
  if (!in.target.empty()) deliver(p, in, j, in.target);
  ++p.pc;
  return Stop::None;
}

void Pools::deliver(Process& p, const Instr&, const Job& j, const std::string& into) {
  if (j.kind == OpCode::Apply || j.kind == OpCode::ApplyAsync) {
    p.vars.set(into, tasks_[static_cast<std::size_t>(j.tasks[0] - 1)].value);
    return;
  }
  for (std::size_t i = 0; i < j.tasks.size(); ++i)
    p.vars.set(indexed(into, i), tasks_[static_cast<std::size_t>(j.tasks[i] - 1)].value);
}

Stop Pools::get_result(Process& p, const Instr& in, const EvalContext& ctx) {
  Job& j = owned_job(p, in.handle.eval(ctx), in);
  if (!j.done()) {
    bool timed_out = false;
    if (await(p, in, j.id, ctx, timed_out) == Stop::Blocked) return Stop::Blocked;
    if (in.flag.empty())
      throw RuntimeError("get_result of handle " + std::to_string(j.id) +
                         " timed out (Python raises multiprocessing.TimeoutError; give \"ok\" to "
                         "test for it instead)");
    p.vars.set(in.flag, Value{false});
    ++p.pc;
    return Stop::None;
  }
  waits_.erase(p.pid);
  received(p, j);
  std::string f = failure(j);
  if (!f.empty() && in.flag.empty()) throw RuntimeError(f);
  if (f.empty()) deliver(p, in, j, in.target);
  if (!in.flag.empty()) p.vars.set(in.flag, Value{f.empty()});
  ++p.pc;
  return Stop::None;
}

// imap: results in item order; imap_unordered: in the order tasks finished.
Stop Pools::next(Process& p, const Instr& in, const EvalContext& ctx) {
  Job& j = owned_job(p, in.handle.eval(ctx), in);
  auto answer = [&](bool ok, const std::string& why) {
    waits_.erase(p.pid);
    if (!ok && in.flag.empty()) throw RuntimeError(why);
    if (!in.flag.empty()) p.vars.set(in.flag, Value{ok});
    ++p.pc;
    return Stop::None;
  };
  if (j.consumed == j.tasks.size())
    return answer(
        false,
        "next: iterator " + std::to_string(j.id) +
            " is exhausted (Python raises StopIteration; give \"ok\" to test for it instead)");
  std::int64_t id = 0;
  if (j.kind == OpCode::ImapUnordered) {
    if (j.consumed < j.done_order.size()) id = j.done_order[j.consumed];
  } else if (tasks_[static_cast<std::size_t>(j.tasks[j.consumed] - 1)].rec.finished >= 0) {
    id = j.tasks[j.consumed];
  }
  if (id == 0) {
    bool timed_out = false;
    if (await(p, in, j.id, ctx, timed_out) == Stop::Blocked) return Stop::Blocked;
    return answer(false, "next on iterator " + std::to_string(j.id) +
                             " timed out (Python raises multiprocessing.TimeoutError; give \"ok\" "
                             "to test for it instead)");
  }
  ++j.consumed;
  hand_over(p, SyncOp::Get, id, true);
  const Task& t = tasks_[static_cast<std::size_t>(id - 1)];
  if (!t.rec.ok)
    return answer(false, "task " + std::to_string(id) + " (" + t.rec.program + ", item " +
                             std::to_string(t.rec.item) + ") failed: " + t.rec.error);
  p.vars.set(in.target, t.value);
  return answer(true, "");
}

// --- close, join, terminate -----------------------------------------------------

void Pools::close(Pool& pl) {
  if (pl.state == State::Running) pl.state = State::Closed;
  // Idle workers wake to find no task and retire; busy ones retire once the queue is empty.
  for (Pid w : pl.idle) k_.make_ready(proc(w));
  pl.idle.clear();
}

Stop Pools::join(Process& p, const Instr& in) {
  Pool& pl = owned(p, in);
  if (pl.state == State::Running)
    throw RuntimeError(
        "join_pool on pool `" + pl.decl->name +
        "` before close_pool or terminate_pool (Python raises ValueError: Pool is still running)");
  for (Pid w : pl.rec.workers) {
    Process& wp = proc(w);
    if (wp.state == ProcState::Zombie && wp.parent == p.pid) k_.reap(wp, p.pid);
  }
  for (Pid w : pl.rec.workers) {
    if (!proc(w).alive()) continue;
    p.join_target = w;  // exit_process reaps it and wakes p, which then joins the next
    k_.block(p, BlockReason::Join, kNever);
    return Stop::Blocked;
  }
  ++p.pc;
  return Stop::None;
}

void Pools::terminate(Process& p, const Instr& in) {
  Pool& pl = owned(p, in);
  if (pl.state == State::Terminated) return;
  pl.state = State::Terminated;
  while (!pl.queue.empty()) {
    std::int64_t id = pl.queue.front();
    pl.queue.pop_front();
    finish_task(id, false, Value{}, "the pool was terminated before the task started");
  }
  for (const auto& [w, id] : pl.assigned)
    finish_task(id, false, Value{}, "the pool was terminated before the task started");
  pl.assigned.clear();
  for (Pid w : pl.rec.workers) k_.signal_process(proc(w), 15, p.pid);  // SIGTERM, like CPython
  if (pl.live == 0 && pl.rec.ended < 0) pl.rec.ended = k_.now();
}

// --- reports ----------------------------------------------------------------------

bool Pools::describe(const Process& p, StuckProcess& s) const {
  if (p.block == BlockReason::Queue && p.pool >= 0) {
    const std::string& name = pools_[static_cast<std::size_t>(p.pool)].decl->name;
    s.object = "pool " + name;
    s.waits_for = "a task from pool `" + name + "` (an idle worker)";
    return true;
  }
  auto it = waits_.find(p.pid);
  if (p.block != BlockReason::Event || it == waits_.end()) return false;
  const Job& j = jobs_[static_cast<std::size_t>(it->second.job - 1)];
  const std::string& name = pools_[static_cast<std::size_t>(j.pool)].decl->name;
  s.object = "pool " + name;
  s.waits_for = "the result of " + std::string(to_string(j.kind)) + " handle " +
                std::to_string(j.id) + " on pool `" + name + "` (" +
                std::to_string(j.done_order.size()) + " of " + std::to_string(j.tasks.size()) +
                " tasks done)";
  return true;
}

void Pools::finish(RunResult& r, Tick makespan) const {
  for (const Pool& pl : pools_) {
    PoolResult rec = pl.rec;
    for (const Task& t : tasks_) {
      if (t.rec.pool != rec.name) continue;
      ++rec.tasks;
      if (t.rec.finished >= 0 && !t.rec.ok) ++rec.failed;
      if (t.rec.started >= 0)
        rec.busy += (t.rec.finished >= 0 ? t.rec.finished : makespan) - t.rec.started;
    }
    r.pools.push_back(std::move(rec));
  }
  for (const Task& t : tasks_) r.tasks.push_back(t.rec);
}

}  // namespace mpsim::detail
