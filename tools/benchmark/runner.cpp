// The child loads the scenario once, then times simulate() alone: loading is
// reported apart, since a user pays it once per file, not per run.
#include "runner.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "isolate.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/scenario/loader.hpp"
#include "process_time.hpp"

namespace mpsim::bench {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Loads the generated text `reps` times (at least 3) and returns the scenario
// and the median time of load_scenario_text alone: generating the text is
// the benchmark's cost, not the user's.
Scenario load(const Case& c, std::uint64_t seed, int reps, double& median_s) {
  std::string text = c.workload->scenario(c.size, c.machine, seed);
  std::vector<double> times;
  std::optional<Scenario> s;
  for (int i = 0; i < std::max(reps, 3); ++i) {
    auto t0 = Clock::now();
    LoadResult lr = load_scenario_text(text, "bench:" + c.workload->name);
    times.push_back(since(t0));
    if (!lr.scenario) {
      std::string why =
          lr.errors.empty() ? "no scenario" : lr.errors[0].path + ": " + lr.errors[0].message;
      throw std::runtime_error("generated scenario does not load: " + why);
    }
    s = std::move(lr.scenario);
  }
  median_s = median_of(times);
  return std::move(*s);
}

// A benchmark that measures a broken run measures nothing: every process must
// have exited, and the log must hold every counted event when it is kept.
void check_run(const RunResult& r, const Case& c) {
  if (r.deadlock) throw std::runtime_error("the run deadlocked");
  if (!r.errors.empty()) throw std::runtime_error("runtime error: " + r.errors[0].message);
  auto done = std::count_if(r.processes.begin(), r.processes.end(), [](const ProcessResult& p) {
    return p.state == ProcState::Zombie || p.state == ProcState::Reaped;
  });
  if (done != c.size.processes)
    throw std::runtime_error(std::to_string(done) + " of " + std::to_string(c.size.processes) +
                             " processes finished");
  if (c.record_events && static_cast<std::int64_t>(r.events.size()) != r.scheduling_events)
    throw std::runtime_error("event log and scheduling_events disagree");
}

// The rounds workload's full size runs about 10^9 ticks, the default tick
// limit: benchmarks measure runs to their end, so the limit is raised.
constexpr std::int64_t kBenchMaxTicks = 1000000000000000;

// Runs in the child; returns its measurements as JSON text.
std::string measure(const Case& c, int reps, std::uint64_t seed) {
  double load_s = 0;
  Scenario s = load(c, seed, reps, load_s);
  nlohmann::json out = {{"load_s", load_s}, {"seconds", nlohmann::json::array()}};
  RunOptions opts;
  opts.record_events = c.record_events;
  opts.round_skipping = c.round_skipping;
  opts.slice_batching = c.round_skipping;
  opts.max_ticks = kBenchMaxTicks;
  for (int i = 0; i < reps; ++i) {
    auto start = Clock::now();
    RunResult r = simulate(s, opts);
    out["seconds"].push_back(since(start));
    check_run(r, c);
    if (i > 0 && out["events"] != r.scheduling_events)
      throw std::runtime_error("scheduling events differ between identical runs");
    out["events"] = r.scheduling_events;
    out["makespan"] = r.makespan;
    // Later runs reuse a fragmented heap and peak higher: the first is what a user sees.
    if (i == 0) out["peak_first_kb"] = peak_rss_kb();
  }
  return out.dump();
}

}  // namespace

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double CaseResult::median_seconds() const {
  return median_of(seconds);
}

double CaseResult::median_process_seconds() const {
  return median_of(process_seconds);
}

double CaseResult::median_process_cpu_seconds() const {
  return median_of(process_cpu_seconds);
}

double CaseResult::min_seconds() const {
  return seconds.empty() ? 0 : *std::min_element(seconds.begin(), seconds.end());
}

double CaseResult::events_per_second() const {
  double t = median_seconds();
  return t > 0 ? static_cast<double>(events) / t : 0;
}

CaseResult run_case(const Case& c, const RunSettings& how) {
  CaseResult r;
  r.spec = c;
  auto body = [&] { return measure(c, how.reps, how.seed); };
  Isolated iso = how.fork ? run_isolated(body, how.timeout_s) : run_here(body);
  r.peak_rss_kb = r.peak_all_kb = iso.peak_rss_kb;
  r.start_rss_kb = iso.start_rss_kb;
  if (!iso.ok) {
    r.failure = iso.failure;
    return r;
  }
  auto j = nlohmann::json::parse(iso.output);
  r.load_seconds = j["load_s"].get<double>();
  r.seconds = j["seconds"].get<std::vector<double>>();
  r.events = j["events"].get<std::int64_t>();
  r.makespan = j["makespan"].get<std::int64_t>();
  r.peak_rss_kb = j["peak_first_kb"].get<std::int64_t>();
  if (c.whole_process) {  // what a user waits for: load, simulate, analyse, write
    std::vector<std::string> extra;
    if (!c.round_skipping) extra.push_back("--no-round-skip");
    extra.insert(extra.end(), {"--max-ticks", std::to_string(kBenchMaxTicks)});
    r.process_seconds = time_mpsim_run(c.workload->scenario(c.size, c.machine, how.seed), how.reps,
                                       how.timeout_s, extra, r.failure, &r.process_cpu_seconds);
    if (r.process_seconds.empty()) return r;
  }
  r.ok = true;
  return r;
}

}  // namespace mpsim::bench
