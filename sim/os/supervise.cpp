// The real-OS runner, supervising (runner.hpp): the loop that forks on time,
// reaps whatever exits into the runner's arms (its children and every orphan),
// takes signals synchronously, enforces the wall-time limit and detects hangs;
// and the kill-and-reap that ends every way out.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "os/runner.hpp"
#include "os/sync_objects.hpp"

namespace mpsim::os::detail {

Pid Runner::pid_of_real(pid_t real) {
  for (Pid p = 2; p < sh_->next_pid.load() && p < kMaxSlots; ++p)
    if (sh_->slots[p].real_pid.load() == real) return p;
  return kNoPid;
}

// Reaps every exited process handed to the runner (its children and orphans).
void Runner::reap_ready(bool block) {
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

bool Runner::all_reaped() const {
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
bool Runner::hung(std::int64_t now) {
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

void Runner::loop() {
  std::vector<Initial> pending = initial_processes();
  std::size_t next = 0;
  t0_ = mono_ns();
  sh_->t0_ns = t0_;
  sh_->last_activity_ns.store(t0_);
  std::int64_t limit_ns = t0_ + info_.wall_limit_ms * 1000000;
  for (;;) {
    std::int64_t now = mono_ns();
    std::size_t first = next;
    while (next < pending.size() && t0_ + pending[next].at_ns <= now) fork_initial(pending[next++]);
    open_gates(pending, first, next);
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

void Runner::snapshot_stuck() {
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
void Runner::kill_all() {
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

void Runner::finish_guardian() {
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

}  // namespace mpsim::os::detail
