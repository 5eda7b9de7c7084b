// One scenario process in real-OS mode: the shared interpreter
// (Runtime::step) driven by real time, with each operation that touches the
// machine done by the kernel: fork, waitid/wait4, kill, clock_nanosleep,
// synchronisation objects in shared memory with futex waits
// (sync_objects.cpp), JSON files. Runs only in forked children; every way
// out ends in _exit, so nothing of the parent (buffers, atexit) runs twice.
// This file holds the process's life: the operation loop, fork, wait,
// signal, exit; the class is declared in real_runtime.hpp and its other
// concepts have their own files (pool_real.cpp, process_files.cpp,
// core_tracking.cpp; shared_log.cpp for the event ring).
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
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

#include "os/pidfd_wait.hpp"
#include "os/real_runtime.hpp"

namespace mpsim::os::detail {

void copy_name(char* dst, std::size_t n, const std::string& s) {
  std::size_t len = std::min(n - 1, s.size());
  std::memcpy(dst, s.data(), len);
  dst[len] = '\0';
}

namespace {

void sleep_until(std::int64_t deadline_ns) {
  timespec ts{static_cast<time_t>(deadline_ns / 1000000000), static_cast<long>(deadline_ns % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
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

}  // namespace

RealRuntime::RealRuntime(const Setup& s, Process p) : setup_(s), sh_(*s.shared), self_(std::move(p)) {
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

void RealRuntime::run() {
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

Tick RealRuntime::now() const {
  return static_cast<Tick>(std::llround(static_cast<double>(mono_ns() - sh_.t0_ns) / static_cast<double>(sh_.tick_ns)));
}

Process* RealRuntime::lookup(std::int64_t pid) {
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

Pid RealRuntime::next_pid() {
  std::int32_t pid = sh_.next_pid.fetch_add(1);
  if (pid >= sh_.cap) {
    sh_.next_pid.fetch_sub(1);
    throw RuntimeError("process limit reached: a real run may create at most " + std::to_string(sh_.cap - 2) +
                       " processes (--max-procs)");
  }
  reserved_ = pid;
  return pid;
}

Process& RealRuntime::create_process(Pid parent, const Program& program, std::string name, Variables vars) {
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

void RealRuntime::start_process(Process& c) {
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

void RealRuntime::signal_process(Process& c, int signo, Pid sender) {
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

void RealRuntime::print(Process& p, std::string text) {
  std::int32_t t = store_text(sh_, p.pid, false, text);
  record(sh_, p.pid, EventKind::Print, 0, t);
}

void RealRuntime::block(Process& p, BlockReason why, Tick duration) {
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

bool RealRuntime::yield_core(Process&) {
  sched_yield();
  return true;
}

Stop RealRuntime::wait_child(Process& p, Process& c, Tick timeout) {
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

Stop RealRuntime::exit_sequence(Process& p) {
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

void RealRuntime::blocked(BlockReason why, std::int32_t object, bool timed) {
  set_activity(timed ? kTimedWait : kSyncWait, object);
  record(sh_, self_.pid, EventKind::State, static_cast<int>(ProcState::Blocked), static_cast<std::int32_t>(why),
         static_cast<std::int16_t>(object));
}

void RealRuntime::resumed() {
  running(self_.pid);
  set_activity(kActive, 0);
}

// A new process: its own settings, then it is running.
void RealRuntime::enter() {
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

void RealRuntime::become(Pid pid) {
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

void RealRuntime::refresh_parent() {
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
void RealRuntime::running(Pid pid) {
  track();
  auto core = static_cast<std::int16_t>(core_of(sched_getcpu()));
  record(sh_, pid, EventKind::State, static_cast<int>(ProcState::Running), 0, core);
}

void RealRuntime::set_activity(Activity a, std::int32_t object) {
  Slot& s = slot(self_.pid);
  s.wait_object.store(object);
  s.activity.store(a);
}

std::int64_t RealRuntime::exit_code_of(Pid pid, const siginfo_t& si) {
  Slot& s = slot(pid);
  if (si.si_code == CLD_EXITED) return s.self_exit.load() ? s.exit_code : si.si_status;
  return -static_cast<std::int64_t>(si.si_status);
}

// Child state as the kernel has it now, without reaping.
void RealRuntime::refresh(Process& c) {
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
bool RealRuntime::await_exit(Process& p, Process& c, Tick timeout) {
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
void RealRuntime::reap(Process& c, bool was_zombie) {
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

void RealRuntime::fail(const std::string& message) {
  std::int32_t t = store_text(sh_, self_.pid, true, message);
  slot(self_.pid).error_text = t;
  record(sh_, self_.pid, EventKind::Error, 0, t);
  finish(1, true);
}

// The process ends: daemons die with it (posix), the exit is logged, _exit.
void RealRuntime::finish(std::int64_t code, bool kill_daemons) {
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


void run_process(const Setup& setup, Process p) {
  try {
    RealRuntime rt(setup, std::move(p));
    rt.run();
  } catch (...) {
  }
  _exit(70);
}

}  // namespace mpsim::os::detail
