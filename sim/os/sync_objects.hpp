#pragma once
// Private to sim/os/: the synchronisation and IPC objects of a real run
// (semantics.md §7, docs/real-os.md), kept in the shared region. Their state
// is the simulator's (sim/sync.cpp) in fixed-size form: a holder, a count, a
// generation, FIFO wait lists and queue rings, changed only under one robust
// process-shared guard mutex, held for microseconds. A process that has to
// wait enqueues itself, releases the guard and sleeps on its own futex word;
// whoever ends the wait (a release, a set, a put...) hands over directly, as
// in the simulator, and wakes that word. So the FIFO order is the simulator's,
// a timeout is a futex deadline on CLOCK_MONOTONIC, and a process killed
// while waiting wedges nobody: it only leaves a dead entry, removed when its
// death is seen (abandon_waits) and skipped once it is doomed.
#include <optional>
#include <string>
#include <vector>

#include "os/shared.hpp"

namespace mpsim::os::detail {

/// What the object code needs from the process it runs in.
class SyncHost {
 public:
  virtual ~SyncHost() = default;
  /// The process starts waiting on `object` (logs the Blocked state; the hang
  /// detector sees an untimed wait as stuck). Called with the guard held.
  virtual void blocked(BlockReason why, std::int32_t object, bool timed) = 0;
  /// The wait is over: the process runs again.
  virtual void resumed() = 0;
};

/// Reasons real mode cannot hold the scenario's objects (empty: it can).
std::vector<std::string> sync_limits(const Scenario& s);

/// Initialises the objects in the fresh shared region (the runner, before any fork).
void init_sync_objects(Shared& sh, const Scenario& s);

/// One operation on a synchronisation object (is_sync_op(in.op); pc not yet advanced).
/// Returns Stop::Blocked when the process waited (the interpreter goes on after it).
mpsim::detail::Stop real_sync_step(Shared& sh, const Scenario& s, Process& p, const Instr& in,
                                                  const EvalContext& ctx, SyncHost& host);

/// send, recv, poll or close on a pipe end (pc not yet advanced; semantics.md §14).
mpsim::detail::Stop real_pipe_step(Shared& sh, const Scenario& s, Process& p, const Instr& in, const EvalContext& ctx,
                                   SyncHost& host);

/// A value in fixed-size shared form (a string longer than kMessageText is
/// an error naming `queue`), and back.
void to_message(Message& m, const Value& v, const std::string& queue);
Value from_message(const Message& m);

/// `pid` is about to be terminated or killed: nothing is handed to it any more.
void doom(Shared& sh, Pid pid);

/// `pid` has died: it leaves the wait list it was in (a blocked put takes its
/// message with it; a barrier arrival still counts), as in the simulator.
void abandon_waits(Shared& sh, Pid pid);

/// What stuck process `pid` waits for, as Kernel::describe_sync_wait says it.
void describe_real_wait(Shared& sh, const Scenario& s, Pid pid, StuckProcess& out);

}  // namespace mpsim::os::detail
