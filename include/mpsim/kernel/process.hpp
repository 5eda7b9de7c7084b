#pragma once
/// The simulated kernel's process control block. Fields are grouped by who
/// owns them; policies read the scheduling fields and may use `policy_*`.
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mpsim/model/name_key.hpp"
#include "mpsim/model/program.hpp"
#include "mpsim/model/result.hpp"
#include "mpsim/model/types.hpp"
#include "mpsim/model/value.hpp"

namespace mpsim {

/// Private variables. Processes have few, so the first kInline are stored in
/// the process itself and found by a short scan: reading one costs no pointer
/// chase to the heap, which in a run of 10^5 processes is a cache miss. Each
/// name's name_key (model/name_key.hpp) is kept beside it: the scan compares
/// one word per variable, and a caller that knows the key (a lone-variable
/// expression computes it once) skips computing it.
class Variables {
 public:
  static constexpr std::size_t kInline = 3;

  [[nodiscard]] const Value* find(std::string_view name) const {
    return find(name, name_key(name));
  }
  /// find(name) when `key` is name_key(name).
  [[nodiscard]] const Value* find(std::string_view name, std::uint64_t key) const {
    for (std::uint32_t i = 0; i < used_; ++i)
      if (keys_[i] == key && name_tail_equal(name, inline_[i].first)) return &inline_[i].second;
    if (used_ < kInline) return nullptr;  // nothing spilled
    return find_spilled(name, key);
  }
  void set(std::string_view name, Value v);

 private:
  struct Spilled {
    std::uint64_t key;
    std::string name;
    Value value;
  };
  using Entry = std::pair<std::string, Value>;
  [[nodiscard]] const Value* find_spilled(std::string_view name, std::uint64_t key) const;
  std::array<std::uint64_t, kInline> keys_{};  // name_key of inline_[i].first
  std::array<Entry, kInline> inline_;  // the first used_ are set
  std::uint32_t used_ = 0;
  std::vector<Spilled> more_;  // beyond kInline, in order of creation
};

/// Counters of the `repeat` loops being run (one slot per loop of the
/// program), the first two in place for the same reason.
class LoopCounters {
 public:
  void reset(std::size_t slots) {
    inline_ = {};
    more_.assign(slots > kInline ? slots - kInline : 0, 0);
  }
  std::int64_t& operator[](std::size_t i) { return i < kInline ? inline_[i] : more_[i - kInline]; }
  std::int64_t operator[](std::size_t i) const { return i < kInline ? inline_[i] : more_[i - kInline]; }

 private:
  static constexpr std::size_t kInline = 2;
  std::array<std::int64_t, kInline> inline_{};
  std::vector<std::int64_t> more_;
};

/// Process::task of a pool worker running its pool's initializer.
inline constexpr std::int32_t kInitializerTask = -2;

struct alignas(64) Process {
  // Read or written at nearly every scheduling event, so kept together in
  // the first cache line (the struct is 64-byte aligned), with the counters
  // that open `stats` in the second: a time slice touches these two lines
  // of each process it switches, and a run of many processes cycles through
  // more of them than a first-level cache holds (issue 18: one line less
  // per switch). What operations use (program, loop counters, variables,
  // timers) comes next; prefetch() can ask for all of it ahead. Who changes
  // each field is noted beside it.
  ProcState state = ProcState::New;          // machine
  BlockReason block = BlockReason::None;     // machine
  bool woke_from_io = false;   ///< machine: made ready at this boundary by an io completion
  CoreId core = -1;            ///< machine: core it runs on, is switched to, or holds
  Pid pid = kNoPid;            // lifecycle
  std::int32_t pc = 0;         // interpreter
  std::uint32_t timer_gen = 0; ///< machine: invalidates stale timers
  std::int32_t wait_obj = -1;  ///< sync.cpp: object it is queued on; -1: none (read at every wake-up)
  Tick remaining = 0;          ///< interpreter: ticks left of the current compute (0: not computing)
  Tick quantum_used = 0;       ///< machine: ticks run since dispatch (or since its quantum was renewed)
  Tick state_since = 0;        // machine
  Tick ready_since = 0;        ///< machine: tick it last entered the ready queue
  std::uint64_t ready_seq = 0; ///< machine: global FIFO order of ready-queue entries
  ProcessResult stats;         ///< outcome and accounting (its counters come first)
  const Program* program = nullptr;     // lifecycle
  std::uint64_t zero_ops_boundary = 0;  ///< the kernel's boundary count when zero_ops was last used
  std::int64_t zero_ops = 0;   ///< zero-time operations run at that boundary (runaway guard)
  Tick wake_at = kNever;       ///< machine: io/sleep/join-timeout deadline
  Tick io_ticks = 0;           ///< machine: length of the queued io request
  LoopCounters loop_counters;  // interpreter
  Variables vars;              ///< interpreter: read by most computes and io
  std::vector<CoreId> affinity;  ///< scenario: empty = any core

  // Identity and family (changed only by the lifecycle code).
  Pid parent = kNoPid;
  Pid original_parent = kNoPid;
  std::string name;
  std::vector<Pid> children;  ///< creation order; includes exited and reaped ones
  bool daemon = false;
  bool started = false;

  // Execution (changed only by the interpreter).
  std::int32_t exit_stage = 0; ///< python exit_semantics: progress through the exit sequence
  std::int64_t exit_request = 0;  ///< code to exit with once the python exit sequence ends
  // Process pools (kernel/pool.cpp, semantics.md §13).
  std::int32_t pool = -1;  ///< pool worker: index of its pool; -1: not a worker
  std::int32_t task = -1;  ///< pool worker: id of the task it runs, kInitializerTask, or -1
  // A wait on a synchronisation object (sim/sync.cpp).
  const Instr* wait_op = nullptr;  ///< the waiting operation, for its "into"/"ok" variables
  std::int64_t wait_depth = 0;     ///< lock depth to take when granted (rlock after a condition wait)
  bool wait_reacquire = false;     ///< condition wait: notified or timed out, now queued for the lock
  bool wait_timed_out = false;     ///< condition wait: its timeout fired
  Tick wait_since = 0;             ///< tick the wait began (per-object blocked time)

  // Scheduling state and attributes (changed only by the machine).
  Pid join_target = kNoPid;
  std::int64_t priority = 0;
  std::int64_t nice = 0;
  // Free for the policy (level for MLFQ, ticks used at the level...).
  std::int64_t policy_level = 0;
  std::int64_t policy_used = 0;
  std::int64_t policy_epoch = 0;
  std::int64_t tickets = 100;  ///< scenario (inherited like nice): lottery and stride shares
  std::int64_t working_set = 0;  ///< scenario (inherited): cache model working-set size

  // Per-core run queues (machine.queues "per_core", kernel/run_queues.cpp); unused otherwise.
  CoreId rq_core = -1;             ///< core whose run queue holds it (or held it last)
  CoreId last_core = -1;           ///< core it was last dispatched on
  std::int64_t rq_preempts = 0;    ///< stats.involuntary_switches at its last dispatch

  [[nodiscard]] bool can_run_on(CoreId c) const {
    if (affinity.empty()) return true;  // the usual case, on every scheduling decision
    for (CoreId a : affinity)
      if (a == c) return true;
    return false;
  }
  /// A new process running `program` from its start: identity, variables and
  /// loop counters (both backends create processes through it).
  void begin(Pid id, Pid parent_pid, std::string process_name, const Program& prog, Variables variables) {
    pid = id;
    parent = parent_pid;
    original_parent = parent_pid;
    name = std::move(process_name);
    program = &prog;
    vars = std::move(variables);
    loop_counters.reset(static_cast<std::size_t>(prog.loop_slots));
  }

  /// Asks the memory system for what a dispatch touches (the hot fields, the
  /// variables) ahead of use: the caller knows this process runs soon.
  [[gnu::always_inline]] void prefetch() const {
    prefetch_hot();
    prefetch_operations();
  }
  /// The hot fields and counters (the first two lines).
  [[gnu::always_inline]] void prefetch_hot() const {
    prefetch_lines(this, std::make_index_sequence<2>{});
  }
  /// What running operations reads: the fields from `program` to `vars`
  /// (program, runaway count, timers, loop counters, variables).
  [[gnu::always_inline]] void prefetch_operations() const {
    auto line = reinterpret_cast<std::uintptr_t>(&program) & ~std::uintptr_t{63};
    auto end = reinterpret_cast<std::uintptr_t>(&vars + 1);
    for (; line < end; line += 64) __builtin_prefetch(reinterpret_cast<const void*>(line));
  }

  [[nodiscard]] bool alive() const {
    return state == ProcState::Ready || state == ProcState::Running || state == ProcState::Blocked;
  }

 private:
  // always_inline, here and in prefetch(): g++ 12 sees a function that only
  // prefetches as one without effect and drops calls to it before inlining
  // them (the generated code had no prefetch left).
  template <std::size_t... Line>
  [[gnu::always_inline]] static void prefetch_lines(const void* at, std::index_sequence<Line...>) {
    (__builtin_prefetch(static_cast<const char*>(at) + 64 * Line), ...);
  }
};

}  // namespace mpsim
