// Real mode on several cores (docs/real-os.md, "Where each process ran"):
// each process reports the cores it ran on, its migrations and its CPU time
// per core; validate compares them with the simulation; lottery and stride
// run with their tickets as CFS weights. Every case also checks that nothing
// is left behind (real_mode.hpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "real_mode.hpp"

namespace {

using namespace mpsim_os_test;

// A process pinned to core 1 never migrates and all its time is core 1's;
// the one pinned to core 0 likewise on core 0.
TEST_F(RealMode, PinnedProcessesReportNoMigrationAndTheirCore) {
  std::string path = write_scenario("pinned.json", R"({
    "name": "pinned", "machine": {"cores": 2, "scheduler": "fcfs"},
    "programs": {"long": [{"compute": 20}, {"sleep": 2}, {"compute": 5}], "short": [{"compute": 10}]},
    "processes": [{"name": "on1", "program": "long", "affinity": [1]},
                  {"name": "on0", "program": "short", "affinity": [0]}]})");
  Outcome o = run_json(path, {"--events"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json& r = o.result;
  EXPECT_EQ(proc(r, 2)["migrations"], 0);
  EXPECT_EQ(proc(r, 3)["migrations"], 0);
  EXPECT_EQ(r["multicore"]["migrations"], 0);
  EXPECT_TRUE(r["multicore"]["stolen"].is_null());  // not observable for real
  EXPECT_EQ(r["real"]["cores"]["migrations"], json::array());
  // Every time on1 was seen running (start, after its sleep), it was on core 1.
  int seen = 0;
  for (const auto& e : r["events"])
    if (e["kind"] == "state" && e["pid"] == 2 && e["state"] == "running") {
      EXPECT_EQ(e["core"], 1) << e.dump();
      ++seen;
    }
  EXPECT_EQ(seen, 2);
  // CPU time per core: 25 ms of compute on core 1, 10 on core 0, plus the
  // start and the end (well under a millisecond; more under sanitizers, and
  // on a host whose other tenants steal time from this virtual machine).
  // The upper bounds only have to tell the cores apart: one core's work
  // counted on the other would put 35 ms or more there.
  std::int64_t on1 = r["real"]["cores"]["busy_us"][1], on0 = r["real"]["cores"]["busy_us"][0];
  EXPECT_GE(on1, 25000);
  EXPECT_LT(on1, 33000);
  EXPECT_GE(on0, 10000);
  EXPECT_LT(on0, 20000);
  EXPECT_EQ(r["summary"]["cores"][1]["busy"], (on1 + 500) / 1000);
  EXPECT_EQ(r["summary"]["cores"][0]["busy"], (on0 + 500) / 1000);
}

// Three processes on two cores under the normal scheduler: whatever the
// kernel did with them, the busy time of the cores adds up to their CPU time.
TEST_F(RealMode, BusyTimePerCoreSumsToTheProcessesCpuTime) {
  std::string path = write_scenario("three.json", R"({
    "name": "three", "machine": {"cores": 2, "scheduler": "cfs"},
    "programs": {"w": [{"compute": 15}, {"io": 1}, {"compute": 15}]},
    "processes": [{"name": "w-{index}", "program": "w", "count": 3}]})");
  Outcome o = run_json(path, {"--events"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json& r = o.result;
  std::int64_t cpu = 0, moves = 0;
  for (const auto& p : r["processes"]) {
    // 30 ticks of compute; starting and ending add well under a tick, which
    // the sanitizers' start-up can push over the rounding to a 31st.
    EXPECT_GE(p["cpu"], 30) << p.dump();
    EXPECT_LE(p["cpu"], 31) << p.dump();
    cpu += p["cpu"].get<std::int64_t>();
    moves += p["migrations"].get<std::int64_t>();
  }
  std::int64_t busy_ticks = 0, busy_us = 0;
  for (const auto& c : r["summary"]["cores"]) busy_ticks += c["busy"].get<std::int64_t>();
  for (const auto& b : r["real"]["cores"]["busy_us"]) busy_us += b.get<std::int64_t>();
  EXPECT_NEAR(busy_ticks, cpu, 2);  // each core's ticks are rounded once
  EXPECT_GE(busy_us, 90000);
  EXPECT_LT(busy_us, 96000);  // 90 ms of compute, and starting and ending
  // Migrations: the list, the per-process counts and the total agree.
  EXPECT_EQ(r["multicore"]["migrations"], moves);
  EXPECT_EQ(r["real"]["cores"]["migrations"].size(), static_cast<std::size_t>(moves));
  // Each migration shows in the event log: the process running on its new core from then on.
  for (const auto& m : r["real"]["cores"]["migrations"]) {
    EXPECT_NE(m["from"], m["to"]) << m.dump();
    bool shown = false;
    for (const auto& e : r["events"])
      shown = shown || (e["kind"] == "state" && e["pid"] == m["pid"] && e["state"] == "running" &&
                        e["core"] == m["to"] && e["tick"] >= m["tick"]);
    EXPECT_TRUE(shown) << m.dump();
  }
}

// validate on a multicore scenario: the cores section, row by row. The
// simulated side is exact; pinned processes cannot migrate for real either.
TEST_F(RealMode, ValidatePrintsTheCoresRows) {
  std::string path = std::string(MPSIM_SOURCE_DIR) + "/scenarios/multicore/pinned.json";
  Outcome o = run({"validate", path, "--runs", "2", "--format", "json"});
  ASSERT_FALSE(o.result.is_discarded()) << o.out << o.err;
  std::vector<std::string> names, sims;
  for (const auto& row : o.result["rows"]) {
    if (row["section"] != "cores") continue;
    names.push_back(row["row"]);
    sims.push_back(row["simulated"]);
    std::string note = row["note"];
    EXPECT_TRUE(std::regex_match(note, std::regex("median; [0-2]/2 runs within( \\+-2)?"))) << note;
    std::string n = row["row"];
    if (n == "migrations 2 busy" || n == "migrations 3 busy2" || n == "migrations 4 first" ||
        n == "migrations 6 pinned") {
      EXPECT_EQ(row["real"], "0") << n;
      EXPECT_TRUE(row["pass"].get<bool>()) << n;
    }
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"migrations", "migrations 2 busy", "migrations 3 busy2",
                                      "migrations 4 first", "migrations 5 free",
                                      "migrations 6 pinned", "busy core0", "busy core1"}));
  // Under the kernel's 100 ms quantum nobody is preempted: free waits in core
  // 0's queue until core 1 steals it at tick 6, before it ever ran (no migration).
  EXPECT_EQ(sims, (std::vector<std::string>{"0", "0", "0", "0", "0", "0", "12", "12"}));
  EXPECT_EQ(o.result["migration_tolerance"], 2);
  // The text form: the section and its header.
  Outcome t = run({"validate", path, "--runs", "1"});
  EXPECT_NE(t.out.find("\ncores\n  row "), std::string::npos) << t.out;
  EXPECT_TRUE(std::regex_search(
      t.out, std::regex("\n  busy core1 +12 +[0-9]+ +(ok|FAIL) +median; [01]/1 runs within\n")))
      << t.out;
}

// A scenario that chooses neither scheduler nor queues is validated on 2
// cores against the Linux-like machine, on both sides (SCHED_OTHER for real).
TEST_F(RealMode, ValidateUsesTheLinuxLikeDefaultOnSeveralCores) {
  std::string path = write_scenario("open.json", R"({
    "name": "open", "machine": {"cores": 2},
    "programs": {"w": [{"compute": 3}]},
    "processes": [{"name": "w-{index}", "program": "w", "count": 2}]})");
  Outcome o = run({"validate", path, "--runs", "1"});
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 5) << o.err;
  EXPECT_NE(o.out.find("simulated 2 cores, cfs (latency 6, granularity 1), context switch 0, "
                       "switch on io, unlimited "
                       "io, tick 1000 us, per-core queues (placement last, balance every 4 above "
                       "1, steal every 1)\n"
                       "          Linux-like default (the scenario chooses no scheduler): cfs with "
                       "per-core queues, "
                       "placement last, stealing every tick, balancing every 4 tick(s) above 1\n"
                       "real      SCHED_OTHER on CPUs"),
            std::string::npos)
      << o.out;
  // On one core nothing changes: the scenario's default, rr, under SCHED_RR.
  Outcome one = run({"validate", path, "--runs", "1", "--cores", "1"});
  EXPECT_EQ(one.out.find("Linux-like"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("simulated 1 core, rr"), std::string::npos) << one.out;
}

// stride in real mode: tickets 300 and 100 become nice 0 and 5 (weights 1024
// and 335), so while both run the big one gets about three ticks in four and
// ends near 133 of 200, as simulated. The bound is loose, as for nice.
TEST_F(RealMode, StrideTicketsBecomeCfsWeights) {
  std::string path = write_scenario("stride.json", R"({
    "name": "stride", "machine": {"cores": 1, "scheduler": "stride"},
    "programs": {"burn": [{"compute": 100}]},
    "processes": [{"name": "big", "program": "burn", "tickets": 300},
                  {"name": "small", "program": "burn", "tickets": 100}]})");
  Outcome o = run_json(path);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const json& r = o.result;
  EXPECT_EQ(r["real"]["policy"], "SCHED_OTHER");
  EXPECT_EQ(r["real"]["ticket_nice"], (json{{"100", 5}, {"300", 0}}));
  EXPECT_EQ(r["real"]["policy_note"],
            "stride has no Linux twin: its tickets become CFS weights under SCHED_OTHER (300 -> "
            "nice 0, 100 -> nice "
            "5), a proportional share like stride's");
  std::int64_t big = proc(r, 2)["finish"], small = proc(r, 3)["finish"];
  EXPECT_LT(big * 10, small * 8) << "big finished at " << big << ", small at " << small;
}

}  // namespace
