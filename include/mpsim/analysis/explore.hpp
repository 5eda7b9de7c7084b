#pragma once
/// `mpsim explore`: runs a scenario under many schedules (choices at the
/// points of include/mpsim/kernel/chooser.hpp) looking for one that breaks
/// its checks (`expect`, `assert`); docs/explore.md states what a search
/// that finds nothing guarantees.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mpsim/analysis/expect.hpp"
#include "mpsim/kernel/chooser.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/model/result.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim {

/// One choice that differs from the contract's rule. `step` counts the
/// choice points of the run (those with two options or more) from 0; `pid`
/// is the process chosen (dispatch, continue, grant) or concerned (preempt,
/// delay); `option` is its index among the options.
struct Deviation {
  std::int64_t step = 0;
  Tick tick = 0;
  ChoiceKind kind = ChoiceKind::Dispatch;
  std::int32_t option = 0;
  Pid pid = kNoPid;
};

/// A schedule: the default rule everywhere except at these steps (increasing).
struct Schedule {
  Tick jitter = 0;  ///< extra io/sleep ticks offered (Delay choices)
  std::vector<Deviation> deviations;
};

/// A choice point as a run met it, with the option taken.
struct ChoiceRecord {
  ChoiceKind kind;
  Tick tick;
  std::vector<Pid> pids;  ///< Dispatch, Continue, Grant
  std::int32_t count;
  Pid pid;
  std::int32_t core;
  std::int32_t object;
  std::size_t event_index;
  std::int32_t chosen;
};

struct FileAccess {
  Pid pid;
  bool write;
  std::string key;
  std::string value;
  Tick tick;
};

/// Follows a schedule and records every choice point and file access.
/// Strict: a deviation that does not match the run (another kind, tick or
/// process at that step) makes the schedule stale (stale() says why).
/// Tolerant: such deviations are skipped (minimisation uses it).
class ScheduleChooser : public Chooser {
 public:
  explicit ScheduleChooser(const Schedule& s, bool tolerant = false);
  /// The chooser keeps a reference: a temporary schedule would dangle.
  ScheduleChooser(Schedule&&, bool = false) = delete;
  std::int32_t choose(const ChoicePoint& point) override;
  void on_access(Pid pid, bool write, const std::string& key, const Value& v, Tick tick) override;
  /// Why the schedule does not fit the run, or "" (call after the run).
  [[nodiscard]] std::string stale() const;
  /// The deviations actually taken (a valid schedule for this run).
  [[nodiscard]] Schedule taken() const;

  std::vector<ChoiceRecord> points;
  std::vector<FileAccess> accesses;

 protected:
  /// Notes the option taken at `point` (every chooser of a search records).
  void record(const ChoicePoint& point, std::int32_t chosen);

 private:
  const Schedule& s_;
  bool tolerant_;
  std::size_t next_ = 0;
  std::string stale_;
};

/// The checks of one run: the scenario's expects plus `extra`, or
/// `no_deadlock` when there are none; failed asserts always count.
struct Verdict {
  bool violated = false;
  std::vector<ExpectOutcome> expects;
};
Verdict judge(const std::vector<Expectation>& checks, const RunResult& r);
/// The scenario's expects plus `extra`, or `no_deadlock` when both are empty.
std::vector<Expectation> checks_for(const Scenario& s, const std::vector<Expectation>& extra);

enum class SearchMode : std::uint8_t { Exhaustive, Pct, Random };

struct ExploreOptions {
  SearchMode mode = SearchMode::Exhaustive;
  std::vector<Expectation> checks;      ///< from checks_for
  std::int32_t max_deviations = 2;      ///< exhaustive: the bound k
  std::int64_t max_schedules = 100000;  ///< every mode: runs at most
  bool por = true;                      ///< exhaustive: the race-reversal reduction
  bool preempt = true;                  ///< explore Preempt choices
  Tick jitter = 0;                      ///< explore Delay choices of 0..jitter extra ticks
  std::uint64_t seed = 1;               ///< pct, random: run i uses seed + i
  std::int32_t pct_depth = 3;           ///< pct: d (d - 1 priority change points)
  bool keep_going = false;              ///< pct, random: count all violating runs
  bool event_skipping = true;
  RunOptions limits;  ///< every run's limits (max_ticks, max_processes...); the fields above win
};

struct ExploreStats {
  std::int64_t schedules = 0;         ///< runs made
  std::int64_t alternatives = 0;      ///< exhaustive: alternatives met within the bound
  std::int64_t pruned = 0;            ///< exhaustive: of those, left out by the reduction
  std::int64_t violations = 0;        ///< runs that broke a check
  std::int64_t first_violation = -1;  ///< index of the first such run
  std::int64_t max_points = 0;        ///< most choice points in one run
  bool complete = false;              ///< exhaustive: every schedule within the bound was covered
  bool por_used = false;
  std::string por_note;  ///< why the reduction was not used, if asked for
  double seconds = 0;
};

struct ExploreResult {
  ExploreStats stats;
  bool found = false;
  Schedule schedule;  ///< the shortest failing schedule found
  RunResult run;      ///< its run
  Verdict verdict;
  std::vector<ChoiceRecord> points;
  std::vector<FileAccess> accesses;
};

ExploreResult explore(const Scenario& s, const ExploreOptions& o);

/// Runs `s` with `chooser` (made from the schedule); `error` gets why the
/// schedule is stale, if it is.
RunResult replay(const Scenario& s, ScheduleChooser& chooser, RunOptions opts, std::string& error);

/// The failing run in words: the deviations, then what was read and written,
/// then what broke ("buyer-1 read data.ticket = 1 at tick 0, ...").
std::string explain_violation(const ExploreResult& r);

/// Schedule files (docs/explore.md): JSON text, and back. parse_schedule
/// fills `error` (with the JSON path) and returns nullopt on bad input.
std::string schedule_json(const Schedule& s, const Scenario& sc);
std::optional<Schedule> parse_schedule(const std::string& text, const std::string& source,
                                       const Scenario& sc, std::string& error);

}  // namespace mpsim
