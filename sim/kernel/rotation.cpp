// Slice batching (semantics.md §5, "Slice batching"): under rr on one core,
// most boundaries are plain slice changes: the running process's quantum
// ends, it goes to the tail of the ready queue, the head is dispatched (and
// switched to, at a cost), and it goes on with a compute it was already in.
// Nothing else can happen at such a boundary, so the general tick loop
// (phases 1-5, next_event_time, advance) only finds out, at about 600
// instructions a slice, what is known in advance. This loop applies those
// boundaries one after the other with the same bookkeeping helpers (so the
// counters and the event log are the ones the tick loop writes). It also
// takes the other common boundaries under rr: io completions that fall
// inside a slice (wake_io_in_batch: phases 2-5 do nothing there), a
// compute's end and a dispatched process that must first run operations
// (run_operations), and the dispatch to a core that operations freed (the
// process blocked, yielded or exited: phases 3-4 do nothing there under
// rr). It hands back to the tick loop at the first boundary where
// anything else may happen: another timer (arrival, sleep end, timeout), a
// timer at a slice's end or where operations ran, operations that leave
// the core held or free with nobody to take it, the tick limit or an
// interrupt (Resume says where the tick loop goes on). Round skipping is
// asked at every boundary it would be asked at in the tick loop, so whole
// rounds are still replayed at once.
//
// One core only: on several cores a slice change on one core can coincide
// with events on another, and phase order across cores matters; there the
// tick loop keeps doing it.
#include <algorithm>

#include "kernel/kernel.hpp"

namespace mpsim::detail {

bool Kernel::batches_slices(const Scenario& s, const RunOptions& o) {
  if (!o.event_skipping || !o.slice_batching || o.chooser || s.machine.cores != 1 ||
      s.machine.queues == QueueDesign::PerCore)
    return false;
  rotation_q_ = policy_->rotation_queue();
  return rotation_q_ != nullptr;
}

// Called after phase 5 of a boundary, where the tick loop would advance.
// Leaves the machine after phase 5 of a later boundary (or of the same
// one: Resume::Advance), or inside a boundary whose phases are still to run
// from phase 1 or 3 (Resume::Phase1, Phase3).
Kernel::Resume Kernel::rotate_slices() {
  return options_.record_events ? rotate<true>() : rotate<false>();
}

// Each step does what release_core, make_ready, dispatch and begin_running
// do for this one case (the states before and after are known), which
// halves its cost; the event log gets the same events in the same order.
// Without the log (Log false) an event is only counted. The core's brief
// Idle state between the two processes is logged but not stored: the same
// step overwrites it. Counters that only add up (switches, concurrency,
// busy and switching time) are kept in `Batch` and written back before
// round skipping reads them and at the end.
template <bool Log>
Kernel::Resume Kernel::rotate() {
  Core& c = cores_[0];
  Ring<Process*>& queue = *rotation_q_;
  // io urgency is phase 1's to clear at the next boundary. Boundaries at or
  // past the limit are the tick loop's (the run stops there); the limit is
  // read again after anything that may add a timer (operations, io ends).
  if (!io_woken_.empty()) return Resume::Advance;
  auto next_limit = [&] {
    return std::min(timers_.empty() ? kNever : timers_.top().tick, options_.max_ticks);
  };
  Tick limit = next_limit();
  Resume resume = Resume::Advance;  // or stopped inside a boundary
  Tick ops_at = -1;                 // a boundary at which the batch ran zero-time operations
  const Tick cost = scenario_.machine.context_switch;
  const Tick quantum = traits_.fixed_quantum;
  const bool pinned = pinned_;
  // Phase 5's pick (pop_for) would take the head of the queue for this core.
  auto head_can_take = [&] {
    return !queue.empty() && (!pinned || queue.front()->can_run_on(c.id));
  };
  // One load per step: without an interrupt flag, a flag that never rises.
  static const volatile std::sig_atomic_t never = 0;
  const volatile std::sig_atomic_t* interrupt = options_.interrupt ? options_.interrupt : &never;
  Batch b{now_};
  // Without the log, events are counted per step below.
  auto note = [&](EventKind k, Pid pid, int a, CoreId core) {
    if constexpr (Log) log(k, pid, a, static_cast<std::int32_t>(BlockReason::None), core);
  };
  // x starts running at t = now_ (set_core and set_state from Idle or
  // Switching). Here and in the slice step below, the time is read from a
  // local: now_ is an int64 like the process fields written in between, so
  // the compiler would load it again after each of those writes.
  auto run = [&](Process& x, const Tick t) {
    c.last = x.pid;
    x.quantum_used = 0;
    if (x.stats.first_run < 0) x.stats.first_run = t;
    c.status = CoreStatus::Running;
    c.status_since = t;
    note(EventKind::Core, x.pid, static_cast<int>(CoreStatus::Running), c.id);
    x.stats.wait += t - x.state_since;
    x.state_since = t;
    x.state = ProcState::Running;
    x.block = BlockReason::None;
    note(EventKind::State, x.pid, static_cast<int>(ProcState::Running), c.id);
  };
  while (!*interrupt) {
    Process* next = nullptr;  // taken from the head of the queue for the free core
    if (c.status == CoreStatus::Switching) {
      // The switch completes; the process goes on with its compute (phase 2).
      Process& x = *c.process;
      Tick done = now_ + c.switch_left;
      if (done >= limit) break;
      Tick switched = done - c.status_since;  // since the switch began (a boundary may lie between)
      c.switch_left = 0;
      now_ = done;
      c.switched_in = now_;
      b.moved = true;
      if (x.remaining <= 0) {  // (set_core counts the switch)
        // x first runs its operations: phase 2 as continue_finished does it.
        resume = run_operations(c, x, b, false, ops_at != now_);
        ops_at = now_;
        if (resume != Resume::Advance) break;
        limit = next_limit();
      } else {
        b.switching += switched;
        run(x, done);
        if constexpr (!Log) b.events += 2;  // log() counts its own
      }
    } else if (c.status == CoreStatus::Running) {
      Process& p = *c.process;
      Tick slice = quantum - p.quantum_used;
      Tick end = now_ + slice;
      if (p.remaining <= slice) {
        // The compute ends first (or with the slice): phase 2 of that
        // boundary, as continue_finished does it, if no timer comes first.
        Tick done = now_ + p.remaining;
        if (done >= limit) break;
        p.quantum_used += p.remaining;  // as advance() does
        p.remaining = 0;
        b.ran = true;
        ++p.pc;
        now_ = done;
        b.moved = true;
        resume = run_operations(c, p, b, true, ops_at != now_);
        ops_at = now_;
        if (resume != Resume::Advance) break;
        limit = next_limit();
      } else if (end >= limit) {
        // A timer first. Strictly inside the slice (not at the limit), it
        // is phase 1 of a boundary at which phases 2-5 do nothing: the
        // running compute goes on, and nobody else is on the core.
        Tick t = timers_.empty() ? kNever : timers_.top().tick;
        if (t >= end || t >= options_.max_ticks) break;
        p.remaining -= t - now_;  // as advance() does
        p.quantum_used += t - now_;
        b.ran = true;
        now_ = t;
        b.moved = true;
        if (!wake_io_in_batch()) {
          resume = Resume::Phase1;  // another kind of timer: the tick loop takes this boundary
          break;
        }
        limit = next_limit();
      } else {
        // The head of the queue is dispatched next (p joins the tail after it).
        // Alone, advance() renews the slice in place; a head pinned
        // elsewhere, phase 5 looks further.
        if (!head_can_take()) break;
        Process* x = queue.front();
        // Advance to the end of the slice (as advance() does).
        const Tick t = end;
        p.remaining -= slice;
        p.quantum_used += slice;
        now_ = t;
        // Phase 3: the slice is used up and x wants the core (release_core, make_ready).
        ++p.stats.involuntary_switches;
        b.busy += t - c.status_since;
        c.status_since = t;
        note(EventKind::Core, kNoPid, static_cast<int>(CoreStatus::Idle), c.id);
        p.core = -1;
        p.stats.cpu += t - p.state_since;
        p.state_since = t;
        p.state = ProcState::Ready;
        p.block = BlockReason::None;
        note(EventKind::State, p.pid, static_cast<int>(ProcState::Ready), -1);
        p.ready_since = t;
        p.ready_seq = ++ready_seq_;
        queue.front_to_back(&p);  // phase 5's pick (pop_for), then make_ready's enqueue
        // The next but one in line: its hot lines arrive while this slice
        // and the next are done (a run's processes outgrow the first-level
        // cache; 1.5 % of the issue workload's time, farm-bench 40 pairs).
        // Asking also for the operation lines of a next one that must run
        // operations did not pay (0.999).
        if (queue.size() > 1) queue[1]->prefetch_hot();
        ++b.slices;
        if constexpr (!Log) b.events += 2;  // p's two events above
        next = x;
      }
    } else if (c.status == CoreStatus::Idle && ops_at == now_) {
      // The process on the core left it at this boundary (it blocked,
      // yielded or exited in its operations). Phases 3 and 4 have nothing
      // to do on a free core under rr; phase 5 dispatches the head of the
      // queue, as dispatch() does, unless it is the process that just left
      // (a switch to itself is no switch) or nobody can take the core.
      if (!head_can_take() || queue.front()->pid == c.last) {
        resume = Resume::Phase3;
        break;
      }
      next = queue.front();
      queue.pop_front();
      ++b.dispatches;
    } else {
      break;
    }
    if (next) {
      // Phase 5: `next` gets the free core (dispatch() in machine.cpp); it is
      // not the process that had it.
      Process& x = *next;
      x.core = c.id;
      if (x.remaining <= 0 && cost == 0) {
        // No switch cost and x first runs operations: begin_running, as
        // dispatch() calls it, from the core's Idle state.
        c.status = CoreStatus::Idle;
        c.pid = kNoPid;
        c.process = nullptr;
        resume = run_operations(c, x, b, false, ops_at != now_);
        ops_at = now_;
        if (resume != Resume::Advance) break;
        limit = next_limit();
      } else {
        c.pid = x.pid;
        c.process = &x;
        if (cost > 0) {
          c.switch_left = cost;
          c.status = CoreStatus::Switching;
          note(EventKind::Core, x.pid, static_cast<int>(CoreStatus::Switching), c.id);
          if constexpr (!Log) b.events += 1;
        } else {
          run(x, now_);
          if constexpr (!Log) b.events += 2;
        }
      }
    }
    b.moved = true;
    if (c.status == CoreStatus::Idle) continue;  // phase 5 of this boundary comes first
    if (now_ >= next_round_try_) {  // as the tick loop asks after phase 5
      write_back(b);
      skip_rounds();
      b.since = now_;
    }
  }
  // Stopped (an interrupt) before phase 5 of a boundary: the tick loop's.
  if (c.status == CoreStatus::Idle && resume == Resume::Advance) resume = Resume::Phase3;
  write_back(b);
  // A later boundary: nobody has run zero-time operations there yet.
  if (b.moved && ops_at != now_) zero_ops_.clear();
  return resume;
}

// Phase 2 or 5 at now_ for x on core c: x's compute has just ended
// (`finished`: it runs its next operations, as continue_finished does), or
// x was dispatched and must first run operations (begin_running, as phase
// 2 calls it when a switch-in completes, or phase 5 without a switch
// cost). If x then goes on computing on the core within its slice, phases
// 3-5 have nothing (more) to do at this boundary; if the core is free
// (x blocked, yielded or exited), phases 3 and 4 have nothing to do and the
// batch dispatches (rotate). Either way the batch goes on (Advance), unless
// a timer is due now; otherwise the tick loop runs phases 3-5 (Phase3).
// A boundary's first operations start a new count of zero-time operations
// (`new_boundary`); later ones at the same boundary add to it, so that
// processes yielding to each other still reach the runaway-loop limit.
Kernel::Resume Kernel::run_operations(Core& c, Process& x, Batch& b, bool finished,
                                      bool new_boundary) {
  // Operations may start or end processes, which changes what a tick of
  // concurrency is: that total is settled first. The batch's other totals
  // only add up, and nothing the operations do reads them.
  settle_concurrency(b);
  if (new_boundary) zero_ops_.clear();
  if (finished)
    handle_stop(c, x, run_zero_time(x));
  else
    begin_running(c, x);
  if (!timers_.empty() && timers_.top().tick <= now_) return Resume::Phase3;
  bool computes =
      c.status == CoreStatus::Running && c.process == &x && x.remaining > 0 && slice_left(x) > 0;
  return computes || c.status == CoreStatus::Idle ? Resume::Advance : Resume::Phase3;
}

// Phase 1 at now_, as wake_timers does it, for timers that only end an io
// wait: the process finishes its io and joins the tail of the ready queue.
// False at the first timer of another kind (an arrival, a timeout, a
// process that kept its core, io completions that preempt): the tick loop
// then runs this boundary from phase 1, which wakes the rest in order.
bool Kernel::wake_io_in_batch() {
  const bool preempts = scenario_.machine.io_completion == IoCompletion::Preempt;
  while (!timers_.empty() && timers_.top().tick == now_) {
    Timer t = timers_.top();
    Process& q = proc(t.pid());
    bool live = t.gen == q.timer_gen;  // else cancelled: wake_timers skips it too
    if (live && (t.group() == 1 || q.block != BlockReason::Io || q.wait_obj >= 0 || q.core >= 0 ||
                 preempts))
      return false;
    timers_.pop();
    if (!live) continue;
    q.wake_at = kNever;
    finish_io_service(q);
    make_ready(q);
    ++result_.batched_wakeups;
  }
  return true;
}

// The ticks of concurrency since b.since, counted from now_ on afresh.
void Kernel::settle_concurrency(Batch& b) {
  result_.concurrency_ticks += live_ * (now_ - b.since);
  b.since = now_;
}

// Adds what a batch counted since b.since to the run's totals, and starts
// counting afresh from now_.
void Kernel::write_back(Batch& b) {
  CoreResult& acc = result_.cores[0];
  if (b.slices > 0 || b.ran) result_.max_parallelism = std::max(result_.max_parallelism, 1);
  settle_concurrency(b);
  result_.context_switches += b.slices + b.dispatches;
  result_.batched_slices += b.slices;
  result_.batched_dispatches += b.dispatches;
  result_.scheduling_events += b.events;
  acc.busy += b.busy;
  acc.switching += b.switching;
  result_.switch_overhead += b.switching;
  // Field by field, b.moved kept: `b = Batch{now_}` built a copy on the stack
  // and read it back in pieces wider than it was written, a stalled store
  // forwarding each time (17 % of the issue 18 workload's samples, perf).
  b.slices = b.dispatches = b.events = 0;
  b.busy = b.switching = 0;
  b.ran = false;
}

}  // namespace mpsim::detail
