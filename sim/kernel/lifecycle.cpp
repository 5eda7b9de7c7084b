// Process lifecycle rules of semantics.md §4: exit, zombies and reaping,
// orphans adopted by init, daemons dying with their parent, signals.
#include <algorithm>

#include "kernel/kernel.hpp"

namespace mpsim::detail {

void Kernel::reap(Process& z, Pid reaper) {
  z.stats.reaped_at = now_;
  z.stats.reaped_by = reaper;
  set_state(z, ProcState::Reaped);
  log(EventKind::Reap, z.pid, 0, reaper);
}

// Live children are adopted by init; zombie children are reaped by init, which
// is always waiting. Daemons are terminated instead when `kill_daemons` (a
// normal exit; a signalled process runs no exit handling).
void Kernel::orphan_children(Process& p, bool kill_daemons) {
  for (Pid cpid : p.children) {
    Process& c = proc(cpid);
    if (c.parent != p.pid) continue;
    if (c.state == ProcState::Zombie) {
      reap(c, kInitPid);
    } else if (c.alive() && c.daemon && kill_daemons) {
      log(EventKind::DaemonKill, c.pid, 0, p.pid);
      signal_process(c, 15, p.pid);  // its parent is a zombie now, so init reaps it at once
    } else if (c.alive()) {
      c.parent = kInitPid;
      c.stats.orphaned_at = now_;
      log(EventKind::Orphan, c.pid, 0, p.pid);
    }
  }
}

void Kernel::exit_process(Process& p, std::int64_t code, bool normal) {
  if (Core* c = core_of(p)) release_core(*c);
  p.core = -1;
  p.stats.exit_code = code;
  p.stats.finish = now_;
  set_state(p, ProcState::Zombie);
  --live_;
  orphan_children(p, normal && scenario_.machine.exit_semantics == ExitSemantics::Posix);
  Process& parent = proc(p.parent);
  if (p.parent == kInitPid || parent.state == ProcState::Zombie) {
    reap(p, kInitPid);
  } else if (parent.state == ProcState::Blocked && parent.block == BlockReason::Join &&
             parent.join_target == p.pid) {
    ++parent.timer_gen;  // cancel the join timeout
    parent.wake_at = kNever;
    parent.join_target = kNoPid;
    reap(p, parent.pid);
    make_ready(parent);
  }
  if (p.pool >= 0) pools_.worker_exited(p);  // its task fails; the pool may replace it
  if (!pools_.empty()) pools_.creator_exited(p);
}

// Removes `p` from whatever it waits in, so that it can exit from any state.
void Kernel::detach(Process& p) {
  if (p.state == ProcState::Ready && p.core < 0) policy_->dequeue(p);
  if (Core* c = core_of(p)) release_core(*c);
  if (p.state != ProcState::Blocked) return;
  ++p.timer_gen;
  if (p.block == BlockReason::Io) {
    auto it = std::find(io_queue_.begin(), io_queue_.end(), p.pid);
    if (it != io_queue_.end()) io_queue_.erase(it);
    else finish_io_service(p);
  }
  leave_sync_wait(p);
}

void Kernel::signal_process(Process& target, int signo, Pid sender) {
  if (!target.alive()) return;  // already exited: like Python, nothing happens
  log(EventKind::Signal, target.pid, signo, sender);  // the sender in the 32-bit field: pids can pass 32767
  detach(target);
  exit_process(target, -signo, false);
}

void Kernel::fail(Process& p, const std::string& message) {
  log(EventKind::Error, p.pid, 0, static_cast<std::int32_t>(result_.errors.size()));
  result_.errors.push_back(ErrorRecord{now_, p.pid, message});
  p.stats.error = message;
  detach(p);
  exit_process(p, 1, true);
}

}  // namespace mpsim::detail
