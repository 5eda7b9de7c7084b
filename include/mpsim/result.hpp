#pragma once
/// What a run produces: metrics (semantics.md §7), the event log every report is
/// built from, printed lines, final files and errors.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mpsim/scenario.hpp"
#include "mpsim/types.hpp"

namespace mpsim {

enum class EventKind : std::uint8_t {
  State,       ///< pid entered state `a` (ProcState); `b` = BlockReason; core = its core or -1
  Core,        ///< core entered status `a` (CoreStatus) with process pid (kNoPid when idle)
  Io,          ///< `b` = number of IO requests in service from this tick on
  Spawn,       ///< pid was started by parent `b`
  Orphan,      ///< pid lost parent `b` and was adopted by init
  Reap,        ///< zombie pid was reaped by `b`
  Signal,      ///< pid was sent signal `a` (15 terminate, 9 kill) by process `b`
  DaemonKill,  ///< daemon pid terminated because its parent `b` exited
  Print,       ///< pid printed prints[b]
  Error,       ///< pid failed with errors[b]
  Sync,        ///< pid did SyncOp `a` on object `core` (RunResult::objects or ::keys), argument `b`
};

/// Operations on shared state recorded for happens-before analysis.
enum class SyncOp : std::uint8_t {
  Read,      ///< read file key `core` (index into RunResult::keys)
  Write,     ///< wrote file key `core`
  Acquire,   ///< obtained lock or semaphore `core` (index into RunResult::objects)
  Release,   ///< released lock or semaphore `core`
  Put,       ///< put message `b` into queue `core`
  Get,       ///< got message `b` from queue `core`
  Set,       ///< set event `core`
  Wake,      ///< returned from waiting on event `core` because it was set
  Arrive,    ///< arrived at barrier `core`, generation `b`
  Pass,      ///< passed barrier `core`, generation `b`
  Notify,    ///< notified condition `core`
  Notified,  ///< woke up in condition `core` because of a notify
};

const char* to_string(SyncOp op);

enum class CoreStatus : std::uint8_t { Idle, Switching, Running, Held };

const char* to_string(CoreStatus s);

/// One entry of the event log (24 bytes with padding; long runs should keep it small).
struct Event {
  Tick tick;
  Pid pid;
  std::int16_t core;
  EventKind kind;
  std::uint8_t a;
  std::int32_t b;
};

struct PrintLine {
  Tick tick;
  Pid pid;
  std::string text;
};

struct ErrorRecord {
  Tick tick;
  Pid pid;
  std::string message;
};

struct ProcessResult {
  Pid pid = kNoPid;
  Pid parent = kNoPid;           ///< parent at the end (init after orphaning)
  Pid original_parent = kNoPid;
  std::string name;
  std::string program;
  bool daemon = false;
  bool started = false;
  ProcState state = ProcState::New;
  std::int64_t exit_code = 0;    ///< meaningful once state is zombie or reaped
  std::string error;             ///< runtime error message, if it failed
  Tick arrival = -1;             ///< tick it first became ready (-1: never started)
  Tick first_run = -1;
  Tick finish = -1;              ///< tick it became a zombie
  Tick reaped_at = -1;
  Pid reaped_by = kNoPid;
  Tick orphaned_at = -1;
  Tick wait = 0;                 ///< ticks ready (incl. being switched in)
  Tick cpu = 0;                  ///< ticks computing
  Tick blocked_io = 0, blocked_sleep = 0, blocked_join = 0, blocked_lock = 0;
  Tick blocked_semaphore = 0, blocked_event = 0, blocked_barrier = 0, blocked_condition = 0,
       blocked_queue = 0;
  std::int64_t voluntary_switches = 0;
  std::int64_t involuntary_switches = 0;
  [[nodiscard]] Tick turnaround() const { return finish < 0 ? -1 : finish - arrival; }
  [[nodiscard]] Tick response() const { return first_run < 0 ? -1 : first_run - arrival; }
  [[nodiscard]] Tick blocked() const {
    return blocked_io + blocked_sleep + blocked_join + blocked_lock + blocked_semaphore +
           blocked_event + blocked_barrier + blocked_condition + blocked_queue;
  }
};

struct CoreResult {
  Tick busy = 0;       ///< ticks running a process
  Tick switching = 0;  ///< ticks of context-switch overhead
  Tick held = 0;       ///< ticks kept by a process blocked with switch_on_io false
};

/// Use of one synchronisation object over the run (RunResult::objects order).
struct ObjectStats {
  std::int64_t uses = 0;         ///< operations on it (acquire, release, put, get, wait, ...)
  std::int64_t waits = 0;        ///< times a process blocked on it
  Tick blocked = 0;              ///< ticks processes spent blocked on it, all together
  std::int64_t max_waiting = 0;  ///< most processes queued on it at once
};

struct StuckProcess {
  Pid pid;
  BlockReason reason;
  std::string waits_for;       ///< in words: "child 3", "lock `mutex`"
  std::string object;          ///< "lock mutex", "queue q"...; "" for a join
  Pid child = kNoPid;          ///< the joined child, for a join
  std::vector<Pid> holders;    ///< who holds the object (locks, semaphores)
};

struct RunResult {
  std::string scenario;
  MachineConfig machine;
  Tick makespan = 0;
  std::vector<CoreResult> cores;
  Tick io_busy = 0;
  std::int64_t context_switches = 0;
  Tick switch_overhead = 0;
  std::int32_t max_parallelism = 0;
  std::int64_t concurrency_ticks = 0;  ///< sum over ticks of processes in progress
  std::int32_t max_concurrency = 0;
  std::int64_t scheduling_events = 0;
  std::vector<ProcessResult> processes;  ///< by pid, init excluded
  std::vector<PrintLine> prints;
  std::vector<ErrorRecord> errors;
  std::map<std::string, FileContent> files;
  std::vector<Event> events;
  bool deadlock = false;
  std::vector<StuckProcess> stuck;
  std::vector<std::string> objects;  ///< synchronisation objects by index, as "lock mutex"
  std::vector<ObjectStats> object_stats;  ///< by the same index
  std::vector<std::string> keys;     ///< shared file keys by index, as "data.ticket"

  /// The process with `pid` (processes are stored by pid from 2), or nullptr.
  [[nodiscard]] const ProcessResult* process(Pid pid) const {
    auto i = static_cast<std::size_t>(pid) - 2;
    return pid >= 2 && i < processes.size() && processes[i].pid == pid ? &processes[i] : nullptr;
  }
  /// Its name, or "pid N" for one the result does not list (init).
  [[nodiscard]] std::string name_of(Pid pid) const {
    const ProcessResult* p = process(pid);
    return p ? p->name : "pid " + std::to_string(pid);
  }

  [[nodiscard]] double average_concurrency() const {
    return makespan == 0 ? 0.0 : static_cast<double>(concurrency_ticks) / static_cast<double>(makespan);
  }
};

}  // namespace mpsim
