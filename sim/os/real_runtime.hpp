#pragma once
// Private to sim/os/: RealRuntime, one scenario process in real-OS mode (the
// shared interpreter driven by real time). Declared here so that its members
// can be defined by concept in several files: process.cpp (the process's
// life: fork, wait, signal, exit), pool_real.cpp and pool_worker.cpp
// (process pools), process_files.cpp (shared JSON files) and
// core_tracking.cpp (where it ran).
#include <signal.h>

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "os/shared.hpp"
#include "os/sync_objects.hpp"

namespace mpsim::os::detail {

using mpsim::detail::ProcessContext;
using mpsim::detail::Runtime;
using mpsim::detail::Stop;

// Copies `s` into the fixed buffer `dst` of `n` bytes, cut and NUL-terminated.
void copy_name(char* dst, std::size_t n, const std::string& s);

class RealRuntime final : public Runtime, public SyncHost {
 public:
  RealRuntime(const Setup& s, Process p);

  [[noreturn]] void run();

  // --- Runtime ---
  const Scenario& scenario() const override { return *setup_.scenario; }

  Tick now() const override;
  Process* lookup(std::int64_t pid) override;
  Pid next_pid() override;
  Process& create_process(Pid parent, const Program& program, std::string name,
                          Variables vars) override;
  void start_process(Process& c) override;
  void signal_process(Process& c, int signo, Pid sender) override;
  void print(Process& p, std::string text) override;
  void block(Process& p, BlockReason why, Tick duration) override;
  bool yield_core(Process&) override;
  Stop wait_child(Process& p, Process& c, Tick timeout) override;
  Stop exit_sequence(Process& p) override;
  std::optional<Value> read_key(Process& p, const std::string& object) override;
  void write_key(Process& p, const std::string& object, Value v) override;

  Stop sync_step(Process& p, const Instr& in, const EvalContext& ctx) override {
    return real_sync_step(sh_, *setup_.scenario, p, in, ctx, *this);
  }
  Stop pipe_step(Process& p, const Instr& in, const EvalContext& ctx) override {
    return real_pipe_step(sh_, *setup_.scenario, p, in, ctx, *this);
  }

  // --- process pools (semantics.md §13; docs/real-os.md#pools) ---
  Stop pool_step(Process& p, const Instr& in, const EvalContext& ctx) override;

  // --- SyncHost ---
  void blocked(BlockReason why, std::int32_t object, bool timed) override;
  void resumed() override;

 private:
  // --- process pools (pool_real.cpp; the worker's side in pool_worker.cpp) ---
  struct Job {
    std::int64_t id = 0;
    std::int32_t pool = -1;
    OpCode kind = OpCode::Apply;
    std::vector<std::int32_t> tasks;
    std::string callback, error_callback;
    bool called = false;      // its callback ran (or never will)
    std::vector<bool> taken;  // imap: results given by `next`
    std::size_t consumed = 0;
  };

  SharedPool& pool(std::int32_t i) { return sh_.pool.pools[i]; }
  SharedTask& task(std::int32_t id) { return sh_.pool.tasks[id - 1]; }
  const PoolDecl& decl(std::int32_t i) const {
    return setup_.scenario->pools[static_cast<std::size_t>(i)];
  }

  static bool mapping(OpCode op) {
    return op == OpCode::Map || op == OpCode::MapAsync || op == OpCode::Imap ||
           op == OpCode::ImapUnordered;
  }

  std::int32_t owned_pool(const Instr& in);
  Job& owned_job(const Value& handle, const Instr& in);
  void create_pool(Process& p, const Instr& in);
  void spawn_worker(std::int32_t i);
  Stop work(Process& w);
  void start_task(Process& w, std::int32_t id);
  Stop task_end(Process& w, const Instr& in, const EvalContext& ctx);
  void finish_task(Process& w, bool ok, const Value& v, std::string error);
  std::int64_t submit(Process& p, const Instr& in, const EvalContext& ctx);
  std::int32_t state_of(std::int32_t id);
  bool job_done(std::int64_t id);
  std::string task_error(std::int32_t id);
  std::string task_failed_message(const Job& j, std::int32_t id);
  std::string failure(std::int64_t job);
  void deliver(std::int64_t job, const std::string& into);
  std::int64_t deadline_of(const Instr& in, const EvalContext& ctx);
  bool await_job(std::int64_t job, std::int64_t deadline);
  template <class Ready>
  bool await_until(std::int32_t i, std::int64_t deadline, Ready ready);
  void received_callbacks() { run_callbacks(); }
  void run_callbacks();
  void run_callback(const std::string& name, std::int64_t job);
  void at_boundary();
  void maintain();
  void fail_running(std::int32_t i, Pid w, const std::string& why);
  void next(Process& p, const Instr& in, const EvalContext& ctx);
  void join_pool(const Instr& in);
  void terminate_pool(const Instr& in);

  std::vector<std::shared_ptr<Program>> loops_;  // each pool's worker loop (PoolWork, End)
  std::map<std::int64_t, Job> jobs_;             // this process's submissions, by handle
  std::set<Pid> ended_;                          // workers whose end maintain() has handled
  std::int64_t tasks_done_ = 0;                  // a worker: tasks it finished (maxtasksperchild)
  bool waited_ = false;                          // the pool operation under way had to wait

  // --- the process's life (process.cpp) ---
  Slot& slot(Pid pid) { return sh_.slots[pid]; }
  void enter();
  void become(Pid pid);
  void refresh_parent();
  void running(Pid pid);
  void set_activity(Activity a, std::int32_t object);
  std::int64_t exit_code_of(Pid pid, const siginfo_t& si);
  void log_exit(Pid pid, std::int64_t ns, std::int64_t code) { note_exit(sh_, pid, ns, code); }
  void refresh(Process& c);
  bool await_exit(Process& p, Process& c, Tick timeout);
  void reap(Process& c, bool was_zombie);
  void fail(const std::string& message);
  [[noreturn]] void finish(std::int64_t code, bool kill_daemons);

  // --- where it ran (core_tracking.cpp) ---
  void burn(Tick ticks);
  void track(std::int64_t used = -1);
  int core_of(int cpu) const;
  void track_last();

  // --- shared JSON files (process_files.cpp) ---
  std::pair<std::string, std::string> split(const std::string& object);
  void replace_file(const std::string& tmp, const std::string& path, const std::string& object);
  nlohmann::json load(const std::string& file);
  std::int16_t key_index(const std::string& object);

  const Setup& setup_;
  Shared& sh_;
  Process self_;
  std::map<Pid, Process>
      kids_;  // this process's own children (it alone can start, join, signal them)
  std::map<Pid, Process> others_;  // other processes, named in error messages
  Pid reserved_ = kNoPid;
  int track_cpu_ = -1;           // CPU of the last look (-1: none yet)
  std::int64_t counted_ns_ = 0;  // CPU time already counted on a core
};

}  // namespace mpsim::os::detail
