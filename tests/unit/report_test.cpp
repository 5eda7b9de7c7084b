// Structure of the trace, the Gantt chart and the comparison.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "mpsim/analysis/compare.hpp"
#include "mpsim/report/report.hpp"
#include "sim_helpers.hpp"

namespace mpsim::test {
namespace {

const char* kTwoWorkers = R"({"name": "two", "machine": {"cores": 1, "scheduler": {"policy": "rr", "quantum": 2}, "tick_us": 500},
  "programs": {"w": [{"compute": 3}, {"io": 2}, {"print": "done"}]},
  "processes": [{"name": "w-{index}", "program": "w", "count": 2}]})";

// The trace-event format Perfetto and chrome://tracing read: every event has
// ph/pid/name; X has ts and dur >= 0; instants have s; metadata names tracks.
TEST(Trace, FollowsTheTraceEventFormat) {
  RunResult r = run(kTwoWorkers);
  auto j = nlohmann::json::parse(format_trace(r));
  ASSERT_TRUE(j.contains("traceEvents"));
  std::set<std::string> thread_names;
  std::multiset<std::string> instants;
  std::int64_t core_busy_us = 0;
  for (const auto& e : j["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("name")) << e.dump();
    std::string ph = e["ph"];
    ASSERT_TRUE(ph == "X" || ph == "i" || ph == "M") << ph;
    if (ph == "X") {
      ASSERT_GE(e["dur"].get<std::int64_t>(), 0);
      ASSERT_EQ(e["ts"].get<std::int64_t>() % 500, 0);  // microseconds from tick_us
      if (e["pid"] == 1 && e["cat"] == "running") core_busy_us += e["dur"].get<std::int64_t>();
    }
    if (ph == "i") {
      EXPECT_EQ(e["s"], "t");
      instants.insert(e["name"].get<std::string>());
    }
    if (ph == "M" && e["name"] == "thread_name") thread_names.insert(e["args"]["name"].get<std::string>());
  }
  EXPECT_EQ(thread_names, (std::set<std::string>{"core 0", "2 w-0", "3 w-1"}));
  EXPECT_EQ(instants.count("spawn"), 2u);
  EXPECT_EQ(instants.count("exit"), 2u);
  EXPECT_EQ(instants.count("reap"), 2u);
  EXPECT_EQ(instants.count("print"), 2u);
  EXPECT_EQ(core_busy_us, 6 * 500);  // 6 ticks of compute
}

// Synchronisation operations are instants on the process's track, named by
// operation and object: the hand-off of a lock and a message is visible.
TEST(Trace, MarksSynchronisationOperations) {
  RunResult r = run(R"({"machine": {"cores": 1, "scheduler": "fcfs"}, "locks": ["m"], "queues": {"q": {}},
    "programs": {"a": [{"acquire": "m"}, {"put": "q", "value": 1}, {"release": "m"}],
                 "b": [{"get": "q", "into": "x"}]},
    "processes": [{"name": "A", "program": "a"}, {"name": "B", "program": "b"}]})");
  auto j = nlohmann::json::parse(format_trace(r));
  std::vector<std::string> sync;
  for (const auto& e : j["traceEvents"])
    if (e["ph"] == "i" && e["cat"] == "sync")
      sync.push_back(std::to_string(e["tid"].get<int>()) + " " + e["name"].get<std::string>());
  EXPECT_EQ(sync, (std::vector<std::string>{"2 acquire lock m", "2 put queue q", "2 release lock m", "3 get queue q"}));
}

TEST(Gantt, SmallRunsDrawEveryInterval) {
  RunResult r = run(kTwoWorkers);
  std::string svg = format_gantt_svg({&r}, {"two"});
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("<title>w-0 [0, 2)</title>"), std::string::npos);
  EXPECT_NE(svg.find(">core 0</text>"), std::string::npos);
  EXPECT_NE(svg.find(">2 w-0</text>"), std::string::npos);
}

// 10^5 ticks of 50 alternating processes: aggregation keeps the file small.
TEST(Gantt, LongRunsAreAggregatedPerPixel) {
  RunResult r = run(R"({"machine": {"cores": 1, "scheduler": {"policy": "rr", "quantum": 1}},
    "programs": {"w": [{"compute": 2000}]}, "processes": [{"name": "w-{index}", "program": "w", "count": 50}]})");
  ASSERT_EQ(r.makespan, 100000);
  std::string svg = format_gantt_svg({&r}, {"long"});
  EXPECT_LT(svg.size(), 600000u);
  EXPECT_EQ(svg.find("<title>"), std::string::npos);  // no per-interval tooltips when aggregated
}

TEST(Compare, RowsDoNotDependOnThreads) {
  Scenario s = load(kTwoWorkers);
  std::vector<CompareConfig> configs = {{1, "rr", 1}, {2, "rr", 1}, {1, "fcfs", std::nullopt}, {2, "fcfs", std::nullopt}};
  std::string one = format_compare_json(run_compare(s, configs, 1));
  std::string four = format_compare_json(run_compare(s, configs, 4));
  EXPECT_EQ(one, four);
}

// Two workers of compute 3 + io 2: on 2 cores both run at once (makespan 5,
// the span); on 1 core fcfs runs them back to back with the io overlapped:
// w-0 computes 0-3, w-1 3-6, w-1's io ends at 8.
TEST(Compare, SpeedupAgainstOneCoreOfTheSamePolicy) {
  Scenario s = load(kTwoWorkers);
  auto rows = run_compare(s, {{2, "fcfs", std::nullopt}}, 1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].baseline_makespan, 8);
  EXPECT_EQ(rows[0].result.makespan, 5);
  EXPECT_DOUBLE_EQ(rows[0].speedup(), 8.0 / 5.0);
  EXPECT_EQ(rows[0].work_span.work, 6);
  EXPECT_EQ(rows[0].work_span.span, 5);
  std::string text = format_compare_text(rows);
  EXPECT_NE(text.find("On 2 cores up to 2 ran at once (parallelism): speedup 1.60 of a possible 1.60"), std::string::npos)
      << text;
}

TEST(Compare, BadConfigurationIsAnError) {
  Scenario s = load(kTwoWorkers);
  EXPECT_THROW(run_compare(s, {{1, "fcfs", 3}}, 1), std::invalid_argument);  // fcfs has no quantum
}

}  // namespace
}  // namespace mpsim::test

namespace mpsim::test {
namespace {

// A lone process under rr renews its slice in place every quantum without an
// event; a process arriving mid-slice must still wait for that slice's end.
// q = 4: A renews at 4, B arrives at 6, A's slice ends at 8 -> B runs 8-11,
// A finishes 11-13. Both ways of stepping must agree.
TEST(RoundRobin, SilentRenewalsKeepTheSliceBoundaries) {
  const char* s = R"({"machine": {"cores": 1, "scheduler": {"policy": "rr", "quantum": 4}},
    "programs": {"a": [{"compute": 10}], "b": [{"compute": 3}]},
    "processes": [{"name": "A", "program": "a"}, {"name": "B", "program": "b", "arrival": 6}]})";
  for (bool skip : {true, false}) {
    RunOptions o;
    o.event_skipping = skip;
    RunResult r = run(s, o);
    EXPECT_EQ(by_name(r, "A").finish, 13) << skip;
    EXPECT_EQ(by_name(r, "B").first_run, 8) << skip;
    EXPECT_EQ(by_name(r, "B").finish, 11) << skip;
  }
}

// The same lone process over 10^9 ticks is a handful of events, not 2.5 * 10^8.
TEST(RoundRobin, LongComputeIsOneStep) {
  RunResult r = run(R"({"machine": {"scheduler": {"policy": "rr", "quantum": 4}},
    "programs": {"a": [{"compute": 1000000000}]}, "processes": [{"program": "a"}]})");
  EXPECT_EQ(r.makespan, 1000000000);
  EXPECT_LT(r.scheduling_events, 20);
}

}  // namespace
}  // namespace mpsim::test
