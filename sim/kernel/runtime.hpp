#pragma once
// Private to sim/: the interpreter shared by both backends. `Runtime::step`
// (interpreter.cpp) decodes one instruction (expressions, control flow,
// variables, child arguments and isolation, print templates, runtime errors)
// and asks its backend for everything that touches the machine through the
// virtual operations below. The simulator (`Kernel`, kernel.hpp) implements
// them on simulated time; the real-OS backend (sim/os/) with fork, signals,
// synchronisation objects in shared memory (sim/os/sync_objects.cpp) and files.
#include <optional>
#include <string>
#include <string_view>

#include "mpsim/kernel/process.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim::detail {

// Adding an operation: decode it in Runtime::step (the one switch); what it
// does to the machine becomes a virtual operation here, implemented by Kernel
// (override) and by os::detail::RealRuntime (sim/os/real_runtime.hpp) -- or, until
// real mode implements it, give it a body that throws RuntimeError and leave
// the OpCode out of supported() in sim/os/runner.cpp, so real mode refuses
// such scenarios when they are loaded.

/// How one operation, or a process's zero-time run, ended. None: the
/// operation is done and the process goes on at its pc (only an operation
/// returns it). A plain enum rather than std::optional<Stop>: returning an
/// optional built in two stores and read back as one word stalled the store
/// forwarding at every operation (perf put most of Runtime::step's samples
/// on its epilogue).
enum class Stop : std::uint8_t { None, Compute, Blocked, Exited, Yielded };

/// A failed `assert`: a runtime error the result marks as an assertion.
class AssertionFailed : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

class ProcessContext;

class Runtime {
 public:
  virtual ~Runtime() = default;

  // --- the shared interpreter (interpreter.cpp) ---
  /// One zero-time operation; returns a Stop other than None when the process
  /// leaves the core or reaches compute (then `p.remaining` holds the ticks to
  /// run). `ctx` is p's own context (its fast paths read p's variables
  /// directly). Throws RuntimeError.
  Stop step(Process& p, const Instr& in, const ProcessContext& ctx);
  /// Jump and RepeatNext, which read no expression and cannot fail or block:
  /// true when `in` was one of them (done, pc moved), false otherwise. Inline
  /// so that a backend's loop can run them without step()'s frame: they are
  /// half the operations of a `repeat` of a compute and an io.
  static bool jump_step(Process& p, const Instr& in) {
    if (in.op == OpCode::Jump) {
      p.pc = in.jump;
      return true;
    }
    if (in.op != OpCode::RepeatNext) return false;
    auto& left = p.loop_counters[static_cast<std::size_t>(in.slot)];
    if (left == 0) {
      p.pc = in.jump;
    } else {
      --left;
      ++p.pc;
    }
    return true;
  }
  /// The child `handle` names, or a RuntimeError naming `what`.
  Process& child_of(const Process& parent, const Value& handle, std::string_view what);
  /// Longest string a process may build (RunOptions::max_string_bytes).
  std::int64_t string_limit = kDefaultMaxStringBytes;

  // --- what a backend provides ---
  virtual const Scenario& scenario() const = 0;
  /// Current time in ticks.
  virtual Tick now() const = 0;
  /// The process with this pid as the backend knows it now, or nullptr.
  virtual Process* lookup(std::int64_t pid) = 0;
  /// The pid the next created process will get.
  virtual Pid next_pid() = 0;
  virtual Process& create_process(Pid parent, const Program& program, std::string name, Variables vars) = 0;
  /// new -> ready (child of a running process).
  virtual void start_process(Process& child) = 0;
  virtual void signal_process(Process& target, int signo, Pid sender) = 0;
  virtual void print(Process& p, std::string text) = 0;
  /// io/sleep for `duration` ticks (> 0).
  virtual void block(Process& p, BlockReason why, Tick duration) = 0;
  /// `yield`: false when nobody else could use the core (nothing happens).
  virtual bool yield_core(Process& p) = 0;
  /// `join` of started child `c` (pc already advanced): reap it if it has exited,
  /// otherwise wait at most `timeout` ticks (kNever: no timeout).
  virtual Stop wait_child(Process& p, Process& c, Tick timeout) = 0;
  /// End of program or `exit` with `p.exit_request` (semantics.md §4).
  virtual Stop exit_sequence(Process& p) = 0;
  /// The value of "file.key", or nullopt when the file has no such key.
  /// `file` must be declared.
  virtual std::optional<Value> read_key(Process& p, const std::string& object) = 0;
  virtual void write_key(Process& p, const std::string& object, Value v) = 0;
  /// An operation on a synchronisation object (is_sync_op(in.op); pc not yet
  /// advanced): acquire, release, set_event, wait, put, get, ...
  virtual Stop sync_step(Process& p, const Instr& in, const EvalContext& ctx) = 0;
  /// A pool operation (is_pool_op(in.op)), or the end of a pool worker's task
  /// (End or Exit while Process::task != -1); semantics.md §13.
  virtual Stop pool_step(Process& p, const Instr& in, const EvalContext& ctx) = 0;
  /// send, recv, poll or close on a pipe end (pc not yet advanced; semantics.md §14).
  virtual Stop pipe_step(Process& p, const Instr& in, const EvalContext& ctx) = 0;

 private:
  Stop join(Process& p, const Instr& in, const EvalContext& ctx);
  Stop read_file(Process& p, const Instr& in);
  void write_file(Process& p, const Instr& in, const EvalContext& ctx);
  // `load` and `store` of a value or array element (shared_memory.cpp).
  std::string shared_key(const Instr& in, const EvalContext& ctx);
  Stop load_shared(Process& p, const Instr& in, const EvalContext& ctx);
  void store_shared(Process& p, const Instr& in, const EvalContext& ctx);
  Pid create_child(Process& p, const Instr& in, const EvalContext& ctx);
  void start_child(Process& p, Process& c);
};

/// The name and variables of copy `index` (pid `pid`) of an initial process:
/// its `index` (when `count` > 1 or the name uses it) and its `args`,
/// evaluated with only `index`, `pid` and `ppid` (1) known. Both backends
/// start their initial processes with it.
struct InitialIdentity {
  std::string name;
  Variables vars;
};
InitialIdentity initial_identity(const ProcessSpec& spec, std::int32_t index, Pid pid);

/// Variables and built-in functions as seen by one process.
class ProcessContext : public EvalContext {
 public:
  ProcessContext(Runtime& rt, Process& p) : rt_(rt), p_(p) {}
  std::optional<Value> variable(std::string_view n) const override;
  const Value* find_stored(std::string_view n, std::uint64_t key) const override {
    return p_.vars.find(n, key);
  }
  Value call(std::string_view f, const std::vector<Value>& args) const override;
  [[nodiscard]] std::int64_t max_string_bytes() const override { return rt_.string_limit; }

  /// e.eval_int(*this, what), reading a lone variable holding an int straight
  /// from the process: compute, io and repeat amounts are nearly always a
  /// literal or a process argument, and the virtual find_stored and the
  /// general path cost more than the lookup itself. The same value: for a
  /// lone variable, Expr::eval_int takes find_stored's int first too. Every
  /// other case (undefined, not an int, any other expression) takes the
  /// general path, which gives the errors.
  [[nodiscard]] std::int64_t int_of(const Expr& e, std::string_view what) const {
    if (const std::string* name = e.lone_variable())
      if (const Value* v = p_.vars.find(*name, e.lone_variable_key()))
        if (const auto* i = std::get_if<std::int64_t>(v)) return *i;
    return e.eval_int(*this, what);
  }

 private:
  Value read_file_key(const Value& key) const;
  Runtime& rt_;
  Process& p_;
};

}  // namespace mpsim::detail
