// Synchronisation and IPC objects (semantics.md §7): locks, rlocks,
// semaphores, events, barriers, conditions and queues. Every wait queue is
// FIFO, a freed lock or semaphore is handed to its first waiter directly, and
// a waiter that times out leaves its queue at the boundary its timer fires.
#include <algorithm>

#include "kernel/kernel.hpp"

namespace mpsim::detail {

namespace {


// Takes `pid` out of the object's queues (a blocked put takes its message along).
void unqueue(SyncState& o, Pid pid) {
  auto it = std::find(o.waiters.begin(), o.waiters.end(), pid);
  if (it != o.waiters.end()) o.waiters.erase(it);
  std::erase(o.pollers, pid);
  std::erase_if(o.putters, [&](const auto& w) { return w.first == pid; });
}

}  // namespace

void Kernel::init_sync_objects() {
  sync_.reserve(scenario_.objects.size());
  for (const SyncObject& o : scenario_.objects) {
    // Built in place: moving a SyncState would allocate a fresh map for
    // each of the three deques left behind, costly under the sanitizers.
    SyncState& st = sync_.emplace_back();
    st.spec = &o;
    if (o.kind == SyncKind::Semaphore) st.count = o.value;
    result_.objects.push_back(std::string(o.pipe_end ? "pipe end" : to_string(o.kind)) + " " + o.name);
  }
}

Stop Kernel::sync_step(Process& p, const Instr& in, const EvalContext& ctx) {
  ++p.pc;  // before anything that blocks: the process resumes after the operation
  SyncState& o = sync_[static_cast<std::size_t>(in.obj)];
  ++o.stats.uses;
  Tick timeout = in.has_timeout ? in.timeout.eval_int(ctx, "timeout") : kNever;
  if (timeout < 0) throw RuntimeError("timeout needs a non-negative amount, '" + in.timeout.source() + "' is " + std::to_string(timeout));
  switch (in.op) {
    case OpCode::Acquire: return acquire(p, in, timeout);
    case OpCode::Release: release(p, o); break;
    case OpCode::SetEvent: set_event(p, in.obj); break;
    case OpCode::ClearEvent: o.count = 0; break;
    case OpCode::IsSet: p.vars.set(in.target, Value{o.count != 0}); break;
    case OpCode::Wait:
      if (o.spec->kind == SyncKind::Barrier) return barrier_wait(p, in);
      if (o.spec->kind == SyncKind::Condition) return condition_wait(p, in, timeout);
      return event_wait(p, in, timeout);
    case OpCode::Notify: notify(p, in.obj, in.amount.eval_int(ctx, "notify count")); break;
    case OpCode::NotifyAll: notify(p, in.obj, INT64_MAX); break;
    case OpCode::Put: return put(p, in, in.amount.eval(ctx), timeout);
    case OpCode::Get: return get(p, in, timeout);
    case OpCode::QSize: p.vars.set(in.target, Value{static_cast<std::int64_t>(o.items.size())}); break;
    default: break;
  }
  return Stop::None;
}

// Blocks `p` in the FIFO queue of object `obj`, or, with a zero timeout,
// gives up at once (like a non-blocking call).
Stop Kernel::enter_wait(Process& p, const Instr& in, std::int32_t obj, Tick timeout) {
  if (timeout == 0) {
    set_wait_result(p, in, false);
    return Stop::None;
  }
  SyncState& o = sync_[static_cast<std::size_t>(obj)];
  o.waiters.push_back(p.pid);
  p.wait_obj = obj;
  p.wait_op = &in;
  note_wait(p, in);
  block(p, block_reason(o.spec->kind), timeout);
  return Stop::Blocked;
}

// The "into"/"ok" variables of a finished (or abandoned) wait. Queue messages
// and barrier indices are stored by their own operations.
void Kernel::set_wait_result(Process& p, const Instr& in, bool ok) {
  if (!ok && (in.op == OpCode::Put || in.op == OpCode::Get) && in.flag.empty())
    throw RuntimeError(std::string(to_string(in.op)) + " on queue `" + in.object + "` timed out (Python raises queue." +
                       (in.op == OpCode::Get ? "Empty" : "Full") + "; give \"ok\" to test for it instead)");
  bool result_is_flag = in.op == OpCode::Acquire || in.op == OpCode::Poll ||
                        (in.op == OpCode::Wait && sync_[static_cast<std::size_t>(in.obj)].spec->kind != SyncKind::Barrier);
  if (result_is_flag && !in.target.empty()) p.vars.set(in.target, Value{ok});
  if (!in.flag.empty()) p.vars.set(in.flag, Value{ok});
}

// A blocked waiter's wait is over: store its result and make it ready.
void Kernel::end_wait(Process& p, bool ok) {
  const Instr& in = *p.wait_op;
  clear_wait(p);
  ++p.timer_gen;  // cancel its timeout
  p.wake_at = kNever;
  set_wait_result(p, in, ok);
  make_ready(p);
}

// Per-object statistics: a wait is charged to the object its operation named
// (a condition, also while its waiter queues for the lock again).
void Kernel::note_wait(Process& p, const Instr& in) {
  SyncState& o = sync_[static_cast<std::size_t>(in.obj)];
  ++o.stats.waits;
  p.wait_since = now_;
  auto queued = static_cast<std::int64_t>(o.waiters.size() + o.putters.size());
  o.stats.max_waiting = std::max(o.stats.max_waiting, queued);
}

void Kernel::clear_wait(Process& p) {
  if (p.wait_op && p.state == ProcState::Blocked)
    sync_[static_cast<std::size_t>(p.wait_op->obj)].stats.blocked += now_ - p.wait_since;
  p.wait_obj = -1;
  p.wait_op = nullptr;
  p.wait_reacquire = false;
  p.wait_timed_out = false;
}

// --- locks, rlocks and semaphores ---

Stop Kernel::acquire(Process& p, const Instr& in, Tick timeout) {
  SyncState& o = sync_[static_cast<std::size_t>(in.obj)];
  if (o.spec->kind == SyncKind::Semaphore && o.count > 0) {
    --o.count;
    ++o.held[p.pid];
  } else if (o.is_lock() && o.holder == kNoPid) {
    o.holder = p.pid;
    o.count = 1;
  } else if (o.spec->kind == SyncKind::RLock && o.holder == p.pid) {
    ++o.count;  // recursion: no hand-over happens, so nothing to log
    set_wait_result(p, in, true);
    return Stop::None;
  } else {
    // A lock held by `p` itself blocks it forever: locks are not recursive.
    p.wait_depth = 1;
    return enter_wait(p, in, in.obj, timeout);
  }
  log_sync(p, SyncOp::Acquire, in.obj);
  set_wait_result(p, in, true);
  return Stop::None;
}

void Kernel::release(Process& p, SyncState& o) {
  std::int32_t id = static_cast<std::int32_t>(&o - sync_.data());
  if (o.spec->kind == SyncKind::Semaphore) {
    if (o.waiters.empty() && o.spec->bounded && o.count >= o.spec->value)
      throw RuntimeError("semaphore `" + o.spec->name + "` released too many times (bounded at " +
                         std::to_string(o.spec->value) + "; Python raises ValueError)");
    auto h = o.held.find(p.pid);
    if (h != o.held.end() && h->second > 0) --h->second;  // a zero entry stays (see SyncState::held)
    log_sync(p, SyncOp::Release, id);
    if (o.waiters.empty()) {
      ++o.count;
      return;
    }
    Process& next = proc(next_waiter(o, id));  // the unit goes straight to the first waiter
    ++o.held[next.pid];
    log_sync(next, SyncOp::Acquire, id);
    end_wait(next, true);
    return;
  }
  if (o.holder != p.pid)
    throw RuntimeError("release of " + quoted(*o.spec) + ", which " + p.name + " does not hold");
  if (--o.count > 0) return;  // an rlock acquired again: still held
  log_sync(p, SyncOp::Release, id);
  free_lock(id);
}

// The lock is free: it goes to its first waiter, if any (FIFO hand-over).
void Kernel::free_lock(std::int32_t id) {
  SyncState& o = sync_[static_cast<std::size_t>(id)];
  o.holder = kNoPid;
  o.count = 0;
  if (o.waiters.empty()) return;
  Process& next = proc(next_waiter(o, id));
  o.holder = next.pid;
  o.count = next.wait_depth;  // 1, or an rlock's depth restored after a condition wait
  log_sync(next, SyncOp::Acquire, id);
  end_wait(next, !next.wait_timed_out);
}

// --- events ---

void Kernel::set_event(Process& p, std::int32_t id) {
  SyncState& o = sync_[static_cast<std::size_t>(id)];
  o.count = 1;
  log_sync(p, SyncOp::Set, id);
  while (!o.waiters.empty()) {  // all waiters wake, in the order they began waiting
    Process& w = proc(o.waiters.front());
    o.waiters.pop_front();
    log_sync(w, SyncOp::Wake, id);
    end_wait(w, true);
  }
}

Stop Kernel::event_wait(Process& p, const Instr& in, Tick timeout) {
  SyncState& o = sync_[static_cast<std::size_t>(in.obj)];
  if (o.count == 0) return enter_wait(p, in, in.obj, timeout);
  log_sync(p, SyncOp::Wake, in.obj);
  set_wait_result(p, in, true);
  return Stop::None;
}

// --- barriers ---

// The last of `parties` arrivals trips the barrier: everyone passes, the
// waiters in arrival order, and the barrier starts its next generation. A
// waiter that is terminated still counts as arrived, as in Python.
Stop Kernel::barrier_wait(Process& p, const Instr& in) {
  SyncState& o = sync_[static_cast<std::size_t>(in.obj)];
  std::int64_t index = o.count++;
  log_sync(p, SyncOp::Arrive, in.obj, o.generation);
  if (!in.target.empty()) p.vars.set(in.target, Value{index});
  if (o.count < o.spec->value) return enter_wait(p, in, in.obj, kNever);
  while (!o.waiters.empty()) {
    Process& w = proc(o.waiters.front());
    o.waiters.pop_front();
    log_sync(w, SyncOp::Pass, in.obj, o.generation);
    end_wait(w, true);
  }
  log_sync(p, SyncOp::Pass, in.obj, o.generation);
  o.count = 0;
  ++o.generation;
  return Stop::None;
}

// --- conditions ---

SyncState& Kernel::held_condition_lock(const Process& p, const SyncState& cond, const char* what) {
  SyncState& lock = sync_[static_cast<std::size_t>(cond.spec->lock)];
  if (lock.holder != p.pid)
    throw RuntimeError(std::string(what) + " on condition `" + cond.spec->name + "` needs its lock `" +
                       lock.spec->name + "`, which " + p.name + " does not hold (Python: cannot " + what +
                       " on un-acquired lock)");
  return lock;
}

// Releases the lock fully (an rlock at any depth), waits for a notify, then
// waits for the lock again; the whole time counts as blocked on the condition.
Stop Kernel::condition_wait(Process& p, const Instr& in, Tick timeout) {
  SyncState& cond = sync_[static_cast<std::size_t>(in.obj)];
  SyncState& lock = held_condition_lock(p, cond, "wait");
  p.wait_depth = lock.count;
  log_sync(p, SyncOp::Release, cond.spec->lock);
  free_lock(cond.spec->lock);
  p.wait_obj = in.obj;
  p.wait_op = &in;
  if (timeout == 0) {  // gives up at once, but must still get the lock back
    p.wait_timed_out = true;
    return reacquire(p) ? Stop::None : Stop::Blocked;
  }
  cond.waiters.push_back(p.pid);
  note_wait(p, in);
  block(p, BlockReason::Condition, timeout);
  return Stop::Blocked;
}

void Kernel::notify(Process& p, std::int32_t id, std::int64_t n) {
  SyncState& cond = sync_[static_cast<std::size_t>(id)];
  held_condition_lock(p, cond, "notify");
  log_sync(p, SyncOp::Notify, id);
  for (; n > 0 && !cond.waiters.empty(); --n) {
    Process& w = proc(cond.waiters.front());
    cond.waiters.pop_front();
    log_sync(w, SyncOp::Notified, id);
    reacquire(w);  // the notifier holds the lock, so this always queues
  }
}

// A condition waiter, notified or timed out, queues for the condition's lock;
// true when it got the lock at once (then it is no longer waiting).
bool Kernel::reacquire(Process& p) {
  const SyncObject& cond = *sync_[static_cast<std::size_t>(p.wait_obj)].spec;
  SyncState& lock = sync_[static_cast<std::size_t>(cond.lock)];
  p.wait_obj = cond.lock;
  p.wait_reacquire = true;
  if (lock.holder != kNoPid) {
    lock.waiters.push_back(p.pid);
    if (p.state == ProcState::Blocked) {
      ++p.timer_gen;  // the timeout is spent; the lock has none
      p.wake_at = kNever;
    } else {
      note_wait(p, *p.wait_op);
      block(p, BlockReason::Condition, kNever);
    }
    return false;
  }
  lock.holder = p.pid;
  lock.count = p.wait_depth;
  log_sync(p, SyncOp::Acquire, cond.lock);
  bool ok = !p.wait_timed_out;
  if (p.state == ProcState::Blocked) {
    end_wait(p, ok);
  } else {  // wait(timeout=0) on a running process: nothing to wake
    const Instr& in = *p.wait_op;
    clear_wait(p);
    set_wait_result(p, in, ok);
  }
  return true;
}

// --- queues ---

Stop Kernel::put(Process& p, const Instr& in, Value v, Tick timeout) {
  SyncState& q = sync_[static_cast<std::size_t>(in.obj)];
  if (!q.waiters.empty()) {  // a getter is waiting, so the queue is empty: hand it over
    std::int32_t id = q.next_message++;
    log_sync(p, SyncOp::Put, in.obj, id);
    Process& g = proc(q.waiters.front());
    q.waiters.pop_front();
    deliver(g, in.obj, id, std::move(v));
  } else if (q.full()) {
    if (timeout == 0) {
      set_wait_result(p, in, false);
      return Stop::None;
    }
    q.putters.emplace_back(p.pid, std::move(v));
    p.wait_obj = in.obj;
    p.wait_op = &in;
    note_wait(p, in);
    block(p, BlockReason::Queue, timeout);
    return Stop::Blocked;
  } else {
    std::int32_t id = q.next_message++;
    q.items.emplace_back(id, std::move(v));
    log_sync(p, SyncOp::Put, in.obj, id);
    if (!q.pollers.empty()) wake_pollers(q);
  }
  set_wait_result(p, in, true);
  return Stop::None;
}

Stop Kernel::get(Process& p, const Instr& in, Tick timeout) {
  SyncState& q = sync_[static_cast<std::size_t>(in.obj)];
  if (q.items.empty()) return enter_wait(p, in, in.obj, timeout);
  auto [id, v] = std::move(q.items.front());
  q.items.pop_front();
  log_sync(p, SyncOp::Get, in.obj, id);
  if (!in.target.empty()) p.vars.set(in.target, std::move(v));
  set_wait_result(p, in, true);
  if (!q.putters.empty()) {  // room now: the first blocked put completes
    auto [pid, msg] = std::move(q.putters.front());
    q.putters.pop_front();
    std::int32_t next = q.next_message++;
    q.items.emplace_back(next, std::move(msg));
    Process& w = proc(pid);
    log_sync(w, SyncOp::Put, in.obj, next);
    end_wait(w, true);
  }
  return Stop::None;
}

// Message `id` goes straight to blocked getter `g`.
void Kernel::deliver(Process& g, std::int32_t obj, std::int32_t id, Value v) {
  log_sync(g, SyncOp::Get, obj, id);
  if (!g.wait_op->target.empty()) g.vars.set(g.wait_op->target, std::move(v));
  end_wait(g, true);
}

// --- timeouts, termination and the deadlock report ---

// Phase 1: the timeout of a synchronisation wait fired.
void Kernel::sync_timeout(Process& p) {
  SyncState& o = sync_[static_cast<std::size_t>(p.wait_obj)];
  unqueue(o, p.pid);
  if (o.spec->kind == SyncKind::Condition) {
    p.wait_timed_out = true;
    reacquire(p);
    return;
  }
  std::string path = p.wait_op->path;
  try {
    end_wait(p, false);
  } catch (const RuntimeError& e) {  // a queue timeout without "ok"
    fail(p, path + ": " + e.what());
  }
}

void Kernel::leave_sync_wait(Process& p) {
  if (p.wait_obj < 0) return;
  SyncState& o = sync_[static_cast<std::size_t>(p.wait_obj)];
  unqueue(o, p.pid);
  clear_wait(p);
}

// End of the run: charge the waits still going on, and publish the statistics.
void Kernel::finish_sync_stats() {
  for (std::size_t i = 2; i < procs_.size(); ++i) {
    const Process& p = procs_[i];
    if (p.wait_op && p.state == ProcState::Blocked)
      sync_[static_cast<std::size_t>(p.wait_op->obj)].stats.blocked += now_ - p.wait_since;
  }
  for (const SyncState& o : sync_) result_.object_stats.push_back(o.stats);
}

void Kernel::describe_sync_wait(const Process& p, StuckProcess& s) const {
  const SyncState& o = sync_[static_cast<std::size_t>(p.wait_obj)];
  const SyncObject& spec = *o.spec;
  s.object = std::string(spec.pipe_end ? "pipe end" : to_string(spec.kind)) + " " + spec.name;
  s.waits_for = quoted(spec);
  switch (spec.kind) {
    case SyncKind::Lock:
    case SyncKind::RLock:
      if (o.holder != kNoPid) s.holders.push_back(o.holder);
      if (p.wait_reacquire)
        s.waits_for += " (to return from waiting on condition `" + p.wait_op->object + "`)";
      break;
    case SyncKind::Semaphore:
      s.waits_for += " (value 0)";
      for (const auto& [pid, n] : o.held)
        if (n > 0) s.holders.push_back(pid);
      break;
    case SyncKind::Event: s.waits_for += " to be set"; break;
    case SyncKind::Barrier:
      s.waits_for += " (" + std::to_string(o.count) + " of " + std::to_string(spec.value) + " parties arrived)";
      break;
    case SyncKind::Condition: s.waits_for = "a notify on " + s.waits_for; break;
    case SyncKind::Queue:
      if (spec.pipe_end) {
        s.waits_for = p.wait_op->op == OpCode::Send ? "room in " + s.waits_for + ", which is full (capacity " +
                                                          std::to_string(spec.value) + ")"
                                                    : "a message at " + s.waits_for + ", which is empty";
        break;
      }
      s.waits_for = p.wait_op->op == OpCode::Get
                        ? "a message on " + s.waits_for + ", which is empty"
                        : "room on " + s.waits_for + ", which is full (capacity " + std::to_string(spec.value) + ")";
      break;
  }
}

}  // namespace mpsim::detail
