#pragma once
/// Real-OS mode (docs/real-os.md): the same scenario run as real Linux
/// processes. Every process is a real fork()ed process interpreting its program
/// with the simulator's interpreter; compute burns CPU time, io/sleep sleep,
/// synchronisation objects (locks, rlocks, semaphores, events, barriers,
/// conditions, queues) live in shared memory with the simulator's rules, files
/// are JSON files in a fresh run folder. What happened is merged into the simulator's RunResult, so every
/// report works for real runs too.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpsim/kernel/machine.hpp"
#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim::os {

/// The scenario or the machine does not allow a real run (e.g. more cores than
/// the machine has, an operation real mode does not implement). Nothing was started.
class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RealOptions {
  /// Most processes one run may create (initial ones included); a `create` beyond
  /// it is a runtime error of the creating process.
  std::int32_t max_processes = 256;
  /// Wall-time limit: `wall_factor` x the simulator's predicted makespan + 1 s,
  /// at most `max_wall_ms`; `wall_ms` > 0 sets it directly (still at most max_wall_ms).
  double wall_factor = 10;
  std::int64_t wall_ms = 0;
  std::int64_t max_wall_ms = 60000;
  /// Every live process blocked without a timeout on a synchronisation object or a join, with nothing
  /// logged for this long: the run is a deadlock (the processes are killed).
  std::int64_t hang_ms = 300;
  /// Keep the run folder (its path is in RealInfo::folder).
  bool keep = false;
  /// Allow more cores than CPUs: core i runs on CPU i mod (number of CPUs).
  bool oversubscribe = false;
  /// Replaces machine.tick_us (real time per tick) for this run.
  std::int64_t tick_us = 0;
  /// The simulator's limits, for the prediction of the makespan (a scenario
  /// the simulator stops at a limit gets no prediction), and string sizes.
  RunOptions sim_limits;
};

/// Something the kernel did that the run observed (not assumed).
struct Fact {
  Pid pid;
  Tick tick;
  std::string text;
};

/// A process seen on another core than the one it last ran on (real mode).
struct Migration {
  Pid pid;
  Tick tick;  ///< when it was first seen on the new core
  CoreId from, to;
};

struct RealInfo {
  std::string policy;        ///< "SCHED_FIFO", "SCHED_RR", "SCHED_OTHER"
  std::string policy_note;   ///< why it differs from the scenario's policy, fallbacks
  std::int64_t rr_interval_us = 0;  ///< the kernel's SCHED_RR quantum (sched_rr_get_interval)
  std::vector<int> cpus;     ///< the real CPUs the scenario's cores are
  std::string folder;        ///< the run folder (removed unless kept)
  bool folder_kept = false;
  std::map<Pid, std::int64_t> real_pids;
  std::vector<Fact> facts;   ///< zombies seen in /proc, orphans' getppid, ...
  std::vector<std::string> notes;  ///< what real mode does not apply (priorities...)
  std::string stopped;       ///< why the runner stopped the run early ("" = it ended by itself)
  int exit_status = 0;       ///< suggested exit status for the CLI (0, 3 deadlock, 4 stopped, 128+sig)
  std::int64_t wall_us = 0;
  std::int64_t predicted_makespan = 0;  ///< the simulator's, in ticks
  std::int64_t wall_limit_ms = 0;
  double load1 = 0;          ///< the machine's 1-minute load average at start
  std::uint64_t events_dropped = 0;
  /// Where the processes ran (docs/real-os.md, "Where each process ran"):
  /// every migration in time order, and the scenario processes' CPU time on
  /// each scenario core, in microseconds (RunResult::cores[k].busy in ticks).
  std::vector<Migration> migrations;
  std::vector<std::int64_t> core_busy_us;
  /// lottery and stride: the nice each ticket count was given (ticket_nice).
  std::map<std::int64_t, int> ticket_nice;
};

struct RealRun {
  RunResult result;
  RealInfo info;
};

/// Reasons the scenario cannot run for real (empty when it can).
std::vector<std::string> unsupported(const Scenario& s);

/// Runs the scenario as real processes. Throws Refused before starting anything
/// when it cannot; otherwise every process it created has been reaped and the
/// run folder removed (unless kept) when it returns, whatever happened.
RealRun run_real(const Scenario& s, const RealOptions& o = {});

/// The real-mode lines printed above the text report: policy, CPUs, facts, limits.
std::string format_real_info(const RealRun& r);

/// lottery and stride in real mode: the nice (0..19) whose CFS weight,
/// against nice 0's, is nearest (in ratio) to max_tickets / tickets, so the
/// process with the most tickets runs at nice 0 and the kernel's shares
/// follow the tickets (docs/real-os.md, "Machine").
int ticket_nice(std::int64_t tickets, std::int64_t max_tickets);

/// The "cores" lines of a real run on several cores: migrations (when, from,
/// to) and busy time per core; "" on one core.
std::string format_real_cores(const RealInfo& info, const RunResult& result);

}  // namespace mpsim::os
