#pragma once
// Private to sim/: the state of one simulation run, shared by the tick loop
// (machine.cpp), the lifecycle rules (lifecycle.cpp) and the interpreter
// (interpreter.cpp).
#include <deque>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "mpsim/kernel/external.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/kernel/policy.hpp"
#include "mpsim/kernel/process.hpp"
#include "kernel/pool.hpp"
#include "kernel/cache_model.hpp"
#include "kernel/process_table.hpp"
#include "kernel/round_skip.hpp"
#include "kernel/runtime.hpp"
#include "kernel/timer_heap.hpp"
#include "kernel/sync.hpp"

namespace mpsim::detail {

class PerCoreQueues;
class CacheModel;

struct Core {
  CoreId id = 0;
  Pid pid = kNoPid;        ///< running, being switched to, or held (see status)
  Process* process = nullptr;  ///< that process (set with pid): the tick loop reads it at every boundary
  CoreStatus status = CoreStatus::Idle;
  Pid last = kNoPid;       ///< last process that ran here (context-switch cost)
  Tick switch_left = 0;
  Tick switched_in = -1;   ///< boundary at which a switch to `pid` last completed
  Tick status_since = 0;
  bool renews = false;     ///< scratch: Kernel::next_event_time's renews_silently, for advance
};

/// Zero-time operations run by each process at the current boundary (the
/// runaway-loop guard), kept in the process itself (Process::zero_ops*).
/// `clear` starts a new boundary in O(1): a count restarts from 0 when it is
/// next used at a later boundary.
class ZeroOpCounts {
 public:
  explicit ZeroOpCounts(ProcessTable& procs) : procs_(procs) {}
  std::int64_t& operator[](Pid pid) { return of(procs_[static_cast<std::size_t>(pid)]); }
  /// The count of `p`, without looking it up in the table.
  std::int64_t& of(Process& p) {
    if (p.zero_ops_boundary != boundary_) {
      p.zero_ops_boundary = boundary_;
      p.zero_ops = 0;
    }
    return p.zero_ops;
  }
  void clear() { ++boundary_; }

 private:
  ProcessTable& procs_;
  std::uint64_t boundary_ = 1;
};

class Kernel final : public Runtime, public ExternalHost {
 public:
  Kernel(const Scenario& s, const RunOptions& o);
  RunResult run();

  // --- used by the interpreter and lifecycle code ---
  Process& proc(Pid pid) { return procs_[static_cast<std::size_t>(pid)]; }
  [[nodiscard]] bool valid_pid(std::int64_t pid) const {
    return pid > kInitPid && pid < static_cast<std::int64_t>(procs_.size());
  }
  Tick now() const override { return now_; }
  const Scenario& scenario() const override { return scenario_; }
  const RunOptions& options() const { return options_; }

  Process& create_process(Pid parent, const Program& program, std::string name, Variables vars) override;
  void start_process(Process& child) override;  // new -> ready (child of a running process)
  /// -> zombie with all consequences; `normal` = ran its exit handling (not signalled)
  void exit_process(Process& p, std::int64_t code, bool normal);
  void detach(Process& p);
  void signal_process(Process& target, int signo, Pid sender) override;
  void fail(Process& p, const std::string& message);  // runtime error: exit code 1
  void print(Process& p, std::string text) override;
  void block(Process& p, BlockReason why, Tick duration) override;  // duration kNever: no timeout
  void make_ready(Process& p, bool front = false);
  void reap(Process& zombie, Pid reaper);
  std::map<std::string, FileContent>& files() { return files_; }
  /// Records a shared-state operation for the race detector (docs/json-output.md).
  void log_sync(const Process& p, SyncOp op, std::int32_t object, std::int32_t arg = 0);
  /// Index of file key "file.key" in RunResult::keys, added on first use.
  std::int32_t key_id(const std::string& key);
  bool others_ready_for(const Process& p) const;

  /// Runs zero-time operations of `p` (which holds a core) until it reaches a
  /// time-consuming operation, blocks or exits.
  Stop run_zero_time(Process& p);

  // --- offered to an ExternalDriver (external.cpp) ---
  const Process* process(std::int64_t pid) override { return lookup(pid); }
  std::int32_t add_object(const SyncObject& o) override;
  void shared_access(const Process& p, const std::string& key, bool write) override;
  void exit_now(Process& p, std::int64_t code) override { exit_process(p, code, true); }

 private:
  // The simulator's side of the interpreter's operations (interpreter.cpp;
  // the decoding itself is Runtime::step, shared with the real-OS backend).
  Process* lookup(std::int64_t pid) override;
  Pid next_pid() override;
  bool yield_core(Process& p) override;
  Stop wait_child(Process& p, Process& c, Tick timeout) override;
  Stop exit_sequence(Process& p) override;
  std::optional<Value> read_key(Process& p, const std::string& object) override;
  void write_key(Process& p, const std::string& object, Value v) override;

  // Synchronisation objects (sync.cpp).
  void init_sync_objects();
  Stop sync_step(Process& p, const Instr& in, const EvalContext& ctx) override;
  Stop enter_wait(Process& p, const Instr& in, std::int32_t obj, Tick timeout);
  void set_wait_result(Process& p, const Instr& in, bool ok);
  void end_wait(Process& p, bool ok);
  void clear_wait(Process& p);
  void note_wait(Process& p, const Instr& in);
  void finish_sync_stats();
  Stop acquire(Process& p, const Instr& in, Tick timeout);
  void release(Process& p, SyncState& o);
  void free_lock(std::int32_t id);
  void set_event(Process& p, std::int32_t id);
  Stop event_wait(Process& p, const Instr& in, Tick timeout);
  Stop barrier_wait(Process& p, const Instr& in);
  SyncState& held_condition_lock(const Process& p, const SyncState& cond, const char* what);
  Stop condition_wait(Process& p, const Instr& in, Tick timeout);
  void notify(Process& p, std::int32_t id, std::int64_t n);
  bool reacquire(Process& p);
  Stop put(Process& p, const Instr& in, Value v, Tick timeout);
  Stop get(Process& p, const Instr& in, Tick timeout);
  void deliver(Process& g, std::int32_t obj, std::int32_t id, Value v);
  void sync_timeout(Process& p);
  void leave_sync_wait(Process& p);
  void describe_sync_wait(const Process& p, StuckProcess& s) const;

  // Process pools (pool.cpp, semantics.md §13).
  Stop pool_step(Process& p, const Instr& in, const EvalContext& ctx) override { return pools_.step(p, in, ctx); }
  Pools pools_{*this};
  friend class Pools;
  // Pipes (pipe.cpp): ends are queues with close and poll.
  Stop pipe_step(Process& p, const Instr& in, const EvalContext& ctx) override;
  bool end_closed(const Instr& in) const;
  Stop pipe_recv(Process& p, const Instr& in);
  Stop pipe_poll(Process& p, const Instr& in, Tick timeout);
  void pipe_close(Process& p, const Instr& in);
  void wake_pollers(SyncState& q);

 private:
  // The phases of one boundary (semantics.md §5).
  void wake_timers();               // 1
  void continue_finished();         // 2
  void expire_quanta();             // 3
  void preempt_for_better();        // 4
  void dispatch_free_cores();       // 5
  Tick advance();                   // 6: returns the next boundary, or kNever

  bool dispatch(Core& c);
  // Choice points, asked only with a Chooser (choice.cpp).
  std::int32_t ask(ChoicePoint& point);
  Process* chosen_next(Core& c);
  void continue_chosen();
  Pid chosen_waiter(SyncState& o, std::int32_t id);
  bool chosen_keep_slice(Process& p);
  Tick chosen_delay(Process& p);
  /// The waiter a freed lock or semaphore unit goes to, out of its queue (FIFO without a chooser).
  Pid next_waiter(SyncState& o, std::int32_t id) {
    if (options_.chooser) return chosen_waiter(o, id);
    Pid pid = o.waiters.front();
    o.waiters.pop_front();
    return pid;
  }
  Tick next_event_time();
  bool preemption_pending();
  bool wanted_by_other(const Core& c, const Process& p);
  bool renews_silently(const Core& c, const Process& p);
  void begin_running(Core& c, Process& p);
  void handle_stop(Core& c, Process& p, Stop stop);
  void release_core(Core& c);
  void set_core(Core& c, CoreStatus st, Process* p);  // p: nullptr for none
  void set_state(Process& p, ProcState st, BlockReason why = BlockReason::None);
  void account_state_time(Process& p);
  // Every scheduling event goes through here (inline: it is the most called function).
  void log(EventKind k, Pid pid, int a, std::int32_t b, CoreId core = -1) {
    ++result_.scheduling_events;
    if (!options_.record_events) return;
    result_.events.push_back(Event{now_, pid, static_cast<std::int16_t>(core), k, static_cast<std::uint8_t>(a), b});
  }
  void start_io(Process& p);
  void finish_io_service(Process& p);
  void add_timer(Process& p, Tick at, int group);
  void orphan_children(Process& p, bool kill_daemons);
  void finish_run();
  /// Why the run stops early (a limit or an interrupt): RunResult::stopped.
  [[nodiscard]] std::string stop_reason() const;
  StuckProcess describe_wait(const Process& p) const;
  bool all_done() const;
  Core* core_of(Process& p);

  // Round skipping (round_skip.cpp): whole periods of rr, fair or cfs over a
  // fixed set of computing processes, replayed at once. Called after phase 5
  // once now_ reaches next_round_try_ (kNever when off: one compare per boundary).
  void skip_rounds();
  bool start_round();
  bool round_matches();
  void replay_rounds();
  /// The first tick round skipping must not reach: one past max_ticks, where
  /// the run stops at a boundary (a skip lands at most on max_ticks itself).
  Tick tick_limit() const { return options_.max_ticks < kNever ? options_.max_ticks + 1 : kNever; }
  void retry_rounds_at(Tick t) { next_round_try_ = t; }
  // Slice batching (rotation.cpp): rr slice changes on one core, and the io
  // ends, compute ends and dispatches between them, in a tight loop, called
  // after round skipping's check when batch_ is set.
  bool batches_slices(const Scenario& s, const RunOptions& o);
  /// Where the tick loop goes on after slice batching: advance as usual, or
  /// run the phases of the boundary the batch stopped in, from phase 1 or
  /// (phase 2 done in the batch) from phase 3.
  enum class Resume : std::uint8_t { Advance, Phase1, Phase3 };
  Resume rotate_slices();
  template <typename F>
  void each_ready(F&& visit);  // round_skip.cpp
  template <bool Log>
  Resume rotate();
  /// What a batch of slices adds to the run's totals, kept aside until
  /// written back (write_back): since when, and what was counted.
  struct Batch {
    Tick since;
    std::int64_t slices = 0;      ///< slice changes (each a context switch)
    std::int64_t dispatches = 0;  ///< context switches to a core freed by operations
    std::int64_t events = 0;  ///< scheduling events counted but not logged
    Tick busy = 0;            ///< core 0's busy and switching time
    Tick switching = 0;
    bool moved = false;  ///< any boundary passed
    bool ran = false;    ///< the core computed (counted by slices too)
  };
  void write_back(Batch& b);
  void settle_concurrency(Batch& b);
  bool wake_io_in_batch();
  Resume run_operations(Core& c, Process& x, Batch& b, bool finished, bool new_boundary);
  /// The cheap half of rotate_slices' first test, asked at every boundary:
  /// a switch is under way or a process computes.
  [[nodiscard]] bool batch_may_start() const {
    const Core& c = cores_[0];
    return c.status == CoreStatus::Switching || c.status == CoreStatus::Running;
  }

  const Scenario& scenario_;
  RunOptions options_;
  bool pinned_ = false;  ///< some process has an affinity (else every process runs anywhere)
  std::unique_ptr<Policy> policy_;
  PerCoreQueues* per_core_ = nullptr;  ///< policy_ itself under per-core queues, else null
  void cache_dispatch(Core& c, Process& p);
  /// advance() under the cache model: the step to `next` ends earlier if a
  /// warm-up or a warm compute ends first; the computes progress (cache_model.cpp).
  Tick cache_step(Tick next);
  void ostep_steal();  ///< multi.py's stealing pass, before phase 5 (kernel/multi_ostep.cpp)
  bool stop_queue(std::vector<bool>& lost, const Process& r) const;
  /// Could ready `r` take core `c`? Under per-core queues only from its own queue.
  [[nodiscard]] bool eligible(const Process& r, CoreId c) const {
    return r.can_run_on(c) && (!per_core_ || r.rq_core == c);
  }
  /// The policy's constant answers, read once: the tick loop asks them at
  /// every boundary, and a virtual call each time is measurable there.
  struct PolicyTraits {
    bool preemptive = false;        // Policy::preemptive()
    bool silent_slice_end = false;  // Policy::silent_slice_end()
    bool ranks_all_equal = false;   // Policy::ranks_all_equal()
    Tick fixed_quantum = 0;         // Policy::fixed_quantum()
    bool keeps_time = true;         // Policy::keeps_time()
  } traits_;
  /// Policy::slice_left without the call when the policy's slice is fixed.
  [[nodiscard]] Tick slice_left(const Process& p) const {
    return traits_.fixed_quantum > 0 ? traits_.fixed_quantum - p.quantum_used : policy_->slice_left(p);
  }
  ProcessTable procs_;  // index = pid; 0 unused, 1 = init (references stay valid)
  std::vector<Core> cores_;
  TimerHeap timers_;
  std::vector<Pid> io_woken_;      // made ready by io this boundary (io_completion preempt),
                                   // cleared at the start of the next boundary
  std::vector<Pid> held_resume_;  // switch_on_io false: blocked holders whose wait ended
  std::deque<Pid> io_queue_;      // io requests waiting for a device
  std::int32_t io_in_service_ = 0;
  Tick io_busy_since_ = 0;
  std::map<std::string, FileContent> files_;
  std::vector<SyncState> sync_;   // by index in Scenario::objects (= RunResult::objects)
  std::deque<SyncObject> added_objects_;  // declared by an ExternalDriver (stable addresses)
  std::int64_t live_ = 0;         // processes ready, running or blocked
  std::int64_t pending_arrivals_ = 0;
  Tick now_ = 0;
  std::uint64_t ready_seq_ = 0;
  Tick next_round_try_ = kNever;  // round skipping: next boundary to look for a period at
  RoundRecord round_;
  bool batch_ = false;             // slice batching applies (batches_slices)
  Ring<Process*>* rotation_q_ = nullptr;  // then the policy's ready queue
  ZeroOpCounts zero_ops_{procs_};  // zero-time operations run at this boundary, by pid
  std::map<std::string, std::int32_t> key_index_;     // RunResult::keys by name
  RunResult result_;
  // Last, so that the hot members above keep their offsets (and cache lines).
  std::unique_ptr<CacheModel> cache_;  ///< machine.cache, else null (kernel/cache_model.cpp)
  bool multi_ostep_ = false;           ///< machine.multi_ostep: multi.py's rules
  /// cache_ or multi_ostep_: one test on the hot paths when both are off.
  bool cache_or_ostep_ = false;
};

}  // namespace mpsim::detail
