// Process pools in real mode (semantics.md §13; docs/real-os.md#pools), the
// creator's side: the RealRuntime members behind the pool operations. The
// creator forks the workers (pool_worker.cpp), queues tasks in the shared
// task table (shared.hpp), waits for results, runs callbacks and replaces
// workers that ended. Its own file: pools are a concept of their own,
// beside the process's life (process.cpp).
#include <algorithm>
#include <string>
#include <utility>

#include "os/pool_sync.hpp"
#include "os/real_runtime.hpp"

namespace mpsim::os::detail {

Stop RealRuntime::pool_step(Process& p, const Instr& in, const EvalContext& ctx) {
  switch (in.op) {
    case OpCode::End:
    case OpCode::Exit:
    case OpCode::Return:
      return task_end(p, in, ctx);
    case OpCode::PoolWork:
      return work(p);
    case OpCode::CreatePool:
      create_pool(p, in);
      break;
    case OpCode::Apply:
    case OpCode::Map: {
      std::int64_t job = submit(p, in, ctx);
      await_job(job, -1);
      received_callbacks();
      std::string f = failure(job);
      if (!f.empty()) throw RuntimeError(f);
      if (!in.target.empty()) deliver(job, in.target);
      break;
    }
    case OpCode::ApplyAsync:
    case OpCode::MapAsync:
    case OpCode::Imap:
    case OpCode::ImapUnordered:
      p.vars.set(in.target, Value{submit(p, in, ctx)});
      break;
    case OpCode::GetResult:
    case OpCode::WaitResult: {
      Job& j = owned_job(in.handle.eval(ctx), in);
      bool done = await_job(j.id, deadline_of(in, ctx));
      received_callbacks();
      if (in.op == OpCode::WaitResult) {
        if (!in.flag.empty()) p.vars.set(in.flag, Value{done});
        break;
      }
      if (!done) {
        if (in.flag.empty())
          throw RuntimeError(
              "get_result of handle " + std::to_string(j.id) +
              " timed out (Python raises multiprocessing.TimeoutError; give \"ok\" to "
              "test for it instead)");
        p.vars.set(in.flag, Value{false});
        break;
      }
      std::string f = failure(j.id);
      if (!f.empty() && in.flag.empty()) throw RuntimeError(f);
      if (f.empty()) deliver(j.id, in.target);
      if (!in.flag.empty()) p.vars.set(in.flag, Value{f.empty()});
      break;
    }
    case OpCode::Ready:
      p.vars.set(in.target, Value{job_done(owned_job(in.handle.eval(ctx), in).id)});
      break;
    case OpCode::Next:
      next(p, in, ctx);
      break;
    case OpCode::ClosePool: {
      std::int32_t i = owned_pool(in);
      {
        RunGuard g(sh_);
        if (pool(i).state == 1) pool(i).state = 2;
      }
      bump(pool(i).task_seq);
      break;
    }
    case OpCode::JoinPool:
      join_pool(in);
      break;
    case OpCode::TerminatePool:
      terminate_pool(in);
      break;
    default:
      throw RuntimeError(std::string("not a pool operation: ") + to_string(in.op));
  }
  ++p.pc;
  // Blocked: it waited (the interpreter goes on after it, and counts no runaway loop).
  return std::exchange(waited_, false) ? Stop::Blocked : Stop::None;
}

std::int32_t RealRuntime::owned_pool(const Instr& in) {
  SharedPool& pl = pool(in.obj);
  const std::string& name = decl(in.obj).name;
  if (pl.state == 0)
    throw RuntimeError("pool `" + name + "` is not created yet (run {\"create_pool\": \"" + name +
                       "\"} first)");
  if (pl.creator != self_.pid)
    throw RuntimeError("pool `" + name + "` belongs to pid " + std::to_string(pl.creator) +
                       ": only the process that created a pool may use it");
  return in.obj;
}

RealRuntime::Job& RealRuntime::owned_job(const Value& handle, const Instr& in) {
  const auto* h = std::get_if<std::int64_t>(&handle);
  if (!h)
    throw RuntimeError(std::string(to_string(in.op)) + " needs a result handle (int), got " +
                       type_name(handle));
  auto it = jobs_.find(*h);
  if (it == jobs_.end())
    throw RuntimeError(std::string(to_string(in.op)) + ": " + self_.name +
                       " submitted no pool task with handle " + std::to_string(*h));
  Job& j = it->second;
  bool iterator = j.kind == OpCode::Imap || j.kind == OpCode::ImapUnordered;
  if (in.op == OpCode::Next && !iterator)
    throw RuntimeError("next: handle " + std::to_string(*h) +
                       " is not an imap or imap_unordered iterator");
  if (in.op == OpCode::GetResult && iterator)
    throw RuntimeError("get_result: handle " + std::to_string(*h) + " is an " + to_string(j.kind) +
                       " iterator: take its results with \"next\"");
  return j;
}

void RealRuntime::create_pool(Process& p, const Instr& in) {
  SharedPool& pl = pool(in.obj);
  if (pl.state != 0) throw RuntimeError("pool `" + decl(in.obj).name + "` was already created");
  if (p.daemon)
    throw RuntimeError(
        "a daemon process may not create a pool (daemonic processes are not allowed to have "
        "children)");
  if (p.pool >= 0) throw RuntimeError("a pool worker may not create a pool");
  pl.creator = p.pid;
  pl.created_ns = mono_ns();
  pl.state = 1;
  for (std::int32_t i = 0; i < decl(in.obj).processes; ++i) spawn_worker(in.obj);
}

std::int64_t RealRuntime::submit(Process& p, const Instr& in, const EvalContext& ctx) {
  std::int32_t i = owned_pool(in);
  SharedPool& pl = pool(i);
  const std::string& name = decl(i).name;
  if (pl.state != 1)
    throw RuntimeError(
        std::string(to_string(in.op)) + " on pool `" + name +
        "` after close_pool or terminate_pool (Python raises ValueError: Pool not running)");
  std::int64_t n = 1;
  if (mapping(in.op)) {
    n = in.amount.eval_int(ctx, "items");
    if (n < 0)
      throw RuntimeError("items must be >= 0, '" + in.amount.source() + "' is " +
                         std::to_string(n));
  }
  if (in.args.size() > static_cast<std::size_t>(kMaxTaskArgs))
    throw RuntimeError("a pool task carries at most " + std::to_string(kMaxTaskArgs) +
                       " args in real mode");
  std::vector<std::pair<std::string, Message>> args;
  for (const auto& [k, e] : in.args) {
    if (k.size() >= sizeof(TaskArg::name))
      throw RuntimeError("argument name `" + k + "` is too long for a pool task in real mode");
    Message m{};
    to_message(m, e.eval(ctx), "pool " + name);
    args.emplace_back(k, m);
  }
  Job j;
  j.id = sh_.pool.njobs.fetch_add(1) + 1;
  j.pool = i;
  j.kind = in.op;
  j.callback = in.callback;
  j.error_callback = in.error_callback;
  j.called = in.callback.empty() && in.error_callback.empty();
  for (std::int64_t item = 0; item < n; ++item) {
    std::int32_t id = sh_.pool.ntasks.fetch_add(1) + 1;
    if (id > kMaxPoolTasks)
      throw RuntimeError("real mode holds at most " + std::to_string(kMaxPoolTasks) +
                         " pool tasks per run");
    SharedTask& t = task(id);
    t.pool = i;
    t.job = static_cast<std::int32_t>(j.id);
    t.submitter = p.pid;
    t.kind = static_cast<std::int32_t>(in.op);
    t.item = item;
    t.error_text = -1;
    copy_name(t.program, sizeof t.program, in.object);
    t.nargs = static_cast<std::int32_t>(args.size());
    for (std::size_t k = 0; k < args.size(); ++k) {
      copy_name(t.args[k].name, sizeof t.args[k].name, args[k].first);
      t.args[k].value = args[k].second;
    }
    t.submitted_ns = mono_ns();
    j.tasks.push_back(id);
  }
  j.taken.assign(j.tasks.size(), false);
  {
    RunGuard g(sh_);
    for (std::int32_t id : j.tasks) {
      pl.queue[(pl.qhead + pl.qlen) % kMaxPoolTasks] = id;
      ++pl.qlen;
    }
  }
  bump(pl.task_seq);
  std::int64_t id = j.id;
  jobs_[id] = std::move(j);
  return id;
}

std::int32_t RealRuntime::state_of(std::int32_t id) {
  RunGuard g(sh_);
  return task(id).state;
}

bool RealRuntime::job_done(std::int64_t id) {
  for (std::int32_t t : jobs_.at(id).tasks)
    if (state_of(t) < 2) return false;
  return true;
}

std::string RealRuntime::task_error(std::int32_t id) {
  const SharedTask& t = task(id);
  if (t.error_text < 0) return "(error text lost: the run's text store is full)";
  const Text& tx = sh_.texts[t.error_text];
  return std::string(sh_.text_data + tx.offset, tx.length);
}

std::string RealRuntime::task_failed_message(const Job& j, std::int32_t id) {
  const SharedTask& t = task(id);
  return "task " + std::to_string(id) + " (" + t.program +
         (mapping(j.kind) ? ", item " + std::to_string(t.item) : std::string()) +
         ") failed: " + task_error(id);
}

std::string RealRuntime::failure(std::int64_t job) {
  const Job& j = jobs_.at(job);
  for (std::int32_t id : j.tasks)
    if (state_of(id) == 3) return task_failed_message(j, id);
  return {};
}

void RealRuntime::deliver(std::int64_t job, const std::string& into) {
  const Job& j = jobs_.at(job);
  if (j.kind == OpCode::Apply || j.kind == OpCode::ApplyAsync) {
    self_.vars.set(into, from_message(task(j.tasks[0]).result));
    return;
  }
  for (std::size_t i = 0; i < j.tasks.size(); ++i)
    self_.vars.set(into + "_" + std::to_string(i), from_message(task(j.tasks[i]).result));
}

std::int64_t RealRuntime::deadline_of(const Instr& in, const EvalContext& ctx) {
  if (!in.has_timeout) return -1;
  std::int64_t t = in.timeout.eval_int(ctx, "timeout");
  if (t < 0)
    throw RuntimeError("timeout must be >= 0, '" + in.timeout.source() + "' is " +
                       std::to_string(t));
  return mono_ns() + t * sh_.tick_ns;
}

bool RealRuntime::await_job(std::int64_t job, std::int64_t deadline) {
  return await_until(jobs_.at(job).pool, deadline, [&] { return job_done(job); });
}

// Sleeps until `ready()` or the deadline (< 0: none); meanwhile replaces
// workers that ended and runs the callbacks of other submissions.
template <class Ready>
bool RealRuntime::await_until(std::int32_t i, std::int64_t deadline, Ready ready) {
  SharedPool& pl = pool(i);
  bool waited = false;
  for (;;) {
    maintain();
    std::uint32_t seen = pl.done_seq.load();
    if (ready()) break;
    std::int64_t now = mono_ns();
    if (deadline >= 0 && now >= deadline) break;
    if (!waited) {
      waited = true;
      set_activity(kTimedWait, 0);
      record(sh_, self_.pid, EventKind::State, static_cast<int>(ProcState::Blocked),
             static_cast<std::int32_t>(BlockReason::Event));
    }
    std::int64_t until =
        now + (pl.retiring > 0 ? 100000 : kPoolPollNs);  // a retiring worker: replace it soon
    if (deadline >= 0) until = std::min(until, deadline);
    sleep_on(pl.done_seq, seen, until);
    run_callbacks();
  }
  if (waited) {
    running(self_.pid);
    set_activity(kActive, 0);
    waited_ = true;
  }
  return ready();
}

// Callbacks of finished async submissions, in handle order, in this process
// (at an operation boundary or while it waits on the pool).
void RealRuntime::run_callbacks() {
  for (auto& [id, j] : jobs_) {
    if (j.called || !job_done(id)) continue;
    j.called = true;
    std::string fail = failure(id);
    const std::string& name = fail.empty() ? j.callback : j.error_callback;
    if (name.empty()) continue;
    if (!fail.empty())
      self_.vars.set("error", Value{fail});
    else if (j.kind == OpCode::ApplyAsync)
      self_.vars.set("result", from_message(task(j.tasks[0]).result));
    else
      for (std::size_t i = 0; i < j.tasks.size(); ++i)
        self_.vars.set("result_" + std::to_string(i), from_message(task(j.tasks[i]).result));
    run_callback(name, id);
  }
}

void RealRuntime::run_callback(const std::string& name, std::int64_t job) {
  const Program& cb = *setup_.scenario->programs.at(name);
  const Program* saved_program = self_.program;
  std::int32_t saved_pc = self_.pc;
  LoopCounters saved_loops = self_.loop_counters;
  self_.program = &cb;
  self_.pc = 0;
  self_.loop_counters.reset(static_cast<std::size_t>(cb.loop_slots));
  ProcessContext ctx(*this, self_);
  std::string error;
  std::int64_t ops = 0;
  for (;;) {
    const Instr& in = cb.code[static_cast<std::size_t>(self_.pc)];
    if (in.op == OpCode::End || in.op == OpCode::Return) break;
    try {
      if (++ops > 1000000) throw RuntimeError("runaway loop: more than 1000000 operations");
      step(self_, in, ctx);
    } catch (const RuntimeError& e) {
      error = in.path + ": " + e.what();
      break;
    }
  }
  self_.program = saved_program;
  self_.pc = saved_pc;
  self_.loop_counters = saved_loops;
  if (!error.empty())
    fail("callback `" + name + "` of handle " + std::to_string(job) + ": " + error);
}

// A submitter's operation boundary: callbacks of finished submissions run,
// and a worker that retired (maxtasksperchild) is replaced.
void RealRuntime::at_boundary() {
  bool pending = false;
  for (const auto& [id, j] : jobs_) pending = pending || !j.called;
  if (pending) run_callbacks();
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(loops_.size()); ++i)
    if (pool(i).creator == self_.pid && pool(i).retiring > 0) maintain();
}

// Like CPython's maintenance thread, run by the creator whenever it waits on
// a pool or a worker is retiring: a worker that ended fails the task it
// ran, and is reaped and replaced while the pool runs or has queued tasks.
void RealRuntime::maintain() {
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(loops_.size()); ++i) {
    SharedPool& pl = pool(i);
    if (pl.creator != self_.pid || (pl.state != 1 && pl.state != 2)) continue;
    for (std::int32_t k = 0; k < pl.nworkers; ++k) {
      Pid w = pl.workers[k];
      auto it = kids_.find(w);
      if (it == kids_.end() || it->second.state == ProcState::Reaped || ended_.count(w)) continue;
      Process& c = it->second;
      refresh(c);
      if (c.alive()) continue;
      ended_.insert(w);
      {
        RunGuard g(sh_);
        if (pl.retiring > 0 && c.stats.exit_code == 0) --pl.retiring;
      }
      fail_running(i, w,
                   "worker " + std::to_string(w) + " ended (exit code " +
                       std::to_string(c.stats.exit_code) + ") while running the task");
      // A worker whose initializer failed is not replaced (CPython would, forever).
      bool replace =
          (pl.state == 1 || pl.qlen > 0) && (decl(i).initializer.empty() || pl.initialised[k]);
      if (replace) {
        reap(c, false);
        spawn_worker(i);
      }
    }
  }
}

void RealRuntime::fail_running(std::int32_t i, Pid w, const std::string& why) {
  bool any = false;
  {
    RunGuard g(sh_);
    std::int32_t n = std::min(sh_.pool.ntasks.load(), kMaxPoolTasks);
    for (std::int32_t id = 1; id <= n; ++id) {
      SharedTask& t = task(id);
      if (t.pool != i || t.state != 1 || (w != kNoPid && t.worker != w)) continue;
      t.state = 3;
      t.finished_ns = mono_ns();
      t.error_text = store_text(sh_, self_.pid, true, why);
      any = true;
    }
  }
  if (any) bump(pool(i).done_seq);
}

void RealRuntime::next(Process& p, const Instr& in, const EvalContext& ctx) {
  Job& j = owned_job(in.handle.eval(ctx), in);
  auto answer = [&](bool ok, const std::string& why) {
    if (!ok && in.flag.empty()) throw RuntimeError(why);
    if (!in.flag.empty()) p.vars.set(in.flag, Value{ok});
  };
  if (j.consumed == j.tasks.size())
    return answer(
        false,
        "next: iterator " + std::to_string(j.id) +
            " is exhausted (Python raises StopIteration; give \"ok\" to test for it instead)");
  auto pick = [&]() -> std::int32_t {
    if (j.kind == OpCode::Imap) return state_of(j.tasks[j.consumed]) >= 2 ? j.tasks[j.consumed] : 0;
    std::int32_t best = 0;
    RunGuard g(sh_);
    for (std::size_t k = 0; k < j.tasks.size(); ++k) {
      const SharedTask& t = task(j.tasks[k]);
      if (j.taken[k] || t.state < 2) continue;
      if (best == 0 || t.finished_ns < task(best).finished_ns) best = j.tasks[k];
    }
    return best;
  };
  std::int32_t id = 0;
  await_until(j.pool, deadline_of(in, ctx), [&] { return (id = pick()) != 0; });
  run_callbacks();
  if (id == 0)
    return answer(
        false,
        "next on iterator " + std::to_string(j.id) +
            " timed out (Python raises multiprocessing.TimeoutError; give \"ok\" to test for it "
            "instead)");
  for (std::size_t k = 0; k < j.tasks.size(); ++k)
    if (j.tasks[k] == id) j.taken[k] = true;
  ++j.consumed;
  if (state_of(id) == 3) return answer(false, task_failed_message(j, id));
  p.vars.set(in.target, from_message(task(id).result));
  answer(true, "");
}

void RealRuntime::join_pool(const Instr& in) {
  std::int32_t i = owned_pool(in);
  SharedPool& pl = pool(i);
  if (pl.state == 1)
    throw RuntimeError("join_pool on pool `" + decl(i).name +
                       "` before close_pool or terminate_pool (Python raises ValueError: Pool is "
                       "still running)");
  for (;;) {
    maintain();
    Process* live = nullptr;
    for (std::int32_t k = 0; k < pl.nworkers && !live; ++k) {
      auto it = kids_.find(pl.workers[k]);
      if (it == kids_.end() || it->second.state == ProcState::Reaped) continue;
      refresh(it->second);
      if (it->second.alive()) {
        live = &it->second;
      } else {
        // Seen dead here first: maintain() fails its task on the next turn, then reap.
        if (!ended_.count(it->first) && pl.state != 3) {
          live = &it->second;
          break;
        }
        reap(it->second, false);  // as in the simulator, which reaps at once: no /proc look
      }
    }
    if (!live) break;
    if (live->alive()) {
      await_exit(self_, *live, kNever);
      waited_ = true;
    }
  }
}

void RealRuntime::terminate_pool(const Instr& in) {
  std::int32_t i = owned_pool(in);
  SharedPool& pl = pool(i);
  if (pl.state == 3) return;
  for (auto& [id, j] : jobs_)
    if (j.pool == i) j.called = true;  // no callback runs after terminate_pool
  {
    RunGuard g(sh_);
    pl.state = 3;
    std::int32_t why =
        store_text(sh_, self_.pid, true, "the pool was terminated before the task started");
    for (; pl.qlen > 0; --pl.qlen, pl.qhead = (pl.qhead + 1) % kMaxPoolTasks) {
      SharedTask& t = task(pl.queue[pl.qhead]);
      t.state = 3;
      t.finished_ns = mono_ns();
      t.error_text = why;
    }
  }
  for (std::int32_t k = 0; k < pl.nworkers; ++k) {
    auto it = kids_.find(pl.workers[k]);
    if (it == kids_.end() || it->second.state == ProcState::Reaped) continue;
    signal_process(it->second, 15, self_.pid);  // SIGTERM, like CPython; waits until it is dead
    ended_.insert(it->first);
  }
  fail_running(i, kNoPid, "the pool was terminated while the task ran");
  bump(pl.task_seq);
}

}  // namespace mpsim::os::detail
