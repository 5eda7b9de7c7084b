// One scenario process in real-OS mode: the shared interpreter
// (Runtime::step) driven by real time, with each operation that touches the
// machine done by the kernel: fork, waitid/wait4, kill, clock_nanosleep,
// synchronisation objects in shared memory with futex waits
// (sync_objects.cpp), JSON files. Runs only in forked children; every way
// out ends in _exit, so nothing of the parent (buffers, atexit) runs twice.
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "os/pidfd_wait.hpp"
#include "os/shared.hpp"
#include "os/sync_objects.hpp"

namespace mpsim::os::detail {

using mpsim::detail::ProcessContext;
using mpsim::detail::Runtime;
using mpsim::detail::Stop;

std::int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

namespace {

std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void sleep_until(std::int64_t deadline_ns) {
  timespec ts{static_cast<time_t>(deadline_ns / 1000000000), static_cast<long>(deadline_ns % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

void copy_name(char* dst, std::size_t n, const std::string& s) {
  std::size_t len = std::min(n - 1, s.size());
  std::memcpy(dst, s.data(), len);
  dst[len] = '\0';
}

/// Thrown in a freshly forked child: unwind the parent's interpreter and run the child.
struct BecomeChild {
  Pid pid;
};

char proc_state(std::int64_t real_pid) {
  std::ifstream f("/proc/" + std::to_string(real_pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return '?';
  auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return '?';
  return line[close + 2];
}

// Time on a CPU and time runnable but waiting for one, in ns, from the kernel.
std::pair<std::int64_t, std::int64_t> schedstat() {
  std::ifstream f("/proc/self/schedstat");
  std::int64_t run = 0, wait = 0;
  if (!(f >> run >> wait)) return {-1, -1};
  return {run, wait};
}

Value from_json(const nlohmann::json& j) {
  if (j.is_boolean()) return Value{j.get<bool>()};
  if (j.is_number_integer()) return Value{j.get<std::int64_t>()};
  if (j.is_string()) return Value{j.get<std::string>()};
  throw RuntimeError("unexpected JSON value " + j.dump());
}

nlohmann::json to_json(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return std::get<std::string>(v);
}

// A pool's idle workers and its waiting creator look again this often (the
// creator's death, a worker's): a futex wake normally ends the wait first.
constexpr std::int64_t kPoolPollNs = 20000000;

/// The run's guard mutex (robust, process-shared), for the pool tables.
class PoolLock {
 public:
  explicit PoolLock(Shared& sh) : m_(&sh.sync_guard) {
    if (pthread_mutex_lock(m_) == EOWNERDEAD) pthread_mutex_consistent(m_);
  }
  ~PoolLock() { pthread_mutex_unlock(m_); }
  PoolLock(const PoolLock&) = delete;
  PoolLock& operator=(const PoolLock&) = delete;

 private:
  pthread_mutex_t* m_;
};

void bump(std::atomic<std::uint32_t>& word) {
  word.fetch_add(1);
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, INT32_MAX, nullptr,
          nullptr, 0);
}

// Sleeps while `word` still holds `seen`, at most until `deadline_ns` (CLOCK_MONOTONIC).
void sleep_on(std::atomic<std::uint32_t>& word, std::uint32_t seen, std::int64_t deadline_ns) {
  timespec ts{static_cast<time_t>(deadline_ns / 1000000000),
              static_cast<long>(deadline_ns % 1000000000)};
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_BITSET, seen, &ts, nullptr,
          FUTEX_BITSET_MATCH_ANY);
}

class RealRuntime final : public Runtime, public SyncHost {
 public:
  RealRuntime(const Setup& s, Process p) : setup_(s), sh_(*s.shared), self_(std::move(p)) {
    string_limit = s.max_string_bytes;
    for (const PoolDecl& d : s.scenario->pools) {
      auto loop = std::make_shared<Program>();
      loop->name = "pool:" + d.name;
      Instr work;
      work.op = OpCode::PoolWork;
      work.obj = static_cast<std::int32_t>(loops_.size());
      work.path = d.path;
      Instr end;
      end.op = OpCode::End;
      end.path = d.path;
      loop->code = {work, end};
      loops_.push_back(std::move(loop));
    }
  }

  [[noreturn]] void run() {
    enter();
    std::int64_t ops = 0;
    std::int64_t max_ops = 100000;
    for (;;) {
      ProcessContext ctx(*this, self_);
      const Instr& in = self_.program->code[static_cast<std::size_t>(self_.pc)];
      Stop stop = Stop::None;
      try {
        if (ops++ == max_ops)
          throw RuntimeError("runaway loop: more than " + std::to_string(max_ops) +
                             " zero-time operations at one tick without consuming time");
        refresh_parent();
        track();
        if (!jobs_.empty()) at_boundary();
        stop = step(self_, in, ctx);
      } catch (const RuntimeError& e) {
        // A pool task failed: the task ends, its worker goes on (semantics.md §13).
        if (self_.task > 0) {
          finish_task(self_, false, Value{}, in.path + ": " + e.what());
          continue;
        }
        fail(in.path + ": " + e.what());
      } catch (const BecomeChild& c) {
        become(c.pid);
        ops = 0;
        continue;
      }
      if (stop == Stop::None) continue;
      ops = 0;
      if (stop == Stop::Compute) {
        burn(self_.remaining);
        self_.remaining = 0;
        ++self_.pc;
      }
    }
  }

  // --- Runtime ---
  const Scenario& scenario() const override { return *setup_.scenario; }

  Tick now() const override {
    return static_cast<Tick>(std::llround(static_cast<double>(mono_ns() - sh_.t0_ns) / static_cast<double>(sh_.tick_ns)));
  }

  Process* lookup(std::int64_t pid) override {
    if (pid == self_.pid) return &self_;
    if (auto it = kids_.find(static_cast<Pid>(pid)); it != kids_.end()) {
      refresh(it->second);
      return &it->second;
    }
    if (pid < 2 || pid >= sh_.cap || !slot(static_cast<Pid>(pid)).used.load()) return nullptr;
    Process& stub = others_[static_cast<Pid>(pid)];  // someone else's process: for messages only
    stub.pid = static_cast<Pid>(pid);
    stub.name = slot(stub.pid).name;
    stub.original_parent = slot(stub.pid).parent;
    return &stub;
  }

  Pid next_pid() override {
    std::int32_t pid = sh_.next_pid.fetch_add(1);
    if (pid >= sh_.cap) {
      sh_.next_pid.fetch_sub(1);
      throw RuntimeError("process limit reached: a real run may create at most " + std::to_string(sh_.cap - 2) +
                         " processes (--max-procs)");
    }
    reserved_ = pid;
    return pid;
  }

  Process& create_process(Pid parent, const Program& program, std::string name, Variables vars) override {
    Pid pid = reserved_;  // reserved by next_pid just before (others may have reserved since)
    Process& c = kids_[pid];
    c.begin(pid, parent, std::move(name), program, std::move(vars));
    c.priority = self_.priority;
    c.nice = self_.nice;
    c.tickets = self_.tickets;
    c.affinity = self_.affinity;
    self_.children.push_back(pid);
    Slot& s = slot(pid);
    s.parent = parent;
    s.cur_core = -1;
    copy_name(s.name, sizeof s.name, c.name);
    copy_name(s.program, sizeof s.program, program.name);
    s.used.store(1);
    return c;
  }

  void start_process(Process& c) override {
    Slot& s = slot(c.pid);
    s.daemon = c.daemon ? 1 : 0;
    s.arrival_ns = mono_ns();
    c.started = true;
    c.state = ProcState::Ready;
    s.started.store(1);
    record(sh_, c.pid, EventKind::Spawn, 0, self_.pid);
    pid_t r = fork();
    if (r < 0) {
      s.reaped.store(1);
      c.state = ProcState::Reaped;
      throw RuntimeError(std::string("fork failed: ") + std::strerror(errno));
    }
    if (r == 0) throw BecomeChild{c.pid};
    s.real_pid.store(r);
  }

  void signal_process(Process& c, int signo, Pid sender) override {
    refresh(c);
    if (!c.alive()) return;  // already exited: nothing happens, as in the simulator
    std::int64_t real = slot(c.pid).real_pid.load();
    record(sh_, c.pid, EventKind::Signal, signo, sender);
    doom(sh_, c.pid);  // from now on it is terminated: nothing is handed to it any more
    ::kill(static_cast<pid_t>(real), signo);
    siginfo_t si{};
    // Our own child: wait (without reaping) until it is dead, so it is a zombie from here on.
    while (waitid(P_PID, static_cast<id_t>(real), &si, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    log_exit(c.pid, mono_ns(), exit_code_of(c.pid, si));
    abandon_waits(sh_, c.pid);  // a terminated waiter leaves its wait list, as in the simulator
    refresh(c);
  }

  void print(Process& p, std::string text) override {
    std::int32_t t = store_text(sh_, p.pid, false, text);
    record(sh_, p.pid, EventKind::Print, 0, t);
  }

  void block(Process& p, BlockReason why, Tick duration) override {
    std::int64_t start = mono_ns();
    set_activity(kTimedWait, 0);
    record(sh_, p.pid, EventKind::State, static_cast<int>(ProcState::Blocked), static_cast<std::int32_t>(why));
    std::int64_t deadline = start + duration * sh_.tick_ns;
    sleep_until(deadline);
    // Runnable from the deadline on; running once the scheduler picked it.
    record(sh_, p.pid, EventKind::State, static_cast<int>(ProcState::Ready), 0, -1, deadline);
    running(p.pid);
    set_activity(kActive, 0);
  }

  bool yield_core(Process&) override {
    sched_yield();
    return true;
  }

  Stop wait_child(Process& p, Process& c, Tick timeout) override {
    if (c.state == ProcState::Reaped) return Stop::None;
    refresh(c);
    // Exited before the join began: it has been a zombie, and /proc must say so.
    bool was_zombie = !c.alive();
    if (!was_zombie) {
      if (timeout == 0) return Stop::None;
      if (!await_exit(p, c, timeout)) return Stop::None;  // timed out: nothing reaped
    }
    reap(c, was_zombie);
    return Stop::None;
  }

  Stop exit_sequence(Process& p) override {
    if (setup_.scenario->machine.exit_semantics == ExitSemantics::Python) {
      for (Pid k : p.children) {
        Process& c = kids_.at(k);
        if (c.daemon && c.started) signal_process(c, 15, p.pid);
      }
      for (Pid k : p.children) {
        Process& c = kids_.at(k);
        if (!c.started || c.state == ProcState::Reaped) continue;
        refresh(c);
        bool was_zombie = !c.alive();
        if (!was_zombie) await_exit(p, c, kNever);
        reap(c, was_zombie);
      }
      finish(p.exit_request, false);
    }
    finish(p.exit_request, true);
  }

  std::optional<Value> read_key(Process& p, const std::string& object) override {
    auto [file, key] = split(object);
    nlohmann::json doc = load(file);
    record(sh_, p.pid, EventKind::Sync, static_cast<int>(SyncOp::Read), 0, key_index(object));
    if (!doc.is_object() || !doc.contains(key)) return std::nullopt;
    return from_json(doc[key]);
  }

  void write_key(Process& p, const std::string& object, Value v) override {
    auto [file, key] = split(object);
    // Read the whole file, change one key, write it whole: the same window
    // for lost updates as the seed's Python (json.load, then json.dump).
    nlohmann::json doc = load(file);
    doc[key] = to_json(v);
    std::string path = setup_.folder + "/" + file + ".json";
    std::string tmp = setup_.folder + "/." + file + "." + std::to_string(getpid()) + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << doc.dump();
      out.close();  // a full disk shows only when the buffer is flushed
      if (!out) {
        std::string why = std::strerror(errno);
        ::unlink(tmp.c_str());  // the old file stays whole: never half-written
        throw RuntimeError("write of " + object + ": cannot write " + tmp + " (" + why + ")");
      }
    }
    replace_file(tmp, path, object);
    record(sh_, p.pid, EventKind::Sync, static_cast<int>(SyncOp::Write), 0, key_index(object));
  }

  Stop sync_step(Process& p, const Instr& in, const EvalContext& ctx) override {
    return real_sync_step(sh_, *setup_.scenario, p, in, ctx, *this);
  }
  Stop pipe_step(Process& p, const Instr& in, const EvalContext& ctx) override {
    return real_pipe_step(sh_, *setup_.scenario, p, in, ctx, *this);
  }

  // --- process pools (semantics.md §13; docs/real-os.md#pools) ---
  Stop pool_step(Process& p, const Instr& in, const EvalContext& ctx) override {
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
          PoolLock g(sh_);
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

 private:
  struct Job {
    std::int64_t id = 0;
    std::int32_t pool = -1;
    OpCode kind = OpCode::Apply;
    std::vector<std::int32_t> tasks;
    std::string callback, error_callback;
    bool called = false;      // its callback ran (or never will)
    std::vector<bool> taken;  // imap: results given by `next`
    std::size_t consumed = 0;
  };

  SharedPool& pool(std::int32_t i) { return sh_.pool.pools[i]; }
  SharedTask& task(std::int32_t id) { return sh_.pool.tasks[id - 1]; }
  const PoolDecl& decl(std::int32_t i) const {
    return setup_.scenario->pools[static_cast<std::size_t>(i)];
  }

  static bool mapping(OpCode op) {
    return op == OpCode::Map || op == OpCode::MapAsync || op == OpCode::Imap ||
           op == OpCode::ImapUnordered;
  }

  std::int32_t owned_pool(const Instr& in) {
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

  Job& owned_job(const Value& handle, const Instr& in) {
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
      throw RuntimeError("get_result: handle " + std::to_string(*h) + " is an " +
                         to_string(j.kind) + " iterator: take its results with \"next\"");
    return j;
  }

  void create_pool(Process& p, const Instr& in) {
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

  // A worker is forked from the creator (a copy of its variables), daemonic.
  void spawn_worker(std::int32_t i) {
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
      PoolLock g(sh_);
      pl.workers[pl.nworkers++] = pid;
    }
    start_process(w);  // throws BecomeChild in the new worker
  }

  // The worker's built-in operation: take the oldest queued task; with none,
  // retire when the pool is closed or its creator gone, else sleep idle.
  Stop work(Process& w) {
    SharedPool& pl = pool(w.pool);
    bool waited = false;
    for (;;) {
      std::int32_t id = 0;
      std::uint32_t seen = 0;
      bool creator_gone = getppid() != static_cast<pid_t>(slot(pl.creator).real_pid.load());
      {
        PoolLock g(sh_);
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

  void start_task(Process& w, std::int32_t id) {
    SharedTask& t = task(id);
    w.task = id;
    w.program = setup_.scenario->programs.at(t.program).get();
    w.pc = 0;
    w.loop_counters.reset(static_cast<std::size_t>(w.program->loop_slots));
    for (std::int32_t k = 0; k < t.nargs; ++k)
      w.vars.set(t.args[k].name, from_message(t.args[k].value));
    if (mapping(static_cast<OpCode>(t.kind))) w.vars.set("item", Value{t.item});
  }

  Stop task_end(Process& w, const Instr& in, const EvalContext& ctx) {
    if (in.op == OpCode::Exit)
      throw RuntimeError(
          w.task == kInitializerTask
              ? "exit in a pool initializer (the pool would replace the worker forever)"
              : "exit in a pool task (the worker would die and the task be lost)");
    if (w.task == kInitializerTask) {  // initialised: on to the loop
      SharedPool& pl = pool(w.pool);
      {
        PoolLock g(sh_);
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
  void finish_task(Process& w, bool ok, const Value& v, std::string error) {
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
      PoolLock g(sh_);
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

  std::int64_t submit(Process& p, const Instr& in, const EvalContext& ctx) {
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
      PoolLock g(sh_);
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

  std::int32_t state_of(std::int32_t id) {
    PoolLock g(sh_);
    return task(id).state;
  }

  bool job_done(std::int64_t id) {
    for (std::int32_t t : jobs_.at(id).tasks)
      if (state_of(t) < 2) return false;
    return true;
  }

  std::string task_error(std::int32_t id) {
    const SharedTask& t = task(id);
    if (t.error_text < 0) return "(error text lost: the run's text store is full)";
    const Text& tx = sh_.texts[t.error_text];
    return std::string(sh_.text_data + tx.offset, tx.length);
  }

  std::string task_failed_message(const Job& j, std::int32_t id) {
    const SharedTask& t = task(id);
    return "task " + std::to_string(id) + " (" + t.program +
           (mapping(j.kind) ? ", item " + std::to_string(t.item) : std::string()) +
           ") failed: " + task_error(id);
  }

  std::string failure(std::int64_t job) {
    const Job& j = jobs_.at(job);
    for (std::int32_t id : j.tasks)
      if (state_of(id) == 3) return task_failed_message(j, id);
    return {};
  }

  void deliver(std::int64_t job, const std::string& into) {
    const Job& j = jobs_.at(job);
    if (j.kind == OpCode::Apply || j.kind == OpCode::ApplyAsync) {
      self_.vars.set(into, from_message(task(j.tasks[0]).result));
      return;
    }
    for (std::size_t i = 0; i < j.tasks.size(); ++i)
      self_.vars.set(into + "_" + std::to_string(i), from_message(task(j.tasks[i]).result));
  }

  std::int64_t deadline_of(const Instr& in, const EvalContext& ctx) {
    if (!in.has_timeout) return -1;
    std::int64_t t = in.timeout.eval_int(ctx, "timeout");
    if (t < 0)
      throw RuntimeError("timeout must be >= 0, '" + in.timeout.source() + "' is " +
                         std::to_string(t));
    return mono_ns() + t * sh_.tick_ns;
  }

  bool await_job(std::int64_t job, std::int64_t deadline) {
    return await_until(jobs_.at(job).pool, deadline, [&] { return job_done(job); });
  }

  // Sleeps until `ready()` or the deadline (< 0: none); meanwhile replaces
  // workers that ended and runs the callbacks of other submissions.
  template <class Ready>
  bool await_until(std::int32_t i, std::int64_t deadline, Ready ready) {
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

  void received_callbacks() { run_callbacks(); }

  // Callbacks of finished async submissions, in handle order, in this process
  // (at an operation boundary or while it waits on the pool).
  void run_callbacks() {
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

  void run_callback(const std::string& name, std::int64_t job) {
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
  void at_boundary() {
    bool pending = false;
    for (const auto& [id, j] : jobs_) pending = pending || !j.called;
    if (pending) run_callbacks();
    for (std::int32_t i = 0; i < static_cast<std::int32_t>(loops_.size()); ++i)
      if (pool(i).creator == self_.pid && pool(i).retiring > 0) maintain();
  }

  // Like CPython's maintenance thread, run by the creator whenever it waits on
  // a pool or a worker is retiring: a worker that ended fails the task it
  // ran, and is reaped and replaced while the pool runs or has queued tasks.
  void maintain() {
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
          PoolLock g(sh_);
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

  void fail_running(std::int32_t i, Pid w, const std::string& why) {
    bool any = false;
    {
      PoolLock g(sh_);
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

  void next(Process& p, const Instr& in, const EvalContext& ctx) {
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
      if (j.kind == OpCode::Imap)
        return state_of(j.tasks[j.consumed]) >= 2 ? j.tasks[j.consumed] : 0;
      std::int32_t best = 0;
      PoolLock g(sh_);
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

  void join_pool(const Instr& in) {
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

  void terminate_pool(const Instr& in) {
    std::int32_t i = owned_pool(in);
    SharedPool& pl = pool(i);
    if (pl.state == 3) return;
    for (auto& [id, j] : jobs_)
      if (j.pool == i) j.called = true;  // no callback runs after terminate_pool
    {
      PoolLock g(sh_);
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

  std::vector<std::shared_ptr<Program>> loops_;  // each pool's worker loop (PoolWork, End)
  std::map<std::int64_t, Job> jobs_;             // this process's submissions, by handle
  std::set<Pid> ended_;                          // workers whose end maintain() has handled
  std::int64_t tasks_done_ = 0;                  // a worker: tasks it finished (maxtasksperchild)
  bool waited_ = false;                          // the pool operation under way had to wait

 public:
  // --- SyncHost ---
  void blocked(BlockReason why, std::int32_t object, bool timed) override {
    set_activity(timed ? kTimedWait : kSyncWait, object);
    record(sh_, self_.pid, EventKind::State, static_cast<int>(ProcState::Blocked), static_cast<std::int32_t>(why),
           static_cast<std::int16_t>(object));
  }

  void resumed() override {
    running(self_.pid);
    set_activity(kActive, 0);
  }

 private:
  Slot& slot(Pid pid) { return sh_.slots[pid]; }

  // A new process: its own settings, then it is running.
  void enter() {
    Slot& s = slot(self_.pid);
    s.sched_run_ns = -1;
    s.last_cpu = -1;
    s.real_pid.store(getpid());
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    if (sh_.guardian_fd >= 0) ::close(sh_.guardian_fd);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    if (s.daemon) {
      // Dies with its parent even if the parent is killed (docs/real-os.md).
      pid_t expected = self_.parent == kInitPid ? static_cast<pid_t>(sh_.runner_pid)
                                                : static_cast<pid_t>(slot(self_.parent).real_pid.load());
      prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
      if (getppid() != expected) raise(SIGTERM);
    }
    if (setup_.policy != SCHED_OTHER) {
      sched_param sp{};
      sp.sched_priority = setup_.rt_priority;
      rlimit rl{static_cast<rlim_t>(setup_.rttime_us), static_cast<rlim_t>(setup_.rttime_us)};
      setrlimit(RLIMIT_RTTIME, &rl);
      sched_param now{};
      // The runner already made its children real-time (so they queue in
      // arrival order); children of scenario processes inherit it with fork.
      bool differs = sched_getscheduler(0) != setup_.policy ||
                     (sched_getparam(0, &now) == 0 && now.sched_priority != sp.sched_priority);
      if (differs && sched_setscheduler(0, setup_.policy, &sp) != 0) sh_.policy_failed.store(1);
      if (setup_.policy == SCHED_RR && sh_.rr_interval_ns.load() == 0) {
        timespec ts{};
        if (sched_rr_get_interval(0, &ts) == 0)
          sh_.rr_interval_ns.store(static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec);
      }
    }
    // Under the normal scheduler a process's nice is the kernel's too, so the
    // scenario's weights (the cfs policy's) are the real ones.
    // lottery and stride: the tickets become CFS weights (ticket_nice).
    std::int64_t nice =
        setup_.max_tickets > 0 ? ticket_nice(self_.tickets, setup_.max_tickets) : self_.nice;
    if (setup_.policy == SCHED_OTHER && nice != 0 &&
        setpriority(PRIO_PROCESS, 0, static_cast<int>(nice)) != 0)
      sh_.nice_failed.store(1);
    // An initial process waits until every process due with it is forked
    // (Runner::open_gates), so that those arriving together start together.
    auto* hold = reinterpret_cast<std::uint32_t*>(&s.hold);
    while (s.hold.load() != 0) syscall(SYS_futex, hold, FUTEX_WAIT, 1, nullptr, nullptr, 0);
    self_.started = true;
    self_.state = ProcState::Running;
    running(self_.pid);
  }

  void become(Pid pid) {
    Process c = std::move(kids_.at(pid));
    kids_.clear();
    others_.clear();
    jobs_.clear();
    ended_.clear();
    tasks_done_ = 0;
    self_ = std::move(c);
    track_cpu_ = -1;  // a new task: its CPU clock starts at 0
    counted_ns_ = 0;
    enter();
  }

  void refresh_parent() {
    pid_t pp = getppid();
    if (pp == static_cast<pid_t>(sh_.runner_pid)) {
      if (self_.parent != kInitPid) {
        Slot& s = slot(self_.pid);
        if (s.orphan_seen_ns == 0) s.orphan_seen_ns = mono_ns();
      }
      self_.parent = kInitPid;
    }
  }

  // Back on a CPU: the event carries the scenario core it is on now.
  void running(Pid pid) {
    track();
    auto core = static_cast<std::int16_t>(core_of(sched_getcpu()));
    record(sh_, pid, EventKind::State, static_cast<int>(ProcState::Running), 0, core);
  }

  void set_activity(Activity a, std::int32_t object) {
    Slot& s = slot(self_.pid);
    s.wait_object.store(object);
    s.activity.store(a);
  }

  std::int64_t exit_code_of(Pid pid, const siginfo_t& si) {
    Slot& s = slot(pid);
    if (si.si_code == CLD_EXITED) return s.self_exit.load() ? s.exit_code : si.si_status;
    return -static_cast<std::int64_t>(si.si_status);
  }

  void log_exit(Pid pid, std::int64_t ns, std::int64_t code) { note_exit(sh_, pid, ns, code); }

  // Child state as the kernel has it now, without reaping.
  void refresh(Process& c) {
    if (!c.started || c.state == ProcState::Reaped || c.state == ProcState::Zombie) return;
    siginfo_t si{};
    std::int64_t real = slot(c.pid).real_pid.load();
    if (waitid(P_PID, static_cast<id_t>(real), &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0) {
      c.state = ProcState::Zombie;
      c.stats.exit_code = exit_code_of(c.pid, si);
      log_exit(c.pid, mono_ns(), c.stats.exit_code);
    } else {
      c.state = ProcState::Running;
    }
  }

  // Waits until child `c` has exited (true) or `timeout` ticks passed (false).
  bool await_exit(Process& p, Process& c, Tick timeout) {
    std::int64_t real = slot(c.pid).real_pid.load();
    int fd = static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(real), 0));
    set_activity(timeout == kNever ? kJoinWait : kTimedWait, c.pid);
    record(sh_, p.pid, EventKind::State, static_cast<int>(ProcState::Blocked), static_cast<std::int32_t>(BlockReason::Join));
    std::int64_t deadline = timeout == kNever ? -1 : mono_ns() + timeout * sh_.tick_ns;
    for (;;) {
      refresh(c);
      if (!c.alive()) break;
      std::int64_t left = deadline < 0 ? 50000000 : deadline - mono_ns();
      if (left <= 0) break;
      sleep_on_pidfd(fd, left);
    }
    if (fd >= 0) ::close(fd);
    running(p.pid);
    set_activity(kActive, 0);
    return !c.alive();
  }

  // Reaps exited child `c`; when it had been waiting as a zombie, first looks
  // at it in /proc, where a zombie is state Z.
  void reap(Process& c, bool was_zombie) {
    Slot& s = slot(c.pid);
    std::int64_t real = s.real_pid.load();
    if (was_zombie && proc_state(real) == 'Z') s.zombie_seen_ns = mono_ns();
    int status = 0;
    rusage ru{};
    while (wait4(static_cast<pid_t>(real), &status, 0, &ru) < 0 && errno == EINTR) {
    }
    abandon_waits(sh_, c.pid);
    s.status_code = status;
    s.cpu_us = static_cast<std::int64_t>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    s.nvcsw = ru.ru_nvcsw;
    s.nivcsw = ru.ru_nivcsw;
    s.reaped_by = self_.pid;
    s.reaped_ns = mono_ns();
    s.reaped.store(1);
    record(sh_, c.pid, EventKind::Reap, 0, self_.pid);
    c.state = ProcState::Reaped;
  }

  // Burns CPU time; every turn of the loop also looks at the core it is on,
  // so a migration inside a burst is seen within a turn (about a microsecond).
  void burn(Tick ticks) {
    std::int64_t target = thread_cpu_ns() + ticks * sh_.tick_ns;
    for (;;) {
      std::int64_t used = thread_cpu_ns();
      track(used);
      if (used >= target) break;
      for (int i = 0; i < 200; ++i) __asm__ __volatile__("" ::: "memory");
    }
  }

  // Where this process runs (docs/real-os.md, "Where each process ran"):
  // called at every operation boundary, on every return from a wait and at
  // every turn of the compute loop. The CPU time used since the last change
  // of core is counted on the core it was seen on, so the split between
  // cores is exact up to the CPU time between two looks. `used` < 0: read
  // the clock here, only when the core changed (the common case costs one
  // sched_getcpu, which glibc answers from rseq without a system call).
  void track(std::int64_t used = -1) {
    int cpu = sched_getcpu();
    if (cpu == track_cpu_ && used < 0) return;
    if (used < 0) used = thread_cpu_ns();
    Slot& s = slot(self_.pid);
    int core = core_of(cpu);
    if (track_cpu_ < 0) {
      // The first look (after the start gate): what ran before counts here.
      s.cur_core = core;
    } else if (cpu != track_cpu_) {
      if (s.cur_core >= 0) s.core_ns[s.cur_core] += used - counted_ns_;
      counted_ns_ = used;
      if (core != s.cur_core) {
        ++s.migrations;
        record(sh_, self_.pid, static_cast<EventKind>(kMigrationKind), 0, core,
               static_cast<std::int16_t>(s.cur_core));
      }
      s.cur_core = core;
    }
    track_cpu_ = cpu;
  }

  // The scenario core of a real CPU; with --oversubscribe several cores share
  // a CPU and it is the first of them.
  int core_of(int cpu) const {
    auto it = std::find(setup_.cpus.begin(), setup_.cpus.end(), cpu);
    return it == setup_.cpus.end() ? -1 : static_cast<int>(it - setup_.cpus.begin());
  }

  // At the exit: the CPU time since the last change of core counts on the last.
  void track_last() {
    Slot& s = slot(self_.pid);
    std::int64_t used = thread_cpu_ns();
    if (s.cur_core >= 0) s.core_ns[s.cur_core] += used - counted_ns_;
    counted_ns_ = used;
  }

  void fail(const std::string& message) {
    std::int32_t t = store_text(sh_, self_.pid, true, message);
    slot(self_.pid).error_text = t;
    record(sh_, self_.pid, EventKind::Error, 0, t);
    finish(1, true);
  }

  // The process ends: daemons die with it (posix), the exit is logged, _exit.
  [[noreturn]] void finish(std::int64_t code, bool kill_daemons) {
    if (kill_daemons && setup_.scenario->machine.exit_semantics == ExitSemantics::Posix) {
      for (Pid k : self_.children) {
        Process& c = kids_.at(k);
        if (!c.daemon || !c.started) continue;
        refresh(c);
        if (!c.alive()) continue;
        record(sh_, c.pid, EventKind::DaemonKill, 0, self_.pid);
        signal_process(c, 15, self_.pid);
      }
    }
    Slot& s = slot(self_.pid);
    track_last();
    auto [run, wait] = schedstat();
    s.sched_run_ns = run;
    s.sched_wait_ns = wait;
    s.last_cpu = sched_getcpu();
    s.exit_code = code;
    s.self_exit.store(1);
    log_exit(self_.pid, mono_ns(), code);
    _exit(static_cast<int>(code & 0xff));
  }

  std::pair<std::string, std::string> split(const std::string& object) {
    auto dot = object.find('.');
    return {object.substr(0, dot), object.substr(dot + 1)};
  }

  // Puts the freshly written `tmp` in place of `path` at once: a reader sees
  // the old or the new content, never half. Not rename() over the old file:
  // on ext4 that starts writeback of the new file at once (auto_da_alloc),
  // and the next write's rename then frees that inode, which has to wait for
  // the writeback to complete and for the freed blocks' discard. The kernel
  // work that completes them can be queued on the CPU of a SCHED_FIFO process
  // in a compute burst and wait until the burst ends (docs/real-os.md, "Not
  // done yet"). Swapping the two names and unlinking the old content under
  // the temporary name starts no writeback: the file stays in the page
  // cache, and freeing it needs no IO.
  void replace_file(const std::string& tmp, const std::string& path, const std::string& object) {
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
      ::unlink(tmp.c_str());
      return;
    }
    // A file system without RENAME_EXCHANGE: rename, atomic as well.
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      throw RuntimeError("write of " + object + ": " + std::strerror(errno));
  }

  nlohmann::json load(const std::string& file) {
    std::ifstream in(setup_.folder + "/" + file + ".json");
    if (!in) throw RuntimeError("cannot open file " + file);
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded()) throw RuntimeError("file " + file + " does not hold valid JSON");
    return doc;
  }

  std::int16_t key_index(const std::string& object) {
    auto it = std::find(setup_.keys.begin(), setup_.keys.end(), object);
    return static_cast<std::int16_t>(it - setup_.keys.begin());
  }

  const Setup& setup_;
  Shared& sh_;
  Process self_;
  std::map<Pid, Process> kids_;    // this process's own children (it alone can start, join, signal them)
  std::map<Pid, Process> others_;  // other processes, named in error messages
  Pid reserved_ = kNoPid;
  int track_cpu_ = -1;           // CPU of the last look (-1: none yet)
  std::int64_t counted_ns_ = 0;  // CPU time already counted on a core
};

}  // namespace

void record(Shared& sh, std::int32_t pid, EventKind kind, int a, std::int32_t b, std::int16_t object,
            std::int64_t at_ns) {
  std::int64_t ns = at_ns > 0 ? at_ns : mono_ns();
  sh.last_activity_ns.store(ns);
  std::uint32_t i = sh.ring_head.fetch_add(1);
  if (i >= kRingSize) return;  // full: counted by the runner as dropped
  RawEvent& e = sh.ring[i];
  e.ns = ns;
  e.pid = pid;
  e.object = object;
  e.kind = static_cast<std::uint8_t>(kind);
  e.a = static_cast<std::uint8_t>(a);
  e.b = b;
  e.valid.store(1, std::memory_order_release);
}

std::int32_t store_text(Shared& sh, std::int32_t pid, bool error, const std::string& text) {
  std::uint32_t i = sh.text_count.fetch_add(1);
  if (i >= kMaxTexts) return -1;
  std::uint32_t len = static_cast<std::uint32_t>(std::min<std::size_t>(text.size(), 4096));
  std::uint32_t off = sh.text_bytes.fetch_add(len);
  if (off + len > kTextBytes) len = 0;
  if (len) std::memcpy(sh.text_data + off, text.data(), len);
  sh.texts[i] = Text{pid, error ? 1 : 0, mono_ns(), off, len};
  return static_cast<std::int32_t>(i);
}

void note_exit(Shared& sh, std::int32_t pid, std::int64_t ns, std::int64_t code) {
  Slot& s = sh.slots[pid];
  std::int32_t expected = 0;
  if (!s.exit_logged.compare_exchange_strong(expected, 1)) return;
  s.finish_ns = ns;
  if (!s.self_exit.load()) s.exit_code = code;
  record(sh, pid, EventKind::State, static_cast<int>(ProcState::Zombie), 0);
}

void run_process(const Setup& setup, Process p) {
  try {
    RealRuntime rt(setup, std::move(p));
    rt.run();
  } catch (...) {
  }
  _exit(70);
}

}  // namespace mpsim::os::detail
