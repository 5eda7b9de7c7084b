// Synchronisation and IPC objects in real mode (see sync_objects.hpp): locks,
// rlocks, semaphores, events, barriers, conditions and queues with the
// simulator's rules (sim/sync.cpp), FIFO hand-over and the same Sync events.
#include "os/sync_objects.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace mpsim::os::detail {

using mpsim::detail::Stop;

namespace {



void futex_wake(std::atomic<std::uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

// Sleeps while `word` is 0, at most until `deadline_ns` (CLOCK_MONOTONIC; < 0: no deadline).
void futex_wait(std::atomic<std::uint32_t>& word, std::int64_t deadline_ns) {
  timespec ts{};
  timespec* at = nullptr;
  if (deadline_ns >= 0) {
    ts.tv_sec = static_cast<time_t>(deadline_ns / 1000000000);
    ts.tv_nsec = static_cast<long>(deadline_ns % 1000000000);
    at = &ts;
  }
  // FUTEX_WAIT_BITSET takes an absolute deadline on CLOCK_MONOTONIC.
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_BITSET, 0u, at, nullptr,
          FUTEX_BITSET_MATCH_ANY);
}

// --- intrusive FIFO lists (guard held) ---

void enqueue(Shared& sh, std::int32_t obj, bool putters, Pid pid) {
  SharedObject& o = sh.objects[obj];
  WaitCell& c = sh.cells[pid];
  std::int32_t& head = putters ? o.phead : o.head;
  std::int32_t& tail = putters ? o.ptail : o.tail;
  c.next = 0;
  c.list = obj + 1;
  c.putter = putters ? 1 : 0;
  if (tail != 0) sh.cells[tail].next = pid;
  else head = pid;
  tail = pid;
  ++o.queued;
}

bool unlink(Shared& sh, std::int32_t obj, bool putters, Pid pid) {
  SharedObject& o = sh.objects[obj];
  std::int32_t& head = putters ? o.phead : o.head;
  std::int32_t& tail = putters ? o.ptail : o.tail;
  Pid prev = 0;
  for (Pid cur = head; cur != 0; prev = cur, cur = sh.cells[cur].next) {
    if (cur != pid) continue;
    Pid next = sh.cells[cur].next;
    if (prev == 0) head = next;
    else sh.cells[prev].next = next;
    if (tail == cur) tail = prev;
    sh.cells[cur].next = 0;
    sh.cells[cur].list = 0;
    --o.queued;
    return true;
  }
  return false;
}

// The first waiter that can still be served (doomed ones are dropped), or 0.
Pid take_first(Shared& sh, std::int32_t obj, bool putters) {
  for (;;) {
    SharedObject& o = sh.objects[obj];
    Pid first = putters ? o.phead : o.head;
    if (first == 0) return 0;
    unlink(sh, obj, putters, first);
    if (!sh.cells[first].doomed.load()) return first;
  }
}

bool has_waiters(const SharedObject& o) { return o.head != 0; }

void log_sync(Shared& sh, Pid pid, SyncOp op, std::int32_t obj, std::int32_t arg = 0) {
  record(sh, pid, EventKind::Sync, static_cast<int>(op), arg, static_cast<std::int16_t>(obj));
}

}  // namespace

// --- queue messages (also pool task arguments and results) ---

void to_message(Message& m, const Value& v, const std::string& queue) {
  m.number = 0;
  m.length = 0;
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    m.type = 0;
    m.number = *i;
  } else if (const auto* b = std::get_if<bool>(&v)) {
    m.type = 1;
    m.number = *b ? 1 : 0;
  } else {
    const std::string& s = std::get<std::string>(v);
    if (s.size() > kMessageText)
      throw RuntimeError("a string of " + std::to_string(s.size()) + " bytes cannot go on queue `" + queue +
                         "` in real mode (at most " + std::to_string(kMessageText) + " bytes in shared memory)");
    m.type = 2;
    m.length = static_cast<std::uint16_t>(s.size());
    std::memcpy(m.text, s.data(), s.size());
  }
}

Value from_message(const Message& m) {
  if (m.type == 0) return Value{m.number};
  if (m.type == 1) return Value{m.number != 0};
  return Value{std::string(m.text, m.length)};
}

namespace {

/// One operation of one process, with the guard held throughout except while it sleeps.
class Op {
 public:
  Op(Shared& sh, const Scenario& s, Process& p, const Instr& in, SyncHost& host, std::int64_t deadline)
      : sh_(sh), sc_(s), p_(p), in_(in), host_(host), cell_(sh.cells[p.pid]), deadline_(deadline), g_(sh) {}

  Stop run(Tick timeout, const Value& value, std::int64_t n) {
    timeout_ = timeout;
    SharedObject& o = obj(in_.obj);
    ++o.uses;
    switch (in_.op) {
      case OpCode::Acquire: return acquire();
      case OpCode::Release: release(in_.obj); break;
      case OpCode::SetEvent: set_event(); break;
      case OpCode::ClearEvent: o.count = 0; break;
      case OpCode::IsSet: p_.vars.set(in_.target, Value{o.count != 0}); break;
      case OpCode::Wait:
        if (spec(in_.obj).kind == SyncKind::Barrier) return barrier_wait();
        if (spec(in_.obj).kind == SyncKind::Condition) return condition_wait();
        return event_wait();
      case OpCode::Notify: notify(n); break;
      case OpCode::NotifyAll: notify(INT64_MAX); break;
      case OpCode::Put: return put(value);
      case OpCode::Get: return get();
      case OpCode::QSize: p_.vars.set(in_.target, Value{static_cast<std::int64_t>(o.items)}); break;
      default: break;
    }
    return Stop::None;
  }

 private:
  SharedObject& obj(std::int32_t id) { return sh_.objects[id]; }
  const SyncObject& spec(std::int32_t id) const { return sc_.objects[static_cast<std::size_t>(id)]; }
  Pid self() const { return p_.pid; }

  // The "into"/"ok" variables of a finished wait (Kernel::set_wait_result).
  void set_result(bool ok) {
    if (!ok && (in_.op == OpCode::Put || in_.op == OpCode::Get) && in_.flag.empty())
      throw RuntimeError(std::string(to_string(in_.op)) + " on queue `" + in_.object + "` timed out (Python raises queue." +
                         (in_.op == OpCode::Get ? "Empty" : "Full") + "; give \"ok\" to test for it instead)");
    bool result_is_flag = in_.op == OpCode::Acquire || (in_.op == OpCode::Wait && spec(in_.obj).kind != SyncKind::Barrier);
    if (result_is_flag && !in_.target.empty()) p_.vars.set(in_.target, Value{ok});
    if (!in_.flag.empty()) p_.vars.set(in_.flag, Value{ok});
  }

  void note_wait(SharedObject& o) {
    ++o.waits;
    o.max_waiting = std::max<std::int64_t>(o.max_waiting, o.queued);
  }

  // Ends the wait of `pid`, which another process (or this one) decided.
  void grant(Pid pid) {
    WaitCell& c = sh_.cells[pid];
    c.granted = 1;
    c.word.store(1);
    if (pid != self()) futex_wake(c.word);
  }

  // Sleeps until the wait is granted (true) or, while `timed()` holds, the deadline passed (false).
  template <class Timed>
  bool await(Timed timed) {
    for (;;) {
      if (cell_.granted) return true;
      bool t = deadline_ >= 0 && timed();
      if (t && mono_ns() >= deadline_) return false;
      cell_.word.store(0);
      g_.unlock();
      futex_wait(cell_.word, t ? deadline_ : -1);
      g_.lock();
    }
  }

  // Queues in the object's FIFO list and waits; false on a timeout.
  bool wait_in_list(std::int32_t id, bool putter, BlockReason why) {
    cell_.granted = 0;
    enqueue(sh_, id, putter, self());
    note_wait(obj(id));
    host_.blocked(why, id, deadline_ >= 0);
    bool ok = await([] { return true; });
    if (!ok) unlink(sh_, id, putter, self());
    host_.resumed();
    return ok;
  }

  // --- locks, rlocks and semaphores ---

  Stop acquire() {
    std::int32_t id = in_.obj;
    SharedObject& o = obj(id);
    const SyncObject& sp = spec(id);
    bool is_lock = sp.kind == SyncKind::Lock || sp.kind == SyncKind::RLock;
    if (sp.kind == SyncKind::Semaphore && o.count > 0) {
      --o.count;
      ++cell_.held[id];
    } else if (is_lock && o.holder == 0) {
      o.holder = self();
      o.count = 1;
    } else if (sp.kind == SyncKind::RLock && o.holder == self()) {
      ++o.count;  // recursion: no hand-over, nothing to log
      set_result(true);
      return Stop::None;
    } else {
      // A lock held by this process itself waits forever: locks are not recursive.
      if (timeout_ == 0) {
        set_result(false);
        return Stop::None;
      }
      cell_.depth = 1;
      // The releaser logs the Acquire for us when it hands the lock over.
      set_result(wait_in_list(id, false, block_reason(sp.kind)));
      return Stop::Blocked;
    }
    log_sync(sh_, self(), SyncOp::Acquire, id);
    set_result(true);
    return Stop::None;
  }

  void release(std::int32_t id) {
    SharedObject& o = obj(id);
    const SyncObject& sp = spec(id);
    if (sp.kind == SyncKind::Semaphore) {
      if (!has_waiters(o) && sp.bounded && o.count >= sp.value)
        throw RuntimeError("semaphore `" + sp.name + "` released too many times (bounded at " + std::to_string(sp.value) +
                           "; Python raises ValueError)");
      if (cell_.held[id] > 0) --cell_.held[id];
      log_sync(sh_, self(), SyncOp::Release, id);
      Pid next = take_first(sh_, id, false);
      if (next == 0) {
        ++o.count;
        return;
      }
      ++sh_.cells[next].held[id];  // the unit goes straight to the first waiter
      log_sync(sh_, next, SyncOp::Acquire, id);
      grant(next);
      return;
    }
    if (o.holder != self()) throw RuntimeError("release of " + quoted(sp) + ", which " + p_.name + " does not hold");
    if (--o.count > 0) return;  // an rlock acquired again: still held
    log_sync(sh_, self(), SyncOp::Release, id);
    free_lock(id);
  }

  // The lock is free: it goes to its first waiter, if any (FIFO hand-over).
  void free_lock(std::int32_t id) {
    SharedObject& o = obj(id);
    o.holder = 0;
    o.count = 0;
    Pid next = take_first(sh_, id, false);
    if (next == 0) return;
    o.holder = next;
    o.count = sh_.cells[next].depth;  // 1, or an rlock's depth restored after a condition wait
    log_sync(sh_, next, SyncOp::Acquire, id);
    grant(next);
  }

  // --- events ---

  void set_event() {
    std::int32_t id = in_.obj;
    obj(id).count = 1;
    log_sync(sh_, self(), SyncOp::Set, id);
    while (Pid w = take_first(sh_, id, false)) {  // all waiters wake, in the order they began waiting
      log_sync(sh_, w, SyncOp::Wake, id);
      grant(w);
    }
  }

  Stop event_wait() {
    std::int32_t id = in_.obj;
    if (obj(id).count != 0) {
      log_sync(sh_, self(), SyncOp::Wake, id);
      set_result(true);
      return Stop::None;
    }
    if (timeout_ == 0) {
      set_result(false);
      return Stop::None;
    }
    set_result(wait_in_list(id, false, BlockReason::Event));
    return Stop::Blocked;
  }

  // --- barriers ---

  Stop barrier_wait() {
    std::int32_t id = in_.obj;
    SharedObject& o = obj(id);
    std::int64_t index = o.count++;
    std::int32_t gen = o.generation;
    log_sync(sh_, self(), SyncOp::Arrive, id, gen);
    if (!in_.target.empty()) p_.vars.set(in_.target, Value{index});
    if (o.count < spec(id).value) {
      deadline_ = -1;  // no timeout (a broken barrier is not modelled)
      wait_in_list(id, false, BlockReason::Barrier);
      return Stop::Blocked;
    }
    while (Pid w = take_first(sh_, id, false)) {
      log_sync(sh_, w, SyncOp::Pass, id, gen);
      grant(w);
    }
    log_sync(sh_, self(), SyncOp::Pass, id, gen);
    o.count = 0;
    ++o.generation;
    return Stop::None;
  }

  // --- conditions ---

  std::int32_t held_condition_lock(std::int32_t cond, const char* what) {
    std::int32_t lock = spec(cond).lock;
    if (obj(lock).holder != self())
      throw RuntimeError(std::string(what) + " on condition `" + spec(cond).name + "` needs its lock `" + spec(lock).name +
                         "`, which " + p_.name + " does not hold (Python: cannot " + what + " on un-acquired lock)");
    return lock;
  }

  // Releases the lock fully, waits for a notify (or the timeout), then queues
  // for the lock again; the whole time counts as blocked on the condition.
  Stop condition_wait() {
    std::int32_t id = in_.obj;
    std::int32_t lock = held_condition_lock(id, "wait");
    cell_.depth = static_cast<std::int32_t>(obj(lock).count);
    log_sync(sh_, self(), SyncOp::Release, lock);
    free_lock(lock);
    cell_.cond = id + 1;
    cell_.timed_out = 0;
    cell_.granted = 0;
    if (timeout_ == 0) {  // gives up at once, but must still get the lock back
      cell_.timed_out = 1;
      if (!reacquire(self())) {
        note_wait(obj(id));
        host_.blocked(BlockReason::Condition, id, false);  // charged to the condition, as in the simulator
        sh_.slots[self()].wait_object.store(lock);          // but what it waits for is the lock
      }
    } else {
      enqueue(sh_, id, false, self());
      note_wait(obj(id));
      host_.blocked(BlockReason::Condition, id, deadline_ >= 0);
    }
    bool waited = !cell_.granted;
    while (!await([&] { return cell_.list == id + 1; })) {
      // Timed out while still waiting for a notify: now it queues for the lock, untimed.
      unlink(sh_, id, false, self());
      cell_.timed_out = 1;
      reacquire(self());
    }
    if (waited) host_.resumed();
    bool ok = !cell_.timed_out;
    cell_.cond = 0;
    set_result(ok);
    return waited ? Stop::Blocked : Stop::None;
  }

  void notify(std::int64_t n) {
    std::int32_t id = in_.obj;
    held_condition_lock(id, "notify");
    log_sync(sh_, self(), SyncOp::Notify, id);
    for (; n > 0; --n) {
      Pid w = take_first(sh_, id, false);
      if (w == 0) break;
      log_sync(sh_, w, SyncOp::Notified, id);
      reacquire(w);  // the notifier holds the lock, so this always queues
    }
  }

  // Condition waiter `w`, notified or timed out, queues for the condition's
  // lock; true when it got the lock at once.
  bool reacquire(Pid w) {
    WaitCell& c = sh_.cells[w];
    std::int32_t lock = spec(c.cond - 1).lock;
    SharedObject& l = obj(lock);
    if (l.holder != 0) {
      enqueue(sh_, lock, false, w);
      Slot& s = sh_.slots[w];  // its timeout is spent: from now on it waits as long as the lock is held
      s.wait_object.store(lock);
      s.activity.store(kSyncWait);
      return false;
    }
    l.holder = w;
    l.count = c.depth;
    log_sync(sh_, w, SyncOp::Acquire, lock);
    grant(w);
    return true;
  }

  // --- pipes (semantics.md §14): queues with close, end of file and poll ---

 public:
  Stop pipe(Tick timeout, const Value& v) {
    timeout_ = timeout;
    if (in_.op == OpCode::ClosePipe) {
      pipe_close();
      return Stop::None;
    }
    std::int32_t own = in_.op == OpCode::Send ? in_.other : in_.obj;
    std::int32_t into = in_.op == OpCode::Send ? in_.obj : in_.other;
    if (own >= 0 ? obj(own).reader_closed : obj(into).writer_closed)
      throw RuntimeError(std::string(to_string(in_.op)) + " on pipe end `" + in_.object +
                         "`, which is closed (Python raises OSError: handle is closed)");
    SharedObject& o = obj(in_.obj);
    ++o.uses;
    if (in_.op == OpCode::Send) {
      if (o.reader_closed)
        throw RuntimeError("send on pipe end `" + in_.object + "`: the other end is closed (Python raises BrokenPipeError)");
      cell_.pipe_error = 0;
      Stop s = put(v);
      if (s == Stop::Blocked && cell_.pipe_error != 0) pipe_failed();
      return s;
    }
    if (in_.op == OpCode::Recv) return pipe_recv();
    return pipe_poll();
  }

 private:
  Stop pipe_recv() {
    SharedObject& o = obj(in_.obj);
    if (o.items > 0) return get();
    if (o.writer_closed) {
      log_sync(sh_, self(), SyncOp::Wake, in_.obj);  // the close happened before
      return end_of_file();
    }
    cell_.pipe_error = 0;
    wait_in_list(in_.obj, false, BlockReason::Queue);  // untimed: the putter or the closer logs for us
    if (cell_.pipe_error == 1) {
      cell_.pipe_error = 0;
      end_of_file();
      return Stop::Blocked;
    }
    if (cell_.pipe_error != 0) pipe_failed();
    if (!in_.target.empty()) p_.vars.set(in_.target, from_message(cell_.msg));
    set_result(true);
    return Stop::Blocked;
  }

  Stop end_of_file() {
    if (in_.flag.empty())
      throw RuntimeError("recv on pipe end `" + in_.object +
                         "`: the other end is closed and no message is left (Python raises EOFError; give \"ok\" "
                         "to test for it instead)");
    p_.vars.set(in_.flag, Value{false});
    return Stop::None;
  }

  [[noreturn]] void pipe_failed() {
    int e = cell_.pipe_error;
    cell_.pipe_error = 0;
    if (e == 2)
      throw RuntimeError("send on pipe end `" + in_.object + "`: the other end was closed (Python raises BrokenPipeError)");
    throw RuntimeError("pipe end `" + in_.object + "` was closed while waiting (Python raises OSError: handle is closed)");
  }

  // Polls the end's state every quarter tick: pollers are in no wait list, so a
  // message sent meanwhile goes to a blocked receiver, as in the simulator.
  Stop pipe_poll() {
    SharedObject& o = obj(in_.obj);
    auto ready = [&] { return o.items > 0 || o.writer_closed != 0; };
    if (ready() || timeout_ == 0) {
      p_.vars.set(in_.target, Value{ready()});
      return Stop::None;
    }
    note_wait(o);
    host_.blocked(BlockReason::Queue, in_.obj, true);
    bool r = false;
    for (;;) {
      if ((r = ready())) break;
      std::int64_t left = deadline_ - mono_ns();
      if (deadline_ >= 0 && left <= 0) break;
      std::int64_t nap = std::max<std::int64_t>(1000, sh_.tick_ns / 4);
      if (deadline_ >= 0) nap = std::min(nap, left);
      timespec ts{static_cast<time_t>(nap / 1000000000), static_cast<long>(nap % 1000000000)};
      g_.unlock();
      nanosleep(&ts, nullptr);
      g_.lock();
    }
    host_.resumed();
    p_.vars.set(in_.target, Value{r});
    return Stop::Blocked;
  }

  void pipe_close() {
    auto fail_all = [&](std::int32_t id, bool putters, std::int32_t code) {
      while (Pid w = take_first(sh_, id, putters)) {
        sh_.cells[w].pipe_error = code;
        grant(w);
      }
    };
    if (in_.obj >= 0 && !obj(in_.obj).reader_closed) {
      SharedObject& own = obj(in_.obj);
      ++own.uses;
      own.reader_closed = 1;
      fail_all(in_.obj, true, 2);
      fail_all(in_.obj, false, 3);
    }
    if (in_.other >= 0 && !obj(in_.other).writer_closed) {
      SharedObject& peer = obj(in_.other);
      if (in_.obj < 0) ++peer.uses;
      peer.writer_closed = 1;
      log_sync(sh_, self(), SyncOp::Set, in_.other);
      while (Pid w = take_first(sh_, in_.other, false)) {  // blocked receivers: the queue is empty
        log_sync(sh_, w, SyncOp::Wake, in_.other);
        sh_.cells[w].pipe_error = 1;
        grant(w);
      }
    }
  }

  // --- queues ---

  bool full(std::int32_t id) {
    std::int64_t cap = spec(id).value;
    return cap > 0 && obj(id).items >= cap;
  }

  void push_message(std::int32_t id, const Message& m) {
    SharedObject& o = obj(id);
    if (o.items >= o.cells)
      throw RuntimeError("queue `" + spec(id).name + "` would hold more than " + std::to_string(o.cells) +
                         " messages, the most an unbounded queue can hold in real mode");
    sh_.messages[o.base + (o.first + o.items) % o.cells] = m;
    ++o.items;
  }

  Stop put(const Value& v) {
    std::int32_t id = in_.obj;
    SharedObject& o = obj(id);
    Message m{};
    to_message(m, v, spec(id).name);
    if (Pid g = take_first(sh_, id, false)) {  // a getter is waiting, so the queue is empty: hand it over
      m.id = o.next_message++;
      log_sync(sh_, self(), SyncOp::Put, id, m.id);
      sh_.cells[g].msg = m;
      log_sync(sh_, g, SyncOp::Get, id, m.id);
      grant(g);
    } else if (full(id)) {
      if (timeout_ == 0) {
        set_result(false);
        return Stop::None;
      }
      cell_.msg = m;  // the getter that makes room logs our Put
      set_result(wait_in_list(id, true, BlockReason::Queue));
      return Stop::Blocked;
    } else {
      m.id = o.next_message;
      push_message(id, m);
      ++o.next_message;
      log_sync(sh_, self(), SyncOp::Put, id, m.id);
    }
    set_result(true);
    return Stop::None;
  }

  Stop get() {
    std::int32_t id = in_.obj;
    SharedObject& o = obj(id);
    if (o.items == 0) {
      if (timeout_ == 0) {
        set_result(false);
        return Stop::None;
      }
      bool ok = wait_in_list(id, false, BlockReason::Queue);  // the putter logs our Get
      if (ok && !in_.target.empty()) p_.vars.set(in_.target, from_message(cell_.msg));
      set_result(ok);
      return Stop::Blocked;
    }
    Message m = sh_.messages[o.base + o.first];
    o.first = (o.first + 1) % o.cells;
    --o.items;
    log_sync(sh_, self(), SyncOp::Get, id, m.id);
    if (!in_.target.empty()) p_.vars.set(in_.target, from_message(m));
    set_result(true);
    if (Pid w = take_first(sh_, id, true)) {  // room now: the first blocked put completes
      Message& pm = sh_.cells[w].msg;
      pm.id = o.next_message++;
      push_message(id, pm);
      log_sync(sh_, w, SyncOp::Put, id, pm.id);
      grant(w);
    }
    return Stop::None;
  }

  Shared& sh_;
  const Scenario& sc_;
  Process& p_;
  const Instr& in_;
  SyncHost& host_;
  WaitCell& cell_;
  std::int64_t deadline_;
  Tick timeout_ = kNever;
  RunGuard g_;
};

}  // namespace

namespace {

/// Evaluates nothing: used for expressions without variables or functions.
struct NoContext : EvalContext {
  std::optional<Value> variable(std::string_view) const override { return std::nullopt; }
  Value call(std::string_view f, const std::vector<Value>&) const override {
    throw RuntimeError("function " + std::string(f) + " in a constant");
  }
};

}  // namespace

std::vector<std::string> sync_limits(const Scenario& s) {
  std::vector<std::string> why;
  if (s.objects.size() > static_cast<std::size_t>(kMaxObjects))
    why.push_back("real mode holds at most " + std::to_string(kMaxObjects) + " synchronisation objects; the scenario declares " +
                  std::to_string(s.objects.size()));
  std::int64_t cells = 0;
  for (const auto& o : s.objects)
    if (o.kind == SyncKind::Queue) cells += o.value > 0 ? o.value : kUnboundedCells;
  // A message that is a constant string too long for a cell can be refused now;
  // a computed one is a runtime error when it is put.
  for (const auto& [name, prog] : s.programs)
    for (const auto& in : prog->code) {
      if (in.op != OpCode::Put || !in.amount.variables().empty() || !in.amount.functions().empty()) continue;
      try {
        Value v = in.amount.eval(NoContext{});
        if (const auto* str = std::get_if<std::string>(&v); str && str->size() > kMessageText)
          why.push_back(in.path + ": a message of " + std::to_string(str->size()) + " bytes cannot go on a queue in real mode (at most " +
                        std::to_string(kMessageText) + " bytes in shared memory)");
      } catch (const std::exception&) {
      }
    }
  if (cells > kMaxMessages)
    why.push_back("the queues need " + std::to_string(cells) + " message cells (capacity, or " +
                  std::to_string(kUnboundedCells) + " per unbounded queue); real mode has " + std::to_string(kMaxMessages) +
                  " in shared memory");
  return why;
}

void init_sync_objects(Shared& sh, const Scenario& s) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&sh.sync_guard, &attr);
  pthread_mutexattr_destroy(&attr);
  std::int32_t base = 0;
  for (std::size_t i = 0; i < s.objects.size() && i < static_cast<std::size_t>(kMaxObjects); ++i) {
    const SyncObject& o = s.objects[i];
    SharedObject& st = sh.objects[i];
    if (o.kind == SyncKind::Semaphore) st.count = o.value;
    if (o.kind == SyncKind::Queue) {
      st.base = base;
      st.cells = static_cast<std::int32_t>(o.value > 0 ? o.value : kUnboundedCells);
      base += st.cells;
    }
  }
}

Stop real_sync_step(Shared& sh, const Scenario& s, Process& p, const Instr& in, const EvalContext& ctx,
                                   SyncHost& host) {
  ++p.pc;  // the process goes on after the operation, whether it waits or not
  Tick timeout = in.has_timeout ? in.timeout.eval_int(ctx, "timeout") : kNever;
  if (timeout < 0)
    throw RuntimeError("timeout needs a non-negative amount, '" + in.timeout.source() + "' is " + std::to_string(timeout));
  Value value;
  std::int64_t n = 0;
  if (in.op == OpCode::Put) value = in.amount.eval(ctx);
  if (in.op == OpCode::Notify) n = in.amount.eval_int(ctx, "notify count");
  std::int64_t deadline = -1;
  if (timeout != kNever) {
    std::int64_t now = mono_ns();
    if (timeout <= (INT64_MAX - now) / sh.tick_ns) deadline = now + timeout * sh.tick_ns;
  }
  Op op(sh, s, p, in, host, deadline);
  return op.run(timeout, value, n);
}

Stop real_pipe_step(Shared& sh, const Scenario& s, Process& p, const Instr& in, const EvalContext& ctx,
                    SyncHost& host) {
  ++p.pc;  // the process goes on after the operation, whether it waits or not
  Tick timeout = in.op == OpCode::Poll ? 0 : kNever;  // a poll without timeout only looks
  if (in.has_timeout) timeout = in.timeout.eval_int(ctx, "timeout");
  if (timeout < 0)
    throw RuntimeError("timeout needs a non-negative amount, '" + in.timeout.source() + "' is " + std::to_string(timeout));
  Value value;
  if (in.op == OpCode::Send) value = in.amount.eval(ctx);
  std::int64_t deadline = -1;
  if (timeout != kNever) {
    std::int64_t now = mono_ns();
    if (timeout <= (INT64_MAX - now) / sh.tick_ns) deadline = now + timeout * sh.tick_ns;
  }
  Op op(sh, s, p, in, host, deadline);
  return op.pipe(timeout, value);
}

void doom(Shared& sh, Pid pid) { sh.cells[pid].doomed.store(1); }

void abandon_waits(Shared& sh, Pid pid) {
  RunGuard g(sh);
  WaitCell& c = sh.cells[pid];
  c.doomed.store(1);
  if (c.list != 0) unlink(sh, c.list - 1, c.putter != 0, pid);
}

void describe_real_wait(Shared& sh, const Scenario& s, Pid pid, StuckProcess& out) {
  RunGuard g(sh);
  const WaitCell& c = sh.cells[pid];
  std::int32_t id = sh.slots[pid].wait_object.load();
  if (id < 0 || static_cast<std::size_t>(id) >= s.objects.size()) return;
  const SyncObject& spec = s.objects[static_cast<std::size_t>(id)];
  const SharedObject& o = sh.objects[id];
  out.reason = c.cond != 0 ? BlockReason::Condition : block_reason(spec.kind);
  out.object = std::string(spec.pipe_end ? "pipe end" : to_string(spec.kind)) + " " + spec.name;
  out.waits_for = quoted(spec);
  switch (spec.kind) {
    case SyncKind::Lock:
    case SyncKind::RLock:
      if (o.holder != 0) out.holders.push_back(o.holder);
      if (c.cond != 0)
        out.waits_for += " (to return from waiting on condition `" + s.objects[static_cast<std::size_t>(c.cond - 1)].name + "`)";
      break;
    case SyncKind::Semaphore: {
      out.waits_for += " (value 0)";
      Pid last = std::min<Pid>(sh.next_pid.load(), kMaxSlots);
      for (Pid q = 2; q < last; ++q)
        if (sh.cells[q].held[id] > 0) out.holders.push_back(q);
      break;
    }
    case SyncKind::Event: out.waits_for += " to be set"; break;
    case SyncKind::Barrier:
      out.waits_for += " (" + std::to_string(o.count) + " of " + std::to_string(spec.value) + " parties arrived)";
      break;
    case SyncKind::Condition: out.waits_for = "a notify on " + out.waits_for; break;
    case SyncKind::Queue:
      if (spec.pipe_end) {
        out.waits_for = c.putter == 0 ? "a message at " + out.waits_for + ", which is empty"
                                      : "room in " + out.waits_for + ", which is full (capacity " +
                                            std::to_string(spec.value) + ")";
        break;
      }
      out.waits_for = c.putter == 0 ? "a message on " + out.waits_for + ", which is empty"
                                    : "room on " + out.waits_for + ", which is full (capacity " + std::to_string(spec.value) + ")";
      break;
  }
}

}  // namespace mpsim::os::detail
