#pragma once
// Private to sim/os/: the real-OS runner (docs/real-os.md), the scenario's
// init. Its work is split by concept:
//   runner.cpp     checks, preparation (policy, run folder, shared region),
//                  the run from start to cleanup, what real mode refuses;
//   launch.cpp     the guardian, the simulator's prediction, forking the
//                  initial processes;
//   supervise.cpp  the loop: reaping, the wall-time limit, signals, the hang
//                  detector, killing everything;
//   merge.cpp      the shared event log and slots turned into a RunResult;
//   capacity.cpp   what the machine can give (processes, memory), read at load.
#include <sched.h>
#include <signal.h>
#include <sys/types.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mpsim/os/real_run.hpp"
#include "os/shared.hpp"

namespace mpsim::os::detail {

inline constexpr int kWorkerPriority = 10;   // real-time priority of scenario processes
inline constexpr int kWatchPriority = 50;    // runner and guardian: above them, never starved
// Address space the simulator's prediction may add to what the runner had mapped.
inline constexpr std::uint64_t kPredictMemory = std::uint64_t{1} << 30;

void remove_folder(const std::string& folder);

/// What the machine can give a run (capacity.cpp); -1 when unknown.
struct Capacity {
  std::int64_t processes = -1;     ///< more processes it may fork now
  std::string processes_why;       ///< which limit that is, with its numbers
  std::int64_t memory_bytes = -1;  ///< MemAvailable
};
Capacity machine_capacity();
Value from_json(const nlohmann::json& j);
nlohmann::json to_json(const Value& v);

class Runner {
 public:
  Runner(const Scenario& s, const RealOptions& o) : sc_(s), opt_(o) {
    if (opt_.tick_us > 0) sc_.machine.tick_us = opt_.tick_us;
  }
  ~Runner() { cleanup(); }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  RealRun run();

 private:
  struct Initial {
    std::int64_t at_ns;
    Process proc;
  };

  // runner.cpp
  void check();
  void prepare();
  void cleanup();
  void tickets_as_nice();

  // launch.cpp
  std::int64_t predict_makespan();
  void start_guardian();
  std::vector<Initial> initial_processes();
  void fork_initial(Initial& in);
  void open_gates(std::vector<Initial>& pending, std::size_t first, std::size_t last);
  void pin(pid_t who, const Process& proc) const;

  // supervise.cpp
  Pid pid_of_real(pid_t real);
  void reap_ready(bool block);
  bool all_reaped() const;
  bool hung(std::int64_t now);
  void loop();
  void snapshot_stuck();
  void kill_all();
  void finish_guardian();

  // merge.cpp
  RunResult merge();
  void merge_pools(RunResult& r);
  void read_files();
  void count_core_time(const Slot& s, std::int64_t rusage_ns, std::vector<std::int64_t>& core_ns);
  Tick tick(std::int64_t ns) const {
    if (ns <= t0_) return 0;
    return static_cast<Tick>(std::llround(static_cast<double>(ns - t0_) / static_cast<double>(sh_->tick_ns)));
  }
  Tick ticks_of(std::int64_t ns) const {
    return static_cast<Tick>(std::llround(static_cast<double>(ns) / static_cast<double>(sh_->tick_ns)));
  }

  Scenario sc_;
  RealOptions opt_;
  RealInfo info_;
  Setup setup_;
  Shared* sh_ = nullptr;
  std::string folder_;
  pid_t guardian_ = -1;
  int guardian_fd_ = -1;
  std::int64_t t0_ = 0, end_ns_ = 0;
  bool rt_runner_ = false;
  int saved_policy_ = -1;
  sched_param saved_param_{};
  int saved_subreaper_ = 0;
  long saved_slack_ = -1;
  sigset_t saved_mask_{};
  bool masked_ = false;
  bool deadlock_ = false;
  std::int64_t hang_ns_ = 0;  // last event before the hang: when the deadlock became certain
  bool killed_ = false;
  std::vector<StuckProcess> stuck_;
  std::map<std::string, FileContent> final_files_;
  std::map<Pid, BlockReason> stuck_state_;
};

}  // namespace mpsim::os::detail
