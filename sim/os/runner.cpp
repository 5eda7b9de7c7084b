// The real-OS runner (docs/real-os.md): the scenario's init. It makes itself a
// child subreaper, forks the initial processes at their arrival times, reaps
// whatever exits into its arms (its children and every orphan), watches the
// wall clock and the hang detector, and on any way out kills and reaps every
// process and removes the run folder. A guardian process removes everything
// if the runner itself dies.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "mpsim/machine.hpp"
#include "shared.hpp"
#include "sync_objects.hpp"

namespace mpsim::os {

using namespace detail;

namespace {

constexpr int kWorkerPriority = 10;   // real-time priority of scenario processes
constexpr int kWatchPriority = 50;    // runner and guardian: above them, never starved

bool supported(OpCode op) {
  switch (op) {
    case OpCode::Compute: case OpCode::Io: case OpCode::Sleep: case OpCode::Yield:
    case OpCode::Set: case OpCode::Print: case OpCode::Jump: case OpCode::JumpIfFalse:
    case OpCode::RepeatInit: case OpCode::RepeatNext: case OpCode::Create: case OpCode::Start:
    case OpCode::Spawn: case OpCode::SetDaemon: case OpCode::Join: case OpCode::Terminate:
    case OpCode::Kill: case OpCode::IsAlive: case OpCode::GetPid: case OpCode::GetPpid:
    case OpCode::Exit: case OpCode::Read: case OpCode::Write: case OpCode::Acquire:
    case OpCode::Release: case OpCode::SetEvent: case OpCode::ClearEvent: case OpCode::IsSet:
    case OpCode::Wait: case OpCode::Notify: case OpCode::NotifyAll: case OpCode::Put: case OpCode::Get:
    case OpCode::QSize: case OpCode::End:
      return true;
    default:
      return false;  // operations added later are refused until real mode implements them
  }
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

double load_average() {
  std::ifstream f("/proc/loadavg");
  double l = 0;
  f >> l;
  return l;
}

void remove_folder(const std::string& folder) {
  std::error_code ec;
  if (!folder.empty()) std::filesystem::remove_all(folder, ec);
}

Value from_json(const nlohmann::json& j) {
  if (j.is_boolean()) return Value{j.get<bool>()};
  if (j.is_number_integer()) return Value{j.get<std::int64_t>()};
  if (j.is_string()) return Value{j.get<std::string>()};
  return Value{j.dump()};
}

nlohmann::json to_json(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return std::get<std::string>(v);
}

// The guardian: a small process outside the scenario that waits for the
// runner. If the runner dies without saying goodbye (SIGKILL, a crash), it
// removes the run folder and kills the scenario's process group, itself last.
[[noreturn]] void guardian(int read_fd, pid_t runner, const std::string& folder, bool keep, bool rt) {
  setpgid(0, 0);
  if (rt) {
    sched_param sp{};
    sp.sched_priority = kWatchPriority;
    sched_setscheduler(0, SCHED_FIFO, &sp);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGINT, SIG_IGN);  // a terminal's ^C is for the runner, which then cleans up
  for (;;) {
    pollfd p{read_fd, POLLIN, 0};
    int n = poll(&p, 1, 100);
    if (n > 0) {
      char c = 0;
      ssize_t got = read(read_fd, &c, 1);
      if (got == 1 && c == 'q') _exit(0);
      if (got == 0) break;  // every write end closed: the runner is gone
    }
    if (getppid() != runner) break;
  }
  if (!keep) remove_folder(folder);
  kill(0, SIGKILL);  // the whole group, this process included
  _exit(1);
}

class Runner {
 public:
  Runner(const Scenario& s, const RealOptions& o) : sc_(s), opt_(o) {
    if (opt_.tick_us > 0) sc_.machine.tick_us = opt_.tick_us;
  }

  ~Runner() { cleanup(); }

  RealRun run() {
    check();
    prepare();
    start_guardian();
    loop();
    read_files();
    if (!info_.stopped.empty() || deadlock_) {
      // The kill takes the guardian with the group: remove the folder first,
      // so that even the runner's death right now leaves nothing behind.
      if (!opt_.keep) remove_folder(folder_);
      kill_all();
    }
    finish_guardian();
    RealRun out;
    out.result = merge();
    out.info = info_;
    return out;
  }

 private:
  void check() {
    std::vector<std::string> why = unsupported(sc_);
    if (!why.empty()) {
      std::string msg = "real mode cannot run this scenario:";
      for (const auto& w : why) msg += "\n  " + w;
      throw Refused(msg);
    }
    std::vector<int> cpus = allowed_cpus();
    if (sc_.machine.cores > static_cast<std::int32_t>(cpus.size()))
      throw Refused(std::to_string(sc_.machine.cores) + " cores asked for (machine.cores or --cores), but this machine has only " +
                    std::to_string(cpus.size()) + " CPU(s) available to mpsim: real mode cannot run more cores than CPUs");
    info_.cpus.assign(cpus.begin(), cpus.begin() + sc_.machine.cores);
    if (opt_.max_processes < 1 || opt_.max_processes > kMaxSlots - 2)
      throw Refused("--max-procs must be between 1 and " + std::to_string(kMaxSlots - 2));
    std::int64_t initial = 0;
    for (const auto& p : sc_.processes) initial += p.count;
    if (initial > opt_.max_processes)
      throw Refused("the scenario starts " + std::to_string(initial) + " processes, above the limit of " +
                    std::to_string(opt_.max_processes) + " (--max-procs)");
  }

  void prepare() {
    // Signals are taken synchronously from here on (loop()): one that arrives
    // while preparing stops the run as soon as it starts, after cleanup.
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT}) sigaddset(&set, s);
    sigprocmask(SIG_BLOCK, &set, &saved_mask_);
    masked_ = true;
    info_.predicted_makespan = predict_makespan();
    double predicted_ms = static_cast<double>(info_.predicted_makespan) * static_cast<double>(sc_.machine.tick_us) / 1000.0;
    std::int64_t limit = opt_.wall_ms > 0 ? opt_.wall_ms
                         : info_.predicted_makespan < 0 ? opt_.max_wall_ms
                                                        : static_cast<std::int64_t>(opt_.wall_factor * predicted_ms) + 1000;
    if (opt_.wall_ms <= 0 && info_.predicted_makespan < 0)
      info_.notes.push_back("the simulator gave no makespan within its budget (a fork bomb?): the wall-time limit is the maximum");
    info_.wall_limit_ms = std::min(limit, opt_.max_wall_ms);
    info_.load1 = load_average();

    // Policy: fcfs and rr have real-time twins; everything else is the normal scheduler.
    const std::string& pol = sc_.machine.scheduler.policy;
    setup_.policy = pol == "fcfs" ? SCHED_FIFO : pol == "rr" ? SCHED_RR : SCHED_OTHER;
    info_.policy = setup_.policy == SCHED_FIFO ? "SCHED_FIFO" : setup_.policy == SCHED_RR ? "SCHED_RR" : "SCHED_OTHER";
    if (setup_.policy == SCHED_OTHER)
      info_.policy_note = pol + " has no real-time twin: Linux's normal scheduler (CFS/EEVDF) decides";
    if (setup_.policy != SCHED_OTHER) {
      sched_param sp{};
      sp.sched_priority = kWatchPriority;
      if (sched_getparam(0, &saved_param_) == 0) saved_policy_ = sched_getscheduler(0);
      // Its children start as SCHED_OTHER (reset on fork); fork_initial
      // raises each one at once, and a raised thread goes to the tail of its
      // priority's list: the scenario processes queue in arrival order.
      if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0) {
        rt_runner_ = true;
      } else {
        info_.policy_note = info_.policy + " not permitted (" + std::strerror(errno) + "): fell back to SCHED_OTHER";
        info_.policy = "SCHED_OTHER";
        setup_.policy = SCHED_OTHER;
      }
    }
    setup_.rt_priority = kWorkerPriority;
    setup_.rttime_us = info_.wall_limit_ms * 1000;
    setup_.cpus = info_.cpus;
    for (const auto& spec : sc_.processes)
      if (spec.priority != 0 || spec.nice != 0) {
        info_.notes.push_back("priority and nice are not applied to the real processes");
        break;
      }
    if (sc_.machine.context_switch > 0)
      info_.notes.push_back("context_switch is the model's cost; real switches cost what the kernel takes");

    // The run folder, with the scenario's files.
    const char* tmp = std::getenv("TMPDIR");
    std::string base = (tmp && *tmp) ? tmp : "/tmp";
    std::string templ = base + "/mpsim-run-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw Refused("cannot create a run folder in " + base + ": " + std::strerror(errno));
    folder_ = buf.data();
    info_.folder = folder_;
    setup_.folder = folder_;
    for (const auto& [name, content] : sc_.files) {
      nlohmann::json doc = nlohmann::json::object();
      for (const auto& [k, v] : content) doc[k] = to_json(v);
      std::ofstream f(folder_ + "/" + name + ".json");
      f << doc.dump();
    }
    std::set<std::string> keys;
    for (const auto& [name, prog] : sc_.programs)
      for (const auto& in : prog->code)
        if (in.op == OpCode::Read || in.op == OpCode::Write) keys.insert(in.object);
    setup_.keys.assign(keys.begin(), keys.end());

    // The shared region: anonymous, so nothing in /dev/shm; gone with the last process.
    void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw Refused(std::string("cannot map shared memory: ") + std::strerror(errno));
    sh_ = static_cast<Shared*>(mem);
    sh_->tick_ns = sc_.machine.tick_us * 1000;
    sh_->runner_pid = getpid();
    sh_->cap = opt_.max_processes + 2;
    sh_->next_pid.store(2);
    sh_->guardian_fd = -1;
    init_sync_objects(*sh_, sc_);  // object ids are Instr::obj, indices into Scenario::objects
    setup_.scenario = &sc_;
    setup_.shared = sh_;

    // The runner is init: orphans come to it. Signals are taken synchronously.
    prctl(PR_GET_CHILD_SUBREAPER, &saved_subreaper_, 0, 0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    saved_slack_ = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  }

  // The simulator's makespan, computed in a child with a CPU and memory budget:
  // a scenario that never ends in the model (an unbounded fork loop) must not
  // take the runner down with it. -1 when there is no answer within budget.
  std::int64_t predict_makespan() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    pid_t c = fork();
    if (c < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      return -1;
    }
    if (c == 0) {
      ::close(fds[0]);
      prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      rlimit cpu{1, 2}, mem{1L << 30, 1L << 30};
      setrlimit(RLIMIT_CPU, &cpu);
      setrlimit(RLIMIT_AS, &mem);
      std::int64_t m = -1;
      try {
        RunOptions ro;
        ro.record_events = false;
        m = simulate(sc_, ro).makespan;
      } catch (...) {
      }
      if (write(fds[1], &m, sizeof m) != sizeof m) _exit(1);
      _exit(0);
    }
    ::close(fds[1]);
    std::int64_t m = -1;
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 5000) > 0 && read(fds[0], &m, sizeof m) != sizeof m) m = -1;
    ::close(fds[0]);
    kill(c, SIGKILL);
    waitpid(c, nullptr, 0);
    return m;
  }

  void start_guardian() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw Refused(std::string("pipe: ") + std::strerror(errno));
    pid_t runner = getpid();
    pid_t g = fork();
    if (g < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      throw Refused(std::string("fork: ") + std::strerror(errno));
    }
    if (g == 0) {
      ::close(fds[1]);
      guardian(fds[0], runner, folder_, opt_.keep, rt_runner_);
    }
    ::close(fds[0]);
    setpgid(g, g);
    guardian_ = g;
    guardian_fd_ = fds[1];
    sh_->guardian_fd = fds[1];
    sh_->pgid = g;
  }

  struct Initial {
    std::int64_t at_ns;
    Process proc;
  };

  // The initial processes, built exactly as the simulator builds them.
  std::vector<Initial> initial_processes() {
    std::vector<Initial> out;
    Pid pid = 2;
    for (const ProcessSpec& spec : sc_.processes) {
      for (std::int32_t i = 0; i < spec.count; ++i, ++pid) {
        struct SetupContext : EvalContext {
          std::int64_t index;
          Pid pid;
          std::optional<Value> variable(std::string_view n) const override {
            if (n == "index") return Value{index};
            if (n == "pid") return Value{static_cast<std::int64_t>(pid)};
            if (n == "ppid") return Value{static_cast<std::int64_t>(kInitPid)};
            return std::nullopt;
          }
          Value call(std::string_view f, const std::vector<Value>&) const override {
            throw RuntimeError("function " + std::string(f) + " cannot be used in process setup");
          }
        } ctx;
        ctx.index = i;
        ctx.pid = pid;
        Process p;
        p.pid = pid;
        p.parent = p.original_parent = kInitPid;
        if (spec.count > 1 || spec.name.find("{index}") != std::string::npos)
          p.vars.set("index", Value{static_cast<std::int64_t>(i)});
        for (const auto& [k, e] : spec.args) p.vars.set(k, e.eval(ctx));
        p.name = Template::parse(spec.name).render(ctx);
        p.program = sc_.programs.at(spec.program).get();
        p.loop_counters.assign(static_cast<std::size_t>(p.program->loop_slots), 0);
        p.priority = spec.priority;
        p.nice = spec.nice;
        p.affinity = spec.affinity;
        p.daemon = spec.daemon;
        Slot& s = sh_->slots[pid];
        s.parent = kInitPid;
        s.daemon = spec.daemon ? 1 : 0;
        std::snprintf(s.name, sizeof s.name, "%s", p.name.c_str());
        std::snprintf(s.program, sizeof s.program, "%s", p.program->name.c_str());
        s.used.store(1);
        out.push_back(Initial{spec.arrival * sh_->tick_ns, std::move(p)});
      }
    }
    sh_->next_pid.store(pid);
    std::stable_sort(out.begin(), out.end(), [](const Initial& a, const Initial& b) { return a.at_ns < b.at_ns; });
    return out;
  }

  void fork_initial(Initial& in) {
    Slot& s = sh_->slots[in.proc.pid];
    s.arrival_ns = mono_ns();
    s.started.store(1);
    record(*sh_, in.proc.pid, EventKind::Spawn, 0, kInitPid);
    pid_t r = fork();
    if (r < 0) {
      s.reaped.store(1);
      note_exit(*sh_, in.proc.pid, mono_ns(), 1);
      return;
    }
    if (r == 0) {
      setpgid(0, static_cast<pid_t>(sh_->pgid));
      cpu_set_t set;
      CPU_ZERO(&set);
      if (in.proc.affinity.empty()) {
        for (int c : setup_.cpus) CPU_SET(c, &set);
      } else {
        for (CoreId c : in.proc.affinity) CPU_SET(setup_.cpus[static_cast<std::size_t>(c)], &set);
      }
      sched_setaffinity(0, sizeof set, &set);
      run_process(setup_, std::move(in.proc));
    }
    setpgid(r, static_cast<pid_t>(sh_->pgid));
    s.real_pid.store(r);
    cpu_set_t set;
    CPU_ZERO(&set);
    if (in.proc.affinity.empty()) {
      for (int c : setup_.cpus) CPU_SET(c, &set);
    } else {
      for (CoreId c : in.proc.affinity) CPU_SET(setup_.cpus[static_cast<std::size_t>(c)], &set);
    }
    sched_setaffinity(r, sizeof set, &set);
    if (setup_.policy != SCHED_OTHER) {
      sched_param sp{};
      sp.sched_priority = setup_.rt_priority;
      if (sched_setscheduler(r, setup_.policy, &sp) != 0) sh_->policy_failed.store(1);
    }
  }

  Pid pid_of_real(pid_t real) {
    for (Pid p = 2; p < sh_->next_pid.load() && p < kMaxSlots; ++p)
      if (sh_->slots[p].real_pid.load() == real) return p;
    return kNoPid;
  }

  // Reaps every exited process handed to the runner (its children and orphans).
  void reap_ready(bool block) {
    for (;;) {
      siginfo_t si{};
      int flags = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
      if (waitid(P_ALL, 0, &si, flags) != 0 || si.si_pid == 0) return;
      pid_t real = si.si_pid;
      if (real == guardian_) {
        waitpid(real, nullptr, 0);
        guardian_ = -1;
        continue;
      }
      Pid pid = pid_of_real(real);
      std::int64_t seen = 0;
      if (pid != kNoPid) {
        std::ifstream f("/proc/" + std::to_string(real) + "/stat");
        std::string line;
        std::getline(f, line);
        auto close = line.rfind(')');
        if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') seen = mono_ns();
      }
      int status = 0;
      rusage ru{};
      if (wait4(real, &status, 0, &ru) != real) continue;
      if (pid == kNoPid) continue;
      abandon_waits(*sh_, pid);  // a process that died waiting leaves its wait list
      Slot& s = sh_->slots[pid];
      (void)seen;  // the runner reaps at once: a zombie of microseconds is no lesson
      std::int64_t code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : 1;
      note_exit(*sh_, pid, mono_ns(), code);
      s.status_code = status;
      s.cpu_us = static_cast<std::int64_t>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
      s.nvcsw = ru.ru_nvcsw;
      s.nivcsw = ru.ru_nivcsw;
      s.reaped_by = kInitPid;
      s.reaped_ns = mono_ns();
      s.reaped.store(1);
      record(*sh_, pid, EventKind::Reap, 0, kInitPid);
    }
  }

  bool all_reaped() const {
    for (Pid p = 2; p < sh_->next_pid.load() && p < kMaxSlots; ++p) {
      const Slot& s = sh_->slots[p];
      if (!s.used.load() || !s.started.load() || s.reaped.load()) continue;
      // Marked started, but its parent died before fork() returned: it never existed.
      if (s.real_pid.load() == 0 && s.parent != kInitPid && sh_->slots[s.parent].exit_logged.load()) continue;
      return false;
    }
    return true;
  }

  // Every live process waits on a synchronisation object or a child with no timeout, and
  // nothing has happened for hang_ms: nothing can ever happen again.
  bool hung(std::int64_t now) {
    if (now - sh_->last_activity_ns.load() < opt_.hang_ms * 1000000) return false;
    std::int32_t live = 0;
    for (Pid p = 2; p < sh_->next_pid.load() && p < kMaxSlots; ++p) {
      const Slot& s = sh_->slots[p];
      if (!s.used.load() || !s.started.load() || s.exit_logged.load()) continue;
      ++live;
      std::int32_t a = s.activity.load();
      if (a != kSyncWait && a != kJoinWait) return false;
    }
    return live > 0;
  }

  void loop() {
    std::vector<Initial> pending = initial_processes();
    std::size_t next = 0;
    t0_ = mono_ns();
    sh_->t0_ns = t0_;
    sh_->last_activity_ns.store(t0_);
    std::int64_t limit_ns = t0_ + info_.wall_limit_ms * 1000000;
    for (;;) {
      std::int64_t now = mono_ns();
      while (next < pending.size() && t0_ + pending[next].at_ns <= now) fork_initial(pending[next++]);
      reap_ready(false);
      if (next == pending.size() && all_reaped()) break;
      now = mono_ns();
      if (now >= limit_ns) {
        info_.stopped = "wall-time limit of " + std::to_string(info_.wall_limit_ms) + " ms reached";
        info_.exit_status = 4;
        break;
      }
      if (next == pending.size() && hung(now)) {
        deadlock_ = true;
        hang_ns_ = sh_->last_activity_ns.load();
        snapshot_stuck();
        break;
      }
      std::int64_t wait = 10000000;
      if (next < pending.size()) wait = std::min(wait, std::max<std::int64_t>(0, t0_ + pending[next].at_ns - now));
      sigset_t set;
      sigemptyset(&set);
      for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT}) sigaddset(&set, s);
      timespec ts{static_cast<time_t>(wait / 1000000000), static_cast<long>(wait % 1000000000)};
      siginfo_t si{};
      int sig = sigtimedwait(&set, &si, &ts);
      if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT) {
        info_.stopped = std::string("interrupted by SIG") + sigabbrev_np(sig);
        info_.exit_status = 128 + sig;
        break;
      }
    }
    end_ns_ = mono_ns();
    info_.wall_us = (end_ns_ - t0_) / 1000;
  }

  void snapshot_stuck() {
    for (Pid p = 2; p < sh_->next_pid.load() && p < kMaxSlots; ++p) {
      const Slot& s = sh_->slots[p];
      if (!s.used.load() || !s.started.load() || s.exit_logged.load()) continue;
      StuckProcess st{p, BlockReason::None, "", "", kNoPid, {}};
      std::int32_t obj = s.wait_object.load();
      if (s.activity.load() == kSyncWait) {
        describe_real_wait(*sh_, sc_, p, st);
      } else {
        st.reason = BlockReason::Join;
        st.child = obj;
        st.waits_for = "child " + std::to_string(obj);
      }
      stuck_.push_back(st);
      stuck_state_[p] = st.reason;
    }
  }

  // Kills every scenario process and reaps them all (the runner is their subreaper).
  void kill_all() {
    if (!sh_) return;
    // The group's id is the guardian's pid: only while the guardian is our
    // unreaped child can that id not belong to somebody else's group.
    if (sh_->pgid > 0 && guardian_ > 0) kill(-static_cast<pid_t>(sh_->pgid), SIGKILL);
    for (Pid p = 2; p < sh_->next_pid.load() && p < kMaxSlots; ++p) {
      Slot& s = sh_->slots[p];
      std::int64_t real = s.real_pid.load();
      if (real > 0 && !s.reaped.load()) kill(static_cast<pid_t>(real), SIGKILL);
    }
    std::int64_t until = mono_ns() + 5000000000LL;
    while (mono_ns() < until) {
      reap_ready(false);
      int st = 0;
      pid_t r = waitpid(-1, &st, WNOHANG);
      if (r < 0 && errno == ECHILD) break;
      if (r == guardian_) guardian_ = -1;
      if (r == 0) {
        timespec ts{0, 1000000};
        nanosleep(&ts, nullptr);
      }
    }
    killed_ = true;
  }

  void finish_guardian() {
    if (guardian_fd_ >= 0) {
      if (guardian_ > 0) {
        // The guardian may be gone already (killed with the group): no SIGPIPE for that.
        struct sigaction ign{}, old{};
        ign.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &ign, &old);
        char q = 'q';
        if (write(guardian_fd_, &q, 1) != 1) {
        }
        sigaction(SIGPIPE, &old, nullptr);
      }
      ::close(guardian_fd_);
      guardian_fd_ = -1;
    }
    if (guardian_ > 0) {
      waitpid(guardian_, nullptr, 0);
      guardian_ = -1;
    }
  }

  Tick tick(std::int64_t ns) const {
    if (ns <= t0_) return 0;
    return static_cast<Tick>(std::llround(static_cast<double>(ns - t0_) / static_cast<double>(sh_->tick_ns)));
  }
  Tick ticks_of(std::int64_t ns) const {
    return static_cast<Tick>(std::llround(static_cast<double>(ns) / static_cast<double>(sh_->tick_ns)));
  }

  RunResult merge();

  // The final files, as the processes left them.
  void read_files() {
    for (const auto& [name, content] : sc_.files) {
      FileContent fc;
      std::ifstream f(folder_ + "/" + name + ".json");
      nlohmann::json doc = nlohmann::json::parse(f, nullptr, false);
      if (doc.is_object())
        for (const auto& [k, v] : doc.items()) fc[k] = from_json(v);
      final_files_[name] = std::move(fc);
    }
  }

  void cleanup() {
    if (guardian_ > 0 || (sh_ && !all_reaped())) kill_all();
    finish_guardian();
    if (!opt_.keep) remove_folder(folder_);
    if (sh_) {
      munmap(sh_, sizeof(Shared));
      sh_ = nullptr;
    }
    if (masked_) {
      // Signals that arrived meanwhile stay pending; drop the ones the run consumed.
      sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
      masked_ = false;
    }
    prctl(PR_SET_CHILD_SUBREAPER, saved_subreaper_, 0, 0, 0);
    if (saved_slack_ > 0) prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(saved_slack_), 0, 0, 0);
    if (rt_runner_) {
      sched_setscheduler(0, saved_policy_ < 0 ? SCHED_OTHER : saved_policy_, &saved_param_);
      rt_runner_ = false;
    }
  }

  Scenario sc_;
  RealOptions opt_;
  RealInfo info_;
  Setup setup_;
  Shared* sh_ = nullptr;
  std::string folder_;
  pid_t guardian_ = -1;
  int guardian_fd_ = -1;
  std::int64_t t0_ = 0, end_ns_ = 0;
  bool rt_runner_ = false;
  int saved_policy_ = -1;
  sched_param saved_param_{};
  int saved_subreaper_ = 0;
  long saved_slack_ = -1;
  sigset_t saved_mask_{};
  bool masked_ = false;
  bool deadlock_ = false;
  std::int64_t hang_ns_ = 0;  // last event before the hang: when the deadlock became certain
  bool killed_ = false;
  std::vector<StuckProcess> stuck_;
  std::map<std::string, FileContent> final_files_;
  std::map<Pid, BlockReason> stuck_state_;
};

RunResult Runner::merge() {
  RunResult r;
  r.scenario = sc_.name;
  r.machine = sc_.machine;
  r.cores.resize(static_cast<std::size_t>(sc_.machine.cores));
  for (const auto& o : sc_.objects) r.objects.push_back(std::string(to_string(o.kind)) + " " + o.name);
  std::map<std::int16_t, std::int64_t> object_ns;  // time blocked per synchronisation object
  Pid last = std::min<Pid>(sh_->next_pid.load(), kMaxSlots);
  // What the runner did after the end (killing after a hang, a limit or a
  // signal) is not part of the run: the log and the fates stop at end_ns_.
  auto exited = [&](const Slot& s) { return s.exit_logged.load() && s.finish_ns <= end_ns_; };
  auto reaped = [&](const Slot& s) { return s.reaped.load() && s.reaped_ns <= end_ns_; };

  // Raw events in time order; orphaning is derived from the exits.
  struct Plain {
    std::int64_t ns;
    std::int32_t pid;
    std::int16_t object;
    std::uint8_t kind, a;
    std::int32_t b;
  };
  struct Raw {
    std::int64_t ns;
    std::uint32_t seq;
    Plain e;
  };
  std::vector<Raw> raw;
  std::uint32_t head = std::min(sh_->ring_head.load(), kRingSize);
  info_.events_dropped = sh_->ring_head.load() - head;
  for (std::uint32_t i = 0; i < head; ++i) {
    const RawEvent& e = sh_->ring[i];
    if (!e.valid.load(std::memory_order_acquire) || e.ns > end_ns_) continue;
    Raw x{e.ns, i, {}};
    x.e.ns = e.ns;
    x.e.pid = e.pid;
    x.e.object = e.object;
    x.e.kind = e.kind;
    x.e.a = e.a;
    x.e.b = e.b;
    raw.push_back(x);
  }
  std::map<Pid, Tick> orphaned_at;
  for (Pid p = 2; p < last; ++p) {
    const Slot& s = sh_->slots[p];
    if (!s.used.load() || !s.started.load() || s.parent == kInitPid) continue;
    const Slot& par = sh_->slots[s.parent];
    if (!exited(par)) continue;
    bool alive_then = !exited(s) || s.finish_ns > par.finish_ns;
    if (!alive_then || s.arrival_ns > par.finish_ns) continue;
    orphaned_at[p] = tick(par.finish_ns);
    Raw x{par.finish_ns, UINT32_MAX, {}};
    x.e.pid = p;
    x.e.object = -1;
    x.e.kind = static_cast<std::uint8_t>(EventKind::Orphan);
    x.e.b = s.parent;
    raw.push_back(x);
  }
  std::stable_sort(raw.begin(), raw.end(), [](const Raw& a, const Raw& b) {
    return a.ns != b.ns ? a.ns < b.ns : a.seq < b.seq;
  });

  struct Acc {
    Tick first_run = -1;
    ProcState state = ProcState::New;
    BlockReason reason = BlockReason::None;
    std::int64_t since = 0;
    std::map<BlockReason, std::int64_t> blocked;  // ns per reason (a map: reasons may be added)
    std::int16_t object = -1;                     // the synchronisation object it is blocked on
  };
  std::map<Pid, Acc> acc;
  auto blocked_ns = [](const Acc& a, BlockReason why) {
    auto it = a.blocked.find(why);
    return it == a.blocked.end() ? std::int64_t{0} : it->second;
  };
  // Cores as the processes saw them: a process entering Running takes the
  // core it is on (sched_getcpu), and frees it when it blocks or exits. Real
  // preemption inside a burst is not observed (docs/real-os.md).
  std::vector<Pid> core_pid(r.cores.size(), kNoPid);
  std::map<Pid, CoreId> core_of;
  auto free_core = [&](Pid pid, Tick t) {
    auto it = core_of.find(pid);
    if (it == core_of.end()) return;
    if (core_pid[static_cast<std::size_t>(it->second)] == pid) {
      core_pid[static_cast<std::size_t>(it->second)] = kNoPid;
      r.events.push_back(Event{t, kNoPid, static_cast<std::int16_t>(it->second), EventKind::Core,
                               static_cast<std::uint8_t>(CoreStatus::Idle), 0});
    }
    core_of.erase(it);
  };
  std::map<std::int16_t, std::int32_t> key_map;
  std::int32_t live = 0, running = 0, io = 0;
  Tick last_tick = 0, io_since = 0;
  auto advance = [&](Tick t) {
    if (t > last_tick) {
      r.concurrency_ticks += static_cast<std::int64_t>(live) * (t - last_tick);
      last_tick = t;
    }
  };
  for (const Raw& x : raw) {
    const Plain& e = x.e;
    Tick t = tick(e.ns);
    advance(t);
    Event out{t, e.pid, -1, static_cast<EventKind>(e.kind), e.a, e.b};
    Acc& a = acc[e.pid];
    switch (out.kind) {
      case EventKind::Spawn:
        r.events.push_back(out);
        out = Event{t, e.pid, -1, EventKind::State, static_cast<std::uint8_t>(ProcState::Ready), 0};
        a.state = ProcState::Ready;
        a.since = e.ns;
        ++live;
        r.max_concurrency = std::max(r.max_concurrency, live);
        break;
      case EventKind::State: {
        auto st = static_cast<ProcState>(e.a);
        if (a.state == ProcState::Blocked) {
          a.blocked[a.reason] += e.ns - a.since;
          if (a.object >= 0) object_ns[a.object] += e.ns - a.since;
          if (a.reason == BlockReason::Io) {
            if (--io == 0) r.io_busy += t - io_since;
            r.events.push_back(Event{t, kNoPid, -1, EventKind::Io, 0, io});
          }
        }
        if (a.state == ProcState::Running) {
          --running;
          free_core(e.pid, t);
        }
        if (st == ProcState::Running && e.object >= 0 && e.object < static_cast<std::int16_t>(r.cores.size())) {
          core_of[e.pid] = e.object;
          core_pid[static_cast<std::size_t>(e.object)] = e.pid;
          r.events.push_back(Event{t, e.pid, e.object, EventKind::Core, static_cast<std::uint8_t>(CoreStatus::Running), 0});
          out.core = e.object;
        }
        if (st == ProcState::Running) {
          ++running;
          r.max_parallelism = std::max(r.max_parallelism, std::min(running, sc_.machine.cores));
          if (a.first_run < 0) a.first_run = t;
        }
        if (st == ProcState::Blocked && static_cast<BlockReason>(e.b) == BlockReason::Io) {
          if (io++ == 0) io_since = t;
          r.events.push_back(Event{t, e.pid, -1, EventKind::Io, 0, io});
        }
        if (st == ProcState::Zombie) --live;
        a.state = st;
        a.reason = static_cast<BlockReason>(e.b);
        // A synchronisation wait carries its object (sim/os/sync_objects.cpp); io, sleep and join none.
        a.object = st == ProcState::Blocked && a.reason >= BlockReason::Lock ? e.object : std::int16_t{-1};
        a.since = e.ns;
        break;
      }
      case EventKind::Print:
      case EventKind::Error: {
        if (e.b < 0) continue;
        const Text& tx = sh_->texts[e.b];
        std::string text(sh_->text_data + tx.offset, tx.length);
        if (out.kind == EventKind::Print) {
          out.b = static_cast<std::int32_t>(r.prints.size());
          r.prints.push_back(PrintLine{t, e.pid, std::move(text)});
        } else {
          out.b = static_cast<std::int32_t>(r.errors.size());
          r.errors.push_back(ErrorRecord{t, e.pid, std::move(text)});
        }
        break;
      }
      case EventKind::Reap:
        r.events.push_back(Event{t, e.pid, -1, EventKind::State, static_cast<std::uint8_t>(ProcState::Reaped), 0});
        break;
      case EventKind::Sync:
        if (e.a == static_cast<std::uint8_t>(SyncOp::Read) || e.a == static_cast<std::uint8_t>(SyncOp::Write)) {
          auto [it, added] = key_map.emplace(e.object, static_cast<std::int32_t>(r.keys.size()));
          if (added) r.keys.push_back(setup_.keys[static_cast<std::size_t>(e.object)]);
          out.core = static_cast<std::int16_t>(it->second);
          out.b = 0;
        } else {
          out.core = e.object;  // the object; b: message id or barrier generation, as logged
        }
        break;
      default:
        break;
    }
    r.events.push_back(out);
  }
  r.scheduling_events = static_cast<std::int64_t>(r.events.size());

  for (Pid p = 2; p < last; ++p) {
    const Slot& s = sh_->slots[p];
    if (!s.used.load()) continue;
    ProcessResult pr;
    pr.pid = p;
    pr.original_parent = s.parent;
    pr.parent = orphaned_at.count(p) ? kInitPid : s.parent;
    pr.name = s.name;
    pr.program = s.program;
    pr.daemon = s.daemon != 0;
    pr.started = s.started.load() != 0;
    Acc& a = acc[p];
    if (reaped(s)) pr.state = ProcState::Reaped;
    else if (exited(s)) pr.state = ProcState::Zombie;
    else pr.state = a.state;
    if (exited(s)) {
      pr.exit_code = s.exit_code;
      pr.finish = tick(s.finish_ns);
    }
    if (s.error_text >= 0 && s.self_exit.load() && s.exit_code == 1) {
      for (const auto& e : r.errors)
        if (e.pid == p) pr.error = e.message;
    }
    if (pr.started) pr.arrival = tick(s.arrival_ns);
    pr.first_run = a.first_run;
    if (reaped(s)) {
      pr.reaped_at = tick(s.reaped_ns);
      pr.reaped_by = s.reaped_by;
    }
    if (auto it = orphaned_at.find(p); it != orphaned_at.end()) pr.orphaned_at = it->second;
    // wait4's rusage includes the children the process reaped: take theirs out.
    std::int64_t cpu_us = s.cpu_us, nvcsw = s.nvcsw, nivcsw = s.nivcsw;
    for (Pid c = 2; c < last; ++c) {
      const Slot& k = sh_->slots[c];
      if (k.parent != p || !k.reaped.load() || k.reaped_by != p) continue;
      cpu_us -= k.cpu_us;
      nvcsw -= k.nvcsw;
      nivcsw -= k.nivcsw;
    }
    pr.cpu = s.sched_run_ns >= 0 && s.self_exit.load() ? ticks_of(s.sched_run_ns) : ticks_of(std::max<std::int64_t>(0, cpu_us) * 1000);
    if (s.last_cpu >= 0) {
      auto it = std::find(info_.cpus.begin(), info_.cpus.end(), s.last_cpu);
      if (it != info_.cpus.end()) r.cores[static_cast<std::size_t>(it - info_.cpus.begin())].busy += pr.cpu;
    }
    pr.wait = s.sched_wait_ns > 0 ? ticks_of(s.sched_wait_ns) : 0;
    if (!exited(s) && a.state == ProcState::Blocked) {
      // Still waiting when the run ended (a deadlock, a limit): that time counts as blocked.
      std::int64_t until = deadlock_ ? std::max(hang_ns_, a.since) : end_ns_;
      a.blocked[a.reason] += until - a.since;
      if (a.object >= 0) object_ns[a.object] += until - a.since;
    }
    pr.blocked_io = ticks_of(blocked_ns(a, BlockReason::Io));
    pr.blocked_sleep = ticks_of(blocked_ns(a, BlockReason::Sleep));
    pr.blocked_join = ticks_of(blocked_ns(a, BlockReason::Join));
    pr.blocked_lock = ticks_of(blocked_ns(a, BlockReason::Lock));
    pr.blocked_semaphore = ticks_of(blocked_ns(a, BlockReason::Semaphore));
    pr.blocked_event = ticks_of(blocked_ns(a, BlockReason::Event));
    pr.blocked_barrier = ticks_of(blocked_ns(a, BlockReason::Barrier));
    pr.blocked_condition = ticks_of(blocked_ns(a, BlockReason::Condition));
    pr.blocked_queue = ticks_of(blocked_ns(a, BlockReason::Queue));
    pr.voluntary_switches = std::max<std::int64_t>(0, nvcsw);
    pr.involuntary_switches = std::max<std::int64_t>(0, nivcsw);
    r.context_switches += pr.voluntary_switches + pr.involuntary_switches;
    if (pr.finish > r.makespan) r.makespan = pr.finish;
    r.processes.push_back(std::move(pr));
    if (s.real_pid.load() > 0) info_.real_pids[p] = s.real_pid.load();
    if (s.zombie_seen_ns > 0 && s.zombie_seen_ns <= end_ns_)
      info_.facts.push_back(Fact{p, tick(s.zombie_seen_ns),
                                 std::string(s.name) + " (real pid " + std::to_string(s.real_pid.load()) +
                                     ") was seen as Z in /proc/" + std::to_string(s.real_pid.load()) +
                                     "/stat before " + (s.reaped_by == kInitPid ? "the runner (init)" : "its parent " + std::to_string(s.reaped_by)) +
                                     " reaped it"});
    if (s.orphan_seen_ns > 0)
      info_.facts.push_back(Fact{p, tick(s.orphan_seen_ns),
                                 std::string(s.name) + ": getppid() returned the runner (pid 1, real pid " +
                                     std::to_string(sh_->runner_pid) + ") once its parent " +
                                     std::to_string(s.parent) + " had exited"});
  }
  if (deadlock_) {
    r.deadlock = true;
    r.stuck = stuck_;
    r.makespan = std::max(r.makespan, tick(hang_ns_));
  }
  if (!info_.stopped.empty()) r.makespan = std::max(r.makespan, tick(end_ns_));
  advance(r.makespan);
  std::sort(info_.facts.begin(), info_.facts.end(), [](const Fact& a, const Fact& b) {
    return a.tick != b.tick ? a.tick < b.tick : a.pid < b.pid;
  });

  for (auto& c : r.cores) c.busy = std::min(c.busy, r.makespan);

  r.files = final_files_;
  // Per-object statistics: uses, waits and the longest queue counted in shared
  // memory by the operations themselves, blocked time from the merged states.
  for (std::size_t i = 0; i < sc_.objects.size() && i < static_cast<std::size_t>(kMaxObjects); ++i) {
    const SharedObject& o = sh_->objects[i];
    ObjectStats st;
    st.uses = o.uses;
    st.waits = o.waits;
    st.max_waiting = o.max_waiting;
    auto it = object_ns.find(static_cast<std::int16_t>(i));
    st.blocked = it == object_ns.end() ? 0 : ticks_of(it->second);
    r.object_stats.push_back(st);
  }
  if (std::int64_t rr = sh_->rr_interval_ns.load(); rr > 0) info_.rr_interval_us = rr / 1000;
  if (sh_->policy_failed.load()) {
    info_.policy_note += (info_.policy_note.empty() ? "" : "; ") +
                         std::string("some processes could not set ") + info_.policy + " and ran under SCHED_OTHER";
  }
  if (deadlock_) {
    info_.exit_status = 3;
    info_.notes.push_back("hang detected: every live process waited, with no timeout, on a synchronisation object or a child for " +
                          std::to_string(opt_.hang_ms) + " ms; the runner killed them");
  }
  info_.folder_kept = opt_.keep;
  return r;
}

}  // namespace

std::vector<std::string> unsupported(const Scenario& s) {
  std::vector<std::string> why;
  std::set<std::string> ops;
  for (const auto& [name, prog] : s.programs)
    for (const auto& in : prog->code)
      if (!supported(in.op)) ops.insert(std::string(to_string(in.op)) + " (" + in.path + ")");
  for (const auto& o : ops) why.push_back("operation " + o + " is not implemented in real mode yet");
  for (auto& w : sync_limits(s)) why.push_back(std::move(w));
  if (!s.machine.switch_on_io)
    why.push_back("switch_on_io false (uniprogramming) has no real equivalent: a sleeping Linux process never keeps its CPU");
  if (s.machine.io_channels > 0)
    why.push_back("io_channels (a modelled IO device queue) is not implemented in real mode");
  if (s.machine.io_completion == IoCompletion::Preempt)
    why.push_back("io_completion \"preempt\" is a model rule; real mode cannot force it");
  for (const auto& p : s.processes)
    for (CoreId c : p.affinity)
      if (c >= s.machine.cores) why.push_back(p.path + ": affinity core " + std::to_string(c) + " is beyond the cores");
  return why;
}

RealRun run_real(const Scenario& s, const RealOptions& o) {
  Runner runner(s, o);
  return runner.run();
}

std::string format_real_info(const RealRun& run) {
  const RealInfo& i = run.info;
  std::ostringstream out;
  out << "backend   real Linux processes: " << i.policy;
  if (i.rr_interval_us > 0) out << " (kernel quantum " << i.rr_interval_us / 1000.0 << " ms)";
  out << ", CPUs";
  for (int c : i.cpus) out << " " << c;
  out << ", wall " << i.wall_us / 1000.0 << " ms (limit " << i.wall_limit_ms << " ms, simulator predicts "
      << i.predicted_makespan << " ticks), load " << i.load1 << " at start\n";
  if (i.load1 >= 0.5 * static_cast<double>(std::max<std::size_t>(1, i.cpus.size())))
    out << "          warning: the machine was busy at start (load " << i.load1
        << "): expect timing to stretch, above all under SCHED_OTHER\n";
  if (!i.policy_note.empty()) out << "          " << i.policy_note << "\n";
  for (const auto& n : i.notes) out << "          note: " << n << "\n";
  if (!i.stopped.empty()) out << "          STOPPED: " << i.stopped << "; every process was killed and reaped\n";
  if (i.events_dropped > 0) out << "          " << i.events_dropped << " events dropped (log full)\n";
  out << "          run folder " << i.folder << (i.folder_kept ? " (kept)" : " (removed)") << "\n";
  if (!i.facts.empty()) {
    out << "observed\n";
    for (const auto& f : i.facts) out << "  tick " << f.tick << ", pid " << f.pid << ": " << f.text << "\n";
  }
  out << "real pids";
  for (const auto& [p, real] : i.real_pids) out << "  " << p << "=" << real;
  out << "\n";
  return out.str();
}

}  // namespace mpsim::os
