#pragma once
// The subcommands of the mpsim binary. Each registers its options on the
// CLI11 app and returns the process exit code when run.
#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "mpsim/kernel/machine.hpp"
#include "mpsim/model/result.hpp"
#include "mpsim/os/real_run.hpp"
#include "mpsim/report/report.hpp"
#include "mpsim/scenario/loader.hpp"

namespace mpsim::cli {

/// Exit codes, documented in docs/cli.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitDeadlock = 3;
/// A real run stopped by a safety limit (wall time); 128+N when stopped by signal N.
inline constexpr int kExitStopped = 4;
/// validate: some row of the comparison does not agree.
inline constexpr int kExitMismatch = 5;
/// run: an `expect` or `assert` of the scenario failed (and no deadlock);
/// explore: a schedule that breaks them was found.
inline constexpr int kExitExpect = 6;
inline constexpr int kExitViolation = kExitExpect;
/// explore: the search stopped at --max-schedules before covering its bound.
inline constexpr int kExitIncomplete = 7;

using Command = std::function<int()>;

Command add_run(CLI::App& app);
Command add_check(CLI::App& app);
Command add_demo(CLI::App& app);
Command add_policies(CLI::App& app);
Command add_compare(CLI::App& app);
Command add_report(CLI::App& app);
Command add_validate(CLI::App& app);
Command add_gen(CLI::App& app);
Command add_sweep(CLI::App& app);
Command add_explore(CLI::App& app);
Command add_py(CLI::App& app);

/// Options shared by every command that runs a machine.
struct MachineOptions {
  std::optional<std::int32_t> cores;
  std::optional<std::string> policy;
  std::optional<std::int64_t> quantum;
  std::optional<std::int64_t> context_switch;
  std::optional<std::string> queues;
  void add_to(CLI::App& cmd);
  [[nodiscard]] MachineOverrides overrides() const { return {cores, policy, quantum, context_switch, queues}; }
};

/// Options of real-OS runs (run --backend real, validate).
struct RealCliOptions {
  os::RealOptions opt;
  void add_to(CLI::App& cmd);
};

/// The limits of a run (limits.cpp, docs/reliability.md).
struct LimitOptions {
  RunOptions run;
  std::int64_t memory_mb = 4096;
  void add_to(CLI::App& cmd);
  /// Caps the address space at what is mapped now + memory_mb (RLIMIT_AS).
  void apply_memory_limit() const;
  /// What can be known at load: false (after printing why) when over a limit.
  [[nodiscard]] bool check(const Scenario& s) const;
  /// check(s), then apply_memory_limit(): what every simulating command does
  /// once its scenario is loaded.
  [[nodiscard]] bool admit(const Scenario& s) const;
};

/// Runs `s` for real; prints why to stderr and returns nullopt when refused.
std::optional<os::RealRun> run_real_or_report(const Scenario& s, const os::RealOptions& o);

/// Loads `path`, applies overrides, prints every error to stderr; nullopt on failure.
std::optional<Scenario> load_or_report(const std::string& path, const MachineOverrides& o);

/// Writes `text` to `out` ("" or "-": stdout). Refuses to replace an existing
/// file unless `force`. Returns false (after printing why) on failure.
bool write_output(const std::string& out, const std::string& text, bool force);

/// A text made in pieces: hands them, in order, to the sink it is given.
using TextProducer = std::function<void(const TextSink&)>;

/// The same for a text that is never whole in memory: each piece goes on to
/// stdout or the temporary file as it is made. An exception from `produce`
/// leaves no file behind and propagates.
bool write_output(const std::string& out, const TextProducer& produce, bool force);

/// The JSON result of `r` and its closing newline, streamed in pieces
/// (json_writer): what `run` and `py` write for --format json. Throws now
/// what writing would throw; `r` must outlive it.
TextProducer json_output(const RunResult& r, bool events);

/// Writes `text` to `path` whole or not at all (a temporary file beside it,
/// then renamed); with `replace` false an existing `path` is left alone.
/// Returns "" on success, otherwise why it failed.
std::string write_file_atomically(const std::string& path, const std::string& text, bool replace);
std::string write_file_atomically(const std::string& path, const TextProducer& produce,
                                  bool replace);

}  // namespace mpsim::cli
