#pragma once
/// What a run produces: metrics (semantics.md §7), the event log every report is
/// built from, printed lines, final files and errors.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mpsim/model/scenario.hpp"
#include "mpsim/model/types.hpp"

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

/// One entry of the event log, as readers see it (EventLog stores it in 16 bytes).
struct Event {
  Tick tick;
  Pid pid;
  std::int16_t core;
  EventKind kind;
  std::uint8_t a;
  std::int32_t b;
};

/// The event log, in the order the events happened (ticks never decrease).
/// It stores each event in 16 bytes instead of sizeof(Event) = 24: chunks of
/// at most 2^14 events, each with a base tick, every event keeping its tick as
/// a 32-bit offset from its chunk's base (a tick 2^32 or more past the base
/// starts a new chunk). Chunks grow by doubling up to their size, so neither a
/// short log nor one of a few huge ticks costs a whole chunk, and a long log
/// never copies more than one chunk when it grows. Reading gives Event values.
class EventLog {
 public:
  class const_iterator;
  using value_type = Event;
  using size_type = std::size_t;

  void push_back(const Event& e) {
    if (chunks_.empty() || chunks_.back().full(e.tick)) add_chunk(e.tick);
    Chunk& c = chunks_.back();
    c.packed.push_back(Packed{static_cast<std::uint32_t>(e.tick - c.base), e.pid, e.core, e.kind, e.a, e.b});
    ++size_;
  }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  void clear() {
    chunks_.clear();
    size_ = 0;
  }
  /// The i-th event (a binary search over the chunks: sequential reads should iterate).
  [[nodiscard]] Event operator[](std::size_t i) const;
  [[nodiscard]] Event front() const { return (*this)[0]; }
  [[nodiscard]] Event back() const { return chunks_.back().at(chunks_.back().packed.size() - 1); }
  [[nodiscard]] const_iterator begin() const;
  [[nodiscard]] const_iterator end() const;

 private:
  struct Packed {  // Event less the upper bits of its tick
    std::uint32_t dt;
    Pid pid;
    std::int16_t core;
    EventKind kind;
    std::uint8_t a;
    std::int32_t b;
  };
  static_assert(sizeof(Packed) == 16);
  static constexpr std::size_t kChunkEvents = std::size_t{1} << 14;
  struct Chunk {
    Tick base = 0;
    std::size_t first = 0;  ///< index of its first event in the log
    std::vector<Packed> packed;
    [[nodiscard]] bool full(Tick t) const {
      return packed.size() == kChunkEvents || static_cast<std::uint64_t>(t - base) > UINT32_MAX;
    }
    [[nodiscard]] Event at(std::size_t j) const {
      const Packed& p = packed[j];
      return Event{base + static_cast<Tick>(p.dt), p.pid, p.core, p.kind, p.a, p.b};
    }
  };
  void add_chunk(Tick base);

  std::vector<Chunk> chunks_;
  std::size_t size_ = 0;
};

class EventLog::const_iterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = Event;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = Event;

  const_iterator() = default;
  Event operator*() const { return chunk_->at(j_); }
  const_iterator& operator++() {
    if (++j_ == chunk_->packed.size()) {
      ++chunk_;
      j_ = 0;
    }
    return *this;
  }
  const_iterator operator++(int) {
    const_iterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const const_iterator& o) const { return chunk_ == o.chunk_ && j_ == o.j_; }

 private:
  friend class EventLog;
  const_iterator(const Chunk* chunk, std::size_t j) : chunk_(chunk), j_(j) {}
  const Chunk* chunk_ = nullptr;
  std::size_t j_ = 0;
};

inline EventLog::const_iterator EventLog::begin() const { return {chunks_.data(), 0}; }
inline EventLog::const_iterator EventLog::end() const { return {chunks_.data() + chunks_.size(), 0}; }

struct PrintLine {
  Tick tick;
  Pid pid;
  std::string text;
};

struct ErrorRecord {
  Tick tick;
  Pid pid;
  std::string message;
  bool assertion = false;  ///< a failed `assert` (the message names its expression)
};

struct ProcessResult {
  // The counters first: the simulator adds to them at nearly every event, and
  // together they fill one cache line (a large run touches many processes).
  Tick wait = 0;                 ///< ticks ready (incl. being switched in)
  Tick cpu = 0;                  ///< ticks computing
  Tick blocked_io = 0, blocked_sleep = 0, blocked_join = 0;
  std::int64_t voluntary_switches = 0;
  std::int64_t involuntary_switches = 0;
  Tick first_run = -1;
  Tick blocked_lock = 0, blocked_semaphore = 0, blocked_event = 0, blocked_barrier = 0,
       blocked_condition = 0, blocked_queue = 0;
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
  Tick finish = -1;              ///< tick it became a zombie
  Tick reaped_at = -1;
  Pid reaped_by = kNoPid;
  Tick orphaned_at = -1;
  std::int64_t migrations = 0;   ///< per-core queues: dispatches on another core than the last
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

/// Per-core run queues, measured (RunResult::multicore; semantics.md §12).
struct MultiCoreResult {
  std::int64_t migrations = 0;  ///< dispatches on another core than the process's last
  std::int64_t stolen = 0;      ///< processes an idle core took from another core's queue
  std::int64_t balanced = 0;    ///< processes moved by periodic balancing
  std::vector<Tick> load_ticks;  ///< per core: sum over ticks of its load (queued + running)
  Tick imbalance_ticks = 0;     ///< sum over ticks of (highest load - lowest load)
  std::int32_t max_imbalance = 0;
  /// The loads (one per core) from `tick` on, recorded whenever they change.
  struct LoadSample {
    Tick tick;
    std::vector<std::int32_t> loads;
  };
  std::vector<LoadSample> load_series;
  // The cache model (machine.cache), zero without it.
  std::int64_t cold_starts = 0;  ///< dispatches on a core where the working set was not warm
  std::vector<Tick> cold_ticks;  ///< per core: ticks run by a process not warm there
  std::vector<Tick> warm_ticks;  ///< per core: ticks run by a process warm there
  std::int64_t evictions = 0;    ///< warm working sets pushed out of a cache by another one
};

/// One task submitted to a pool (semantics.md §13), by task id (from 1).
struct TaskResult {
  std::int64_t id = 0;
  std::string pool;
  std::int64_t job = 0;      ///< the submission it belongs to (the handle of an async one)
  std::string kind;          ///< "apply", "apply_async", "map", "map_async", "imap", "imap_unordered"
  std::int64_t item = 0;     ///< index in its map (0 for apply)
  std::string program;
  Pid submitter = kNoPid;
  Tick submitted = -1, started = -1, finished = -1;  ///< -1: not (yet)
  Pid worker = kNoPid;       ///< who ran it
  bool ok = false;           ///< finished without error
  std::string result;        ///< the returned value as printed, or "" when not ok
  std::string error;         ///< why it failed
};

/// One pool over the run.
struct PoolResult {
  std::string name;
  std::int32_t processes = 0;
  std::int64_t maxtasksperchild = 0;
  Pid creator = kNoPid;
  Tick created = -1;         ///< -1: never created
  Tick ended = -1;           ///< the last worker ended (-1: still running at the end)
  std::vector<Pid> workers;  ///< every worker it had, replacements included, in creation order
  Tick busy = 0;             ///< worker-ticks spent holding a task
  std::int64_t tasks = 0, failed = 0;
  /// busy / (processes x lifetime); lifetime ends at `ended` or at the makespan.
  [[nodiscard]] double utilisation(Tick makespan) const {
    Tick end = ended >= 0 ? ended : makespan;
    if (created < 0 || end <= created || processes == 0) return 0.0;
    return static_cast<double>(busy) / (static_cast<double>(processes) * static_cast<double>(end - created));
  }
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
  /// Ticks that round skipping replayed instead of simulating them (0 without
  /// it). Reports leave it out: every other field is the same either way.
  Tick round_skipped_ticks = 0;
  /// Slice changes that slice batching applied outside the general tick
  /// loop (0 without it). Left out of reports, like round_skipped_ticks.
  std::int64_t batched_slices = 0;
  /// io completions that slice batching woke inside a slice (0 without it).
  /// Left out of reports too.
  std::int64_t batched_wakeups = 0;
  /// Dispatches that slice batching made to a core its process had just
  /// left (blocked, yielded or exited) (0 without it). Left out of reports.
  std::int64_t batched_dispatches = 0;
  std::vector<ProcessResult> processes;  ///< by pid, init excluded
  std::vector<PrintLine> prints;
  std::vector<ErrorRecord> errors;
  std::map<std::string, FileContent> files;
  EventLog events;
  bool deadlock = false;
  /// Why the run was stopped before it ended by itself (a limit such as
  /// --max-ticks, an interrupt); empty when it ran to its end.
  std::string stopped;
  std::vector<StuckProcess> stuck;
  std::vector<std::string> objects;  ///< synchronisation objects by index, as "lock mutex"
  std::vector<ObjectStats> object_stats;  ///< by the same index
  std::vector<std::string> keys;     ///< shared file keys by index, as "data.ticket"
  std::optional<MultiCoreResult> multicore;  ///< set with per-core queues or the cache model
  std::vector<PoolResult> pools;     ///< declared pools, in declaration order (semantics.md §13)
  std::vector<TaskResult> tasks;     ///< pool tasks by id - 1

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
