#pragma once
// Private to sim/kernel: process pools on the simulated machine
// (docs/semantics.md §13). Workers are ordinary simulated processes, daemonic
// children of the process that creates the pool; each runs a small built-in
// program (`PoolWork`, then `End`) that takes the next task, switches the
// worker to the task's program, and comes back when the task returns.
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernel/runtime.hpp"
#include "mpsim/model/result.hpp"

namespace mpsim::detail {

class Kernel;

class Pools {
 public:
  explicit Pools(Kernel& k) : k_(k) {}
  void init(const Scenario& s);
  /// A pool operation (is_pool_op), or End/Exit of a worker's task or initializer.
  Stop step(Process& p, const Instr& in, const EvalContext& ctx);
  /// A runtime error ended the task `worker` runs; the worker goes on.
  void task_failed(Process& worker, const std::string& message);
  /// Called by exit_process for every pool worker that ends, however it ends.
  void worker_exited(Process& w);
  /// Called by exit_process for every process that ends: a creator's pools end with it.
  void creator_exited(const Process& p);
  [[nodiscard]] bool empty() const { return pools_.empty(); }
  /// Fills in what a process stuck on a pool waits for; false when it is not.
  bool describe(const Process& p, StuckProcess& s) const;
  /// Publishes the pools and tasks into the result.
  void finish(RunResult& r, Tick makespan) const;

 private:
  enum class State : std::uint8_t { Unborn, Running, Closed, Terminated };
  struct Task {
    TaskResult rec;
    const Program* program = nullptr;
    std::vector<std::pair<std::string, Value>> args;
    bool mapped = false;  ///< sets `item` in the worker
    Value value;
  };
  struct Job {
    std::int64_t id = 0;
    std::int32_t pool = -1;
    OpCode kind = OpCode::Apply;
    Pid submitter = kNoPid;
    std::vector<std::int64_t> tasks;
    std::vector<std::int64_t> done_order;  ///< task ids in the order they finished
    std::size_t consumed = 0;              ///< imap: results taken by `next`
    std::string callback, error_callback;
    [[nodiscard]] bool done() const { return done_order.size() == tasks.size(); }
  };
  struct Pool {
    const PoolDecl* decl = nullptr;
    State state = State::Unborn;
    Pid creator = kNoPid;
    std::shared_ptr<Program> loop;         ///< the workers' built-in program
    std::deque<std::int64_t> queue;        ///< submitted tasks no worker has taken, FIFO
    std::deque<Pid> idle;                  ///< idle workers, longest idle first
    std::map<Pid, std::int64_t> assigned;  ///< woken idle worker -> the task it will start
    std::map<Pid, std::int64_t> done_by;   ///< tasks each worker finished (maxtasksperchild)
    std::int32_t live = 0;
    std::int32_t spawned = 0;
    std::int32_t object = -1;  ///< its queue in RunResult::objects, for happens-before
    PoolResult rec;
  };
  /// A process blocked in (or retrying) a pool operation.
  struct Waiting {
    const Instr* in = nullptr;
    std::int64_t job = 0;
    Tick deadline = kNever;
  };

  Pool& owned(const Process& p, const Instr& in);
  Job& owned_job(const Process& p, const Value& handle, const Instr& in);
  void create(Process& p, const Instr& in);
  void spawn_worker(std::int32_t pool);
  std::int64_t submit(Process& p, const Instr& in, const EvalContext& ctx);
  void dispatch(Pool& pl);
  Stop work(Process& w);
  void start_task(Process& w, std::int64_t id);
  Stop task_end(Process& w, const Instr& in, const EvalContext& ctx);
  void back_to_loop(Process& w);
  void finish_task(std::int64_t id, bool ok, Value v, const std::string& error);
  void complete_job(Job& j);
  void run_callback(Process& q, const std::string& program, const Job& j);
  void wake_waiter(const Job& j);
  /// Happens-before for the race detector: a task's submission, start, result
  /// and its receipt are a put and a get of messages on the pool's queue.
  void hand_over(const Process& p, SyncOp op, std::int64_t task, bool result);
  void received(const Process& q, const Job& j);
  Stop await(Process& p, const Instr& in, std::int64_t job, const EvalContext& ctx,
             bool& timed_out);
  Stop blocking_submit(Process& p, const Instr& in, const EvalContext& ctx);
  Stop get_result(Process& p, const Instr& in, const EvalContext& ctx);
  Stop next(Process& p, const Instr& in, const EvalContext& ctx);
  void deliver(Process& p, const Instr& in, const Job& j, const std::string& into);
  Stop join(Process& p, const Instr& in);
  void terminate(Process& p, const Instr& in);
  void close(Pool& pl);
  std::string failure(const Job& j) const;
  Process& proc(Pid pid);
  const Process& proc(Pid pid) const;

  Kernel& k_;
  std::vector<Pool> pools_;
  std::vector<Job> jobs_;    ///< by id - 1
  std::vector<Task> tasks_;  ///< by id - 1
  std::map<Pid, Waiting> waits_;
};

}  // namespace mpsim::detail
