// Pipes (semantics.md §14). Each receiving end is a queue object: `send`
// puts into the other end's queue, `recv` gets from the end's own, so
// messages, blocking, wake-up order and the race detector's happens-before
// edges are those of queues (§7). What a pipe adds is `close` (the end is
// closed for every process), end of file, and `poll`.
#include "kernel/kernel.hpp"

namespace mpsim::detail {

Stop Kernel::pipe_step(Process& p, const Instr& in, const EvalContext& ctx) {
  ++p.pc;  // before anything that blocks: the process resumes after the operation
  if (in.op == OpCode::ClosePipe) {
    pipe_close(p, in);
    return Stop::None;
  }
  if (end_closed(in))
    throw RuntimeError(std::string(to_string(in.op)) + " on pipe end `" + in.object +
                       "`, which is closed (Python raises OSError: handle is closed)");
  SyncState& q = sync_[static_cast<std::size_t>(in.obj)];
  ++q.stats.uses;
  switch (in.op) {
    case OpCode::Send:
      if (q.reader_closed)
        throw RuntimeError("send on pipe end `" + in.object +
                           "`: the other end is closed (Python raises BrokenPipeError)");
      return put(p, in, in.amount.eval(ctx), kNever);
    case OpCode::Recv:
      return pipe_recv(p, in);
    default: {
      Tick timeout = in.has_timeout ? in.timeout.eval_int(ctx, "timeout") : 0;
      if (timeout < 0)
        throw RuntimeError("timeout needs a non-negative amount, '" + in.timeout.source() +
                           "' is " + std::to_string(timeout));
      return pipe_poll(p, in, timeout);
    }
  }
}

// An end is closed once `close` named it; both of its queues record it.
bool Kernel::end_closed(const Instr& in) const {
  std::int32_t own = in.op == OpCode::Send ? in.other : in.obj;   // the queue it receives from
  std::int32_t into = in.op == OpCode::Send ? in.obj : in.other;  // the queue it sends into
  if (own >= 0) return sync_[static_cast<std::size_t>(own)].reader_closed;
  return sync_[static_cast<std::size_t>(into)].writer_closed;
}

// A message if there is one; end of file once the sending end is closed and
// every message sent before is received; else wait.
Stop Kernel::pipe_recv(Process& p, const Instr& in) {
  SyncState& q = sync_[static_cast<std::size_t>(in.obj)];
  if (q.items.empty() && q.writer_closed) {
    log_sync(p, SyncOp::Wake, in.obj);  // the close happened before
    if (in.flag.empty())
      throw RuntimeError(
          "recv on pipe end `" + in.object +
          "`: the other end is closed and no message is left (Python raises EOFError; "
          "give \"ok\" to test for it instead)");
    p.vars.set(in.flag, Value{false});
    return Stop::None;
  }
  return get(p, in, kNever);
}

// True when a recv would not block: a message waits or the sending end is
// closed (then recv reports end of file). Waits up to `timeout` ticks.
Stop Kernel::pipe_poll(Process& p, const Instr& in, Tick timeout) {
  SyncState& q = sync_[static_cast<std::size_t>(in.obj)];
  bool ready = !q.items.empty() || q.writer_closed;
  if (ready || timeout == 0) {
    p.vars.set(in.target, Value{ready});
    return Stop::None;
  }
  q.pollers.push_back(p.pid);
  p.wait_obj = in.obj;
  p.wait_op = &in;
  note_wait(p, in);
  block(p, BlockReason::Queue, timeout);
  return Stop::Blocked;
}

// Every process polling `q` learns it is ready, in the order they began.
void Kernel::wake_pollers(SyncState& q) {
  while (!q.pollers.empty()) {
    Process& w = proc(q.pollers.front());
    q.pollers.pop_front();
    end_wait(w, true);
  }
}

// Closing an end twice does nothing, as in Python. Processes blocked on the
// end itself fail (its handle is gone); those sending to it fail with a
// broken pipe; those receiving from it get end of file; pollers wake.
void Kernel::pipe_close(Process& p, const Instr& in) {
  auto fail_all = [&](std::deque<Pid> pids, const std::string& why) {
    for (Pid pid : pids) {
      Process& w = proc(pid);
      fail(w, w.wait_op->path + ": " + why);
    }
  };
  if (in.obj >= 0 && !sync_[static_cast<std::size_t>(in.obj)].reader_closed) {
    SyncState& own = sync_[static_cast<std::size_t>(in.obj)];
    ++own.stats.uses;
    own.reader_closed = true;
    std::deque<Pid> senders;
    for (const auto& [pid, msg] : own.putters) senders.push_back(pid);
    own.putters.clear();
    std::deque<Pid> receivers;
    receivers.swap(own.waiters);
    receivers.insert(receivers.end(), own.pollers.begin(), own.pollers.end());
    own.pollers.clear();
    fail_all(senders, "send on pipe end `" + in.object +
                          "`'s other end: it was closed (Python raises BrokenPipeError)");
    fail_all(receivers, "pipe end `" + in.object +
                            "` was closed while waiting (Python raises OSError: handle is closed)");
  }
  if (in.other >= 0 && !sync_[static_cast<std::size_t>(in.other)].writer_closed) {
    SyncState& peer = sync_[static_cast<std::size_t>(in.other)];
    if (in.obj < 0) ++peer.stats.uses;
    peer.writer_closed = true;
    log_sync(p, SyncOp::Set, in.other);
    wake_pollers(peer);
    std::deque<Pid> eof;
    eof.swap(peer.waiters);  // blocked receivers: the queue is empty, so end of file
    std::deque<Pid> errors;
    for (Pid pid : eof) {
      Process& w = proc(pid);
      log_sync(w, SyncOp::Wake, in.other);
      if (w.wait_op->flag.empty())
        errors.push_back(pid);
      else
        end_wait(w, false);
    }
    fail_all(errors,
             "recv on pipe end `" + peer.spec->name +
                 "`: the other end was closed and no message is left (Python raises EOFError; give "
                 "\"ok\" to test for it instead)");
  }
}

}  // namespace mpsim::detail
