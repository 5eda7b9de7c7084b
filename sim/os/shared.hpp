#pragma once
// Private to sim/os/: the shared-memory region of one real run and the
// per-process runtime. The runner maps the region (MAP_SHARED|MAP_ANONYMOUS)
// before it forks anything, so every scenario process sees the same bytes and
// nothing is left in /dev/shm; it disappears with the last process mapping it.
#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kernel/runtime.hpp"
#include "mpsim/os/real_run.hpp"

namespace mpsim::os::detail {

inline constexpr std::int32_t kMaxSlots = 4096;   // pids 0..4095 (0 and 1 unused)
inline constexpr std::int32_t kMaxObjects = 64;   // synchronisation objects (Scenario::objects)
inline constexpr std::int32_t kMaxMessages = 8192;  // queue message cells, all queues together
inline constexpr std::int32_t kUnboundedCells = 1024;  // cells of an unbounded queue
inline constexpr std::uint32_t kMessageText = 232;  // longest string a queue message can carry
inline constexpr std::uint32_t kRingSize = 1u << 17;
inline constexpr std::uint32_t kMaxTexts = 1u << 14;
inline constexpr std::uint32_t kTextBytes = 1u << 22;
// CPUs whose time each process accounts separately (Slot::core_ns): a core
// beyond is refused at load (Runner::check).
inline constexpr std::int32_t kCoreSlots = 256;
// A RawEvent kind that is no EventKind: `pid` was seen on core `b`, having
// last run on core `object` (a migration; merge.cpp).
inline constexpr std::uint8_t kMigrationKind = 0xF0;

/// What a live process is doing, for the hang detector.
/// kSyncWait: an untimed wait on a synchronisation object (Slot::wait_object),
/// which only another process can end.
enum Activity : std::int32_t { kActive = 0, kTimedWait = 1, kSyncWait = 2, kJoinWait = 3 };

/// One process, indexed by its mpsim pid.
struct Slot {
  std::atomic<std::int32_t> used;       // created (pid reserved and filled)
  std::atomic<std::int32_t> started;
  std::atomic<std::int64_t> real_pid;
  std::int32_t parent;                  // original parent (mpsim pid)
  std::int32_t daemon;
  char name[96];
  char program[64];
  std::int64_t arrival_ns;              // written by the parent before fork
  std::atomic<std::int32_t> exit_logged;  // the exit (zombie) event is in the log
  std::atomic<std::int32_t> self_exit;    // exit_code below was written by the process
  std::int64_t exit_code;
  std::int64_t finish_ns;
  std::int64_t sched_wait_ns;           // /proc/self/schedstat at exit: time runnable, waiting
  std::int64_t sched_run_ns;            // and time on a CPU (-1: not read, e.g. killed)
  std::int32_t last_cpu;                // CPU it ran on last (sched_getcpu at exit)
  std::int32_t error_text;              // index into texts, -1 none
  std::atomic<std::int32_t> reaped;
  std::int32_t reaped_by;
  std::int64_t reaped_ns;
  std::int64_t cpu_us, nvcsw, nivcsw;   // wait4 rusage, written by the reaper
  std::int32_t status_code;             // raw wait status
  std::atomic<std::int32_t> activity;
  std::atomic<std::int32_t> wait_object;  // object index (kSyncWait) or joined pid (kJoinWait)
  std::int64_t zombie_seen_ns;          // seen as Z in /proc/<pid>/stat before its reap (0: not seen)
  std::int64_t orphan_seen_ns;          // getppid() gave the runner (0: not seen)
  std::atomic<std::uint32_t> hold;      // 1: wait at the start gate (a futex word; Runner::open_gates)
  // Where it ran, written by the process itself (core_tracking.cpp, RealRuntime::track):
  std::int32_t cur_core;             // scenario core it was last seen on (-1: not yet)
  std::int32_t migrations;           // times it was seen on another core than the last
  std::int64_t core_ns[kCoreSlots];  // its CPU time (CLOCK_THREAD_CPUTIME_ID) per scenario core
};

struct RawEvent {
  std::int64_t ns;
  std::int32_t pid;
  std::int16_t object;   // Event::core: -1, or the Sync object/key index
  std::uint8_t kind;     // EventKind
  std::uint8_t a;
  std::int32_t b;
  std::atomic<std::int32_t> valid;
};

struct Text {
  std::int32_t pid;
  std::int32_t error;    // 1 for a runtime error message
  std::int64_t ns;
  std::uint32_t offset, length;
};

/// A queue message in shared memory: a Value of bounded size.
struct Message {
  std::int64_t number;     // int or bool
  std::int32_t id;         // message id, per queue (SyncOp::Put/Get argument)
  std::uint8_t type;       // 0 int, 1 bool, 2 string
  std::uint8_t pad;
  std::uint16_t length;    // string bytes in text
  char text[kMessageText];
};

/// The state of one synchronisation object (sim/os/sync_objects.cpp), the
/// simulator's SyncState in fixed-size form. Guarded by Shared::sync_guard.
/// Wait queues are intrusive FIFO lists through WaitCell::next (pids; 0 = none).
struct SharedObject {
  std::int32_t holder;       // lock, rlock: owner pid (0 = free)
  std::int64_t count;        // rlock depth, semaphore value, event 1 when set, barrier arrivals
  std::int32_t generation;   // barrier
  std::int32_t head, tail;   // FIFO: acquirers, event/barrier/condition waiters, getters
  std::int32_t phead, ptail; // queue: blocked puts (each carries its message in its WaitCell)
  std::int32_t queued;       // processes in both lists
  std::int32_t base, cells;  // queue: its ring in Shared::messages
  std::int32_t first, items; // queue: ring position of the oldest message, number of messages
  std::int32_t next_message;
  std::int64_t uses, waits, max_waiting;
  std::int32_t reader_closed, writer_closed;  // pipe end: the end receiving here / sending here is closed
};

/// Per process: how a sync wait stands. Written under Shared::sync_guard; the
/// waiter sleeps on `word` (a futex), which a waker sets to 1.
struct WaitCell {
  std::atomic<std::uint32_t> word;
  std::int32_t next;         // next pid in the list it is in
  std::int32_t list;         // object index + 1 of that list, 0 = none
  std::int32_t putter;       // in the putters list (a blocked put)
  std::int32_t granted;      // the wait ended (lock handed over, event set, message delivered...)
  std::int32_t depth;        // lock depth to take back (1, or an rlock's depth before a condition wait)
  std::int32_t timed_out;    // condition: the wait timed out; it still has to get the lock back
  std::int32_t cond;         // condition index + 1 while in a condition wait (also while getting the lock back)
  std::atomic<std::int32_t> doomed;  // being terminated or killed: never hand it anything again
  Message msg;               // put: the message it carries; get: the message it received
  std::int32_t pipe_error;   // pipe wait ended by a close: 1 end of file, 2 broken pipe, 3 own end closed
  std::int32_t held[kMaxObjects];  // semaphore units acquired and not released, per object
};

// --- process pools (semantics.md §13 in real mode; pool_real.cpp, pool_worker.cpp) ---
inline constexpr std::int32_t kMaxPools = 16;
inline constexpr std::int32_t kMaxPoolTasks = 1024;   // tasks of all pools in one run
inline constexpr std::int32_t kMaxPoolWorkers = 128;  // workers of one pool, replacements included
inline constexpr std::int32_t kMaxTaskArgs = 8;

/// One argument of a task: a variable name and its value.
struct TaskArg {
  char name[40];
  Message value;
};

/// One task, written by its submitter, taken and finished by a worker.
/// Guarded by Shared::sync_guard.
struct SharedTask {
  std::int32_t pool, job, submitter, worker;  // worker 0: not started
  std::int32_t kind;                          // OpCode of the submission
  std::int32_t state;                         // 0 queued, 1 running, 2 returned, 3 failed
  std::int64_t item;
  std::int64_t submitted_ns, started_ns, finished_ns;
  char program[64];
  std::int32_t nargs;
  TaskArg args[kMaxTaskArgs];
  Message result;
  std::int32_t error_text;  // index into texts (failed), -1 none
};

/// One pool. Guarded by Shared::sync_guard; the two futex words are bumped
/// (and woken) when a task is queued or the pool closes (task_seq, idle
/// workers sleep on it) and when a task finishes (done_seq, the creator).
struct SharedPool {
  std::int32_t state;  // 0 unborn, 1 running, 2 closed, 3 terminated
  std::int32_t creator;
  std::int64_t created_ns;
  std::int32_t nworkers;
  std::int32_t workers[kMaxPoolWorkers];
  std::int32_t initialised[kMaxPoolWorkers];  // workers[k] finished its initializer
  std::int32_t retiring;  // workers that reached maxtasksperchild and are exiting
  std::int32_t qhead, qlen;
  std::int32_t queue[kMaxPoolTasks];
  std::atomic<std::uint32_t> task_seq;
  std::atomic<std::uint32_t> done_seq;
};

struct PoolTable {
  std::atomic<std::int32_t> ntasks;  // task ids 1..ntasks
  std::atomic<std::int32_t> njobs;   // submission handles 1..njobs
  SharedPool pools[kMaxPools];
  SharedTask tasks[kMaxPoolTasks];
};

struct Shared {
  std::int64_t t0_ns;
  std::int64_t tick_ns;
  std::int64_t runner_pid;
  std::int64_t pgid;
  std::int32_t cap;          // highest pid allowed + 1
  std::atomic<std::int32_t> next_pid;
  std::atomic<std::int64_t> rr_interval_ns;
  std::atomic<std::int32_t> policy_failed;   // a child could not set the real-time policy
  std::atomic<std::int32_t> nice_failed;     // a child could not set its nice (lowering needs CAP_SYS_NICE)
  std::atomic<std::int64_t> last_activity_ns;
  std::int32_t guardian_fd;  // write end of the guardian pipe: children close it
  Slot slots[kMaxSlots];
  pthread_mutex_t sync_guard;  // robust, process-shared: guards objects, cells and messages
  SharedObject objects[kMaxObjects];
  WaitCell cells[kMaxSlots];
  Message messages[kMaxMessages];
  std::atomic<std::uint32_t> ring_head;
  RawEvent ring[kRingSize];
  std::atomic<std::uint32_t> text_count;
  std::atomic<std::uint32_t> text_bytes;
  Text texts[kMaxTexts];
  char text_data[kTextBytes];
  PoolTable pool;
};

std::int64_t mono_ns();

/// Everything a scenario process needs, copied into every fork.
struct Setup {
  const Scenario* scenario = nullptr;
  Shared* shared = nullptr;
  std::string folder;
  std::vector<std::string> keys;    // "file.key" by index
  int policy = 0;                   // SCHED_OTHER / SCHED_FIFO / SCHED_RR
  int rt_priority = 0;
  std::vector<int> cpus;            // the scenario's cores
  std::int64_t rttime_us = 0;       // RLIMIT_RTTIME for real-time policies
  std::int64_t max_string_bytes = kDefaultMaxStringBytes;  // RealOptions::sim_limits
  std::int64_t max_tickets =
      0;  // lottery, stride: nice from tickets (ticket_nice); 0 = the scenario's nice
};

/// Appends an event to the shared log (any process).
/// `at_ns` > 0: the event happened then, not now (a timer's deadline).
void record(Shared& sh, std::int32_t pid, EventKind kind, int a, std::int32_t b, std::int16_t object = -1,
            std::int64_t at_ns = 0);
/// Stores a text (print or error) and returns its index, or -1 when full.
std::int32_t store_text(Shared& sh, std::int32_t pid, bool error, const std::string& text);

/// Logs the exit (zombie) event of `pid` once, whoever sees it first (the
/// process itself, the parent that signalled it, or the reaper).
void note_exit(Shared& sh, std::int32_t pid, std::int64_t ns, std::int64_t code);

/// Runs scenario process `p` in the current (freshly forked) process; never returns.
[[noreturn]] void run_process(const Setup& setup, Process p);

/// Holds Shared::sync_guard: the sync objects, the pool tables, and each store
/// into a shared value or array. Robust: a process killed while holding it
/// (for the microseconds an operation takes) does not wedge the others.
class RunGuard {
 public:
  explicit RunGuard(Shared& sh) : m_(&sh.sync_guard) { lock(); }
  ~RunGuard() {
    if (held_) pthread_mutex_unlock(m_);
  }
  RunGuard(const RunGuard&) = delete;
  RunGuard& operator=(const RunGuard&) = delete;
  void lock() {
    if (pthread_mutex_lock(m_) == EOWNERDEAD) pthread_mutex_consistent(m_);
    held_ = true;
  }
  void unlock() {
    pthread_mutex_unlock(m_);
    held_ = false;
  }

 private:
  pthread_mutex_t* m_;
  bool held_ = false;
};

}  // namespace mpsim::os::detail
