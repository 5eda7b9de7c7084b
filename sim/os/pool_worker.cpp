// Process pools in real mode (semantics.md §13; docs/real-os.md#pools), the
// worker's side: forking a worker, its built-in loop (PoolWork) that takes
// queued tasks, and how a task (or the initializer) ends and its result is
// posted. Apart from pool_real.cpp because it runs in the worker, not the
// creator.
#include <string>
#include <utility>

#include "os/pool_sync.hpp"
#include "os/real_runtime.hpp"

namespace mpsim::os::detail {

// A worker is forked from the creator (a copy of its variables), daemonic.
void RealRuntime::spawn_worker(std::int32_t i) {
  SharedPool& pl = pool(i);
  if (pl.nworkers >= kMaxPoolWorkers)
    throw RuntimeError("pool `" + decl(i).name + "`: real mode forks at most " +
                       std::to_string(kMaxPoolWorkers) +
                       " workers per pool, replacements included");
  Pid pid = next_pid();
  std::string name = decl(i).name + "-worker-" + std::to_string(pl.nworkers + 1);
  const bool init = !decl(i).initializer.empty();
  const Program& first = init ? *setup_.scenario->programs.at(decl(i).initializer)
                              : *loops_[static_cast<std::size_t>(i)];
  Process& w = create_process(self_.pid, first, std::move(name), self_.vars);
  w.daemon = true;
  w.stats.daemon = true;
  w.pool = i;
  w.task = init ? kInitializerTask : -1;
  {
    RunGuard g(sh_);
    pl.workers[pl.nworkers++] = pid;
  }
  start_process(w);  // throws BecomeChild in the new worker
}

// The worker's built-in operation: take the oldest queued task; with none,
// retire when the pool is closed or its creator gone, else sleep idle.
Stop RealRuntime::work(Process& w) {
  SharedPool& pl = pool(w.pool);
  bool waited = false;
  for (;;) {
    std::int32_t id = 0;
    std::uint32_t seen = 0;
    bool creator_gone = getppid() != static_cast<pid_t>(slot(pl.creator).real_pid.load());
    {
      RunGuard g(sh_);
      seen = pl.task_seq.load();
      if (!creator_gone && pl.qlen > 0) {
        id = pl.queue[pl.qhead];
        pl.qhead = (pl.qhead + 1) % kMaxPoolTasks;
        --pl.qlen;
        SharedTask& t = task(id);
        t.state = 1;
        t.worker = w.pid;
        t.started_ns = mono_ns();
      }
    }
    if (id > 0 || creator_gone || pl.state != 1) {
      if (waited) {
        running(w.pid);
        set_activity(kActive, 0);
      }
      if (id > 0)
        start_task(w, id);
      else
        ++w.pc;  // to End: exit with code 0
      return Stop::None;
    }
    if (!waited) {
      waited = true;
      set_activity(kTimedWait, 0);  // the creator (or its death) ends it: not a hang
      record(sh_, w.pid, EventKind::State, static_cast<int>(ProcState::Blocked),
             static_cast<std::int32_t>(BlockReason::Queue));
    }
    sleep_on(pl.task_seq, seen, mono_ns() + kPoolPollNs);
  }
}

void RealRuntime::start_task(Process& w, std::int32_t id) {
  SharedTask& t = task(id);
  w.task = id;
  w.program = setup_.scenario->programs.at(t.program).get();
  w.pc = 0;
  w.loop_counters.reset(static_cast<std::size_t>(w.program->loop_slots));
  for (std::int32_t k = 0; k < t.nargs; ++k)
    w.vars.set(t.args[k].name, from_message(t.args[k].value));
  if (mapping(static_cast<OpCode>(t.kind))) w.vars.set("item", Value{t.item});
}

Stop RealRuntime::task_end(Process& w, const Instr& in, const EvalContext& ctx) {
  if (in.op == OpCode::Exit)
    throw RuntimeError(
        w.task == kInitializerTask
            ? "exit in a pool initializer (the pool would replace the worker forever)"
            : "exit in a pool task (the worker would die and the task be lost)");
  if (w.task == kInitializerTask) {  // initialised: on to the loop
    SharedPool& pl = pool(w.pool);
    {
      RunGuard g(sh_);
      for (std::int32_t k = 0; k < pl.nworkers; ++k)
        if (pl.workers[k] == w.pid) pl.initialised[k] = 1;
    }
    w.task = -1;
    w.program = loops_[static_cast<std::size_t>(w.pool)].get();
    w.pc = 0;
    w.loop_counters.reset(0);
    return Stop::None;
  }
  if (w.task == -1) {  // `return` outside a task ends the program
    w.pc = static_cast<std::int32_t>(w.program->code.size()) - 1;
    return Stop::None;
  }
  Value v = in.op == OpCode::Return ? in.amount.eval(ctx) : Value{std::string("None")};
  finish_task(w, true, std::move(v), "");
  return Stop::None;
}

// The task the worker runs has returned or failed: post it, go back to the loop.
void RealRuntime::finish_task(Process& w, bool ok, const Value& v, std::string error) {
  std::int32_t id = w.task;
  SharedPool& pl = pool(w.pool);
  Message m{};
  if (ok) {
    try {
      to_message(m, v, "pool " + decl(w.pool).name);
    } catch (const RuntimeError& e) {
      ok = false;
      error = e.what();
    }
  }
  std::int32_t err = ok ? -1 : store_text(sh_, w.pid, true, error);
  w.task = -1;
  w.program = loops_[static_cast<std::size_t>(w.pool)].get();
  w.pc = 0;
  w.loop_counters.reset(0);
  std::int64_t max = decl(w.pool).maxtasksperchild;
  bool retire = max > 0 && ++tasks_done_ >= max;
  {
    RunGuard g(sh_);
    SharedTask& t = task(id);
    t.result = m;
    t.error_text = err;
    t.finished_ns = mono_ns();
    t.state = ok ? 2 : 3;
    if (retire) ++pl.retiring;
  }
  if (retire) w.pc = 1;  // to End: exit with code 0, the creator forks a replacement
  bump(pl.done_seq);
}

}  // namespace mpsim::os::detail
