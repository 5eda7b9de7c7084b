// The real-OS runner, launching (runner.hpp): the guardian that cleans up if
// the runner dies, the simulator's prediction of the makespan (in a budgeted
// child), and the initial processes, built as the simulator builds them and
// forked at their arrival times.
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>

#include "mpsim/kernel/machine.hpp"
#include "os/runner.hpp"

namespace mpsim::os::detail {

namespace {

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

// Bytes of address space this process has mapped (VmSize), 0 if unknown.
std::uint64_t address_space_in_use() {
  std::ifstream f("/proc/self/statm");
  std::uint64_t pages = 0;
  if (!(f >> pages)) return 0;
  return pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

// The simulator's makespan, computed in a child with a CPU and memory budget:
// a scenario that never ends in the model (an unbounded fork loop) must not
// take the runner down with it. -1 when there is no answer within budget.
std::int64_t Runner::predict_makespan() {
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
    // The memory budget is 1 GiB on top of the address space already in use,
    // not 1 GiB in all: under AddressSanitizer the process has reserved
    // terabytes of shadow memory before main, so an absolute 1 GiB made every
    // new mapping in this child fail ("ERROR: Failed to mmap") whenever the
    // simulation needed one, and the prediction was lost.
    rlimit cpu{1, 2};
    setrlimit(RLIMIT_CPU, &cpu);
    if (std::uint64_t in_use = address_space_in_use(); in_use > 0) {
      rlimit mem{in_use + kPredictMemory, in_use + kPredictMemory};
      setrlimit(RLIMIT_AS, &mem);
    }
    std::int64_t m = -1;
    try {
      RunOptions ro = opt_.sim_limits;
      ro.record_events = false;
      RunResult r = simulate(sc_, ro);
      if (r.stopped.empty()) m = r.makespan;  // stopped by a limit: no prediction
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

void Runner::start_guardian() {
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

// The initial processes, built exactly as the simulator builds them.
std::vector<Runner::Initial> Runner::initial_processes() {
  std::vector<Initial> out;
  Pid pid = 2;
  for (const ProcessSpec& spec : sc_.processes) {
    for (std::int32_t i = 0; i < spec.count; ++i, ++pid) {
      auto [name, vars] = mpsim::detail::initial_identity(spec, i, pid);
      Process p;
      p.begin(pid, kInitPid, std::move(name), *sc_.programs.at(spec.program), std::move(vars));
      p.priority = spec.priority;
      p.nice = spec.nice;
      p.tickets = spec.tickets;
      p.affinity = spec.affinity;
      p.daemon = spec.daemon;
      Slot& s = sh_->slots[pid];
      s.parent = kInitPid;
      s.cur_core = -1;
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

// Pins `who` (0: the caller) to the CPUs of its scenario cores. Both sides of
// the fork do it, so the child runs on them from its first instruction.
void Runner::pin(pid_t who, const Process& proc) const {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (proc.affinity.empty()) {
    for (int c : setup_.cpus) CPU_SET(c, &set);
  } else {
    for (CoreId c : proc.affinity) CPU_SET(setup_.cpus[static_cast<std::size_t>(c)], &set);
  }
  sched_setaffinity(who, sizeof set, &set);
}

void Runner::fork_initial(Initial& in) {
  Slot& s = sh_->slots[in.proc.pid];
  s.arrival_ns = mono_ns();
  s.started.store(1);
  record(*sh_, in.proc.pid, EventKind::Spawn, 0, kInitPid);
  s.hold.store(1);  // it waits at its start until every process due with it is forked
  pid_t r = fork();
  if (r < 0) {
    // The process never existed: say why in the result, as a runtime error of its own.
    std::int32_t t =
        store_text(*sh_, in.proc.pid, true, std::string("fork failed: ") + std::strerror(errno));
    s.error_text = t;
    if (t >= 0) record(*sh_, in.proc.pid, EventKind::Error, 0, t);
    s.reaped.store(1);
    note_exit(*sh_, in.proc.pid, mono_ns(), 1);
    return;
  }
  if (r == 0) {
    setpgid(0, static_cast<pid_t>(sh_->pgid));
    pin(0, in.proc);
    run_process(setup_, std::move(in.proc));
  }
  setpgid(r, static_cast<pid_t>(sh_->pgid));
  s.real_pid.store(r);
  pin(r, in.proc);
  if (setup_.policy != SCHED_OTHER) {
    sched_param sp{};
    sp.sched_priority = setup_.rt_priority;
    if (sched_setscheduler(r, setup_.policy, &sp) != 0) sh_->policy_failed.store(1);
  }
}

// Lets the initial processes pending[first, last) start, all at once: they
// were forked one after the other, and a fork takes long enough (milliseconds
// under AddressSanitizer) for the first to run ticks before the last exists,
// which would turn a race the scenario means to show (two workers taking
// two locks in opposite orders) into no race at all.
void Runner::open_gates(std::vector<Initial>& pending, std::size_t first, std::size_t last) {
  for (std::size_t i = first; i < last; ++i) {
    Slot& s = sh_->slots[pending[i].proc.pid];
    s.hold.store(0);
    static_assert(sizeof(s.hold) == sizeof(std::uint32_t),
                  "the futex syscall reads `hold` as a 32-bit word");
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&s.hold), FUTEX_WAKE, INT_MAX, nullptr,
            nullptr, 0);
  }
}

}  // namespace mpsim::os::detail
