#pragma once
/// The scenario model: what a JSON scenario file says, validated and compiled.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mpsim/model/expr.hpp"
#include "mpsim/model/program.hpp"
#include "mpsim/model/types.hpp"
#include "mpsim/model/value.hpp"

namespace mpsim {

/// A policy parameter: an int, a bool, a list of ints (e.g. MLFQ quanta per
/// level) or one word out of a fixed set (e.g. MLFQ's variant).
using ParamValue = std::variant<std::int64_t, bool, std::vector<std::int64_t>, std::string>;

struct SchedulerConfig {
  std::string policy = "rr";
  std::map<std::string, ParamValue> params;  ///< every declared parameter, defaults filled in
};

enum class IoCompletion : std::uint8_t { Enqueue, Preempt };
enum class ExitSemantics : std::uint8_t { Posix, Python };
/// One ready queue for all cores, or one per core (semantics.md §12).
enum class QueueDesign : std::uint8_t { Global, PerCore };
/// Where a new or woken process is queued under per-core queues.
enum class Placement : std::uint8_t { Last, LeastLoaded };

/// `machine.per_core`: the rules of per-core run queues.
struct PerCoreConfig {
  Placement placement = Placement::Last;
  Tick balance_interval = 0;           ///< balance every this many ticks (0 = never)
  std::int64_t balance_threshold = 1;  ///< balance while loads differ by more than this
  Tick steal_peek = 0;                 ///< an idle core steals every this many ticks (0 = never)
  std::int64_t seed = 0;               ///< multi_ostep: seed of multi.py's victim draws
};

/// `machine.cache`: per-core caches that a process must warm before it runs
/// at full speed (OSTEP multi.py's model, semantics.md §12.1). Off when absent.
struct CacheConfig {
  std::int64_t size = 100;      ///< per core, in the unit of working sets
  Tick warmup = 10;             ///< ticks a process runs cold on a core before it is warm there
  std::int64_t warm_rate = 2;   ///< compute ticks done per tick while warm (cold: 1)
};

struct MachineConfig {
  std::int32_t cores = 1;
  std::int64_t tick_us = 1000;
  SchedulerConfig scheduler;
  Tick context_switch = 0;
  bool switch_on_io = true;
  IoCompletion io_completion = IoCompletion::Enqueue;
  ExitSemantics exit_semantics = ExitSemantics::Posix;
  std::int32_t io_channels = 0;  ///< 0 = unlimited parallel IO
  QueueDesign queues = QueueDesign::Global;
  PerCoreConfig per_core;        ///< used when queues is PerCore
  std::optional<CacheConfig> cache;  ///< the cache model, off when empty
  bool multi_ostep = false;      ///< OSTEP multi.py's rules (docs/multi-ostep.md)
};

/// One entry of `processes` (before `count` expansion).
struct ProcessSpec {
  std::string name;     ///< template; `{index}` etc. are interpolated
  std::optional<Template> parsed_name;  ///< `name` parsed by the loader (once, not per process)
  std::string program;
  std::int32_t count = 1;
  std::vector<std::pair<std::string, Expr>> args;
  Tick arrival = 0;
  std::int64_t priority = 0;
  std::int64_t nice = 0;
  std::int64_t tickets = 100;    ///< lottery and stride share (inherited by children)
  std::int64_t working_set = 0;  ///< cache model: size of its working set (inherited)
  std::vector<CoreId> affinity;  ///< empty = any core
  bool daemon = false;
  std::string path;     ///< JSON path, for messages
};

using FileContent = std::map<std::string, Value>;

/// The kinds of synchronisation and IPC object (semantics.md §7).
enum class SyncKind : std::uint8_t { Lock, RLock, Semaphore, Event, Barrier, Condition, Queue };

const char* to_string(SyncKind k);
/// What a process waiting on an object of kind `k` is blocked on.
BlockReason block_reason(SyncKind k);

/// One declared synchronisation object. Names are unique across all kinds.
struct SyncObject {
  std::string name;
  SyncKind kind = SyncKind::Lock;
  std::int64_t value = 0;   ///< semaphore: initial value; barrier: parties; queue: capacity (0 = unbounded)
  bool bounded = false;     ///< semaphore: releasing above the initial value is an error
  std::int32_t lock = -1;   ///< condition: index of its lock or rlock in Scenario::objects
  bool pipe_end = false;    ///< queue: the receiving side of a pipe end (messages say "pipe end")
};

/// "lock `mutex`": how messages name an object.
std::string quoted(const SyncObject& o);

/// An end-of-run check (`expect` at the top level): an expression over the
/// final files, the printed lines and the outcome (docs/semantics.md §11).
struct Expectation {
  std::string source;  ///< as written, for reports
  Expr expr;
  std::string path;  ///< JSON path, for messages
};

/// One declared process pool (`pools`, semantics.md §13).
struct PoolDecl {
  std::string name;
  std::int32_t processes = 1;        ///< workers
  std::int64_t maxtasksperchild = 0; ///< 0: a worker runs tasks until the pool ends
  std::string initializer;           ///< program each worker runs first ("" = none)
  std::string path;                  ///< JSON path, for messages
};

/// A `values` or `arrays` entry (semantics.md §14): stored as the shared file
/// of the same name, keys "value" or "0".."length-1", so reads and writes are
/// shared accesses the race detector sees.
struct SharedMemory {
  bool array = false;
  std::int64_t length = 1;  ///< array: number of elements
  Value type;               ///< a value of the element type (int, bool or string)
  std::int32_t lock = -1;   ///< its rlock "NAME.lock" in Scenario::objects, -1 with lock false
};

/// A `pipes` entry: ends "NAME.a"/"NAME.b" (duplex) or "NAME.r"/"NAME.w"
/// (one-way), each receiving end a queue object named after it.
struct PipeSpec {
  std::string name;
  bool duplex = true;
  std::int64_t capacity = 0;  ///< messages in flight per direction (0 = unbounded)
};

struct Scenario {
  std::string source;  ///< file it was loaded from
  std::string name;
  std::string description;
  MachineConfig machine;
  std::map<std::string, std::shared_ptr<const Program>> programs;
  std::vector<ProcessSpec> processes;
  std::map<std::string, FileContent> files;
  std::vector<SyncObject> objects;  ///< in declaration order, kinds in SyncKind order
  std::vector<Expectation> expects;  ///< `expect`, in file order
  std::vector<PoolDecl> pools;       ///< `pools`, in file order
  std::map<std::string, SharedMemory> shared;  ///< `values` and `arrays` by name
  std::vector<PipeSpec> pipes;                 ///< `pipes`, in file order
};

}  // namespace mpsim
