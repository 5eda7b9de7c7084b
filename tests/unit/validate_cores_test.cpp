// validate on several cores (docs/real-os.md): migrations counted from a
// run's events, the comparison rows with hand-made runs, the Linux-like
// simulated machine, and the mapping of tickets to nice in real mode.
#include <gtest/gtest.h>

#include "mpsim/os/real_run.hpp"
#include "sim_helpers.hpp"
#include "validate_cores.hpp"

namespace mpsim::cli {
namespace {

Event running(Tick t, Pid pid, CoreId core) {
  return Event{t,
               pid,
               static_cast<std::int16_t>(core),
               EventKind::State,
               static_cast<std::uint8_t>(ProcState::Running),
               0};
}
Event blocked(Tick t, Pid pid) {
  return Event{t, pid, -1, EventKind::State, static_cast<std::uint8_t>(ProcState::Blocked), 0};
}

ProcessResult process(Pid pid, const std::string& name, std::int64_t migrations = 0) {
  ProcessResult p;
  p.pid = pid;
  p.name = name;
  p.migrations = migrations;
  return p;
}

RunResult with_cores(std::vector<Tick> busy) {
  RunResult r;
  for (Tick b : busy) r.cores.push_back(CoreResult{b, 0, 0});
  return r;
}

// Two processes: a runs on 0, 1, 1, 0 (2 migrations); b only on 1.
RunResult simulated() {
  RunResult r = with_cores({10, 20});
  r.processes = {process(2, "a"), process(3, "b")};
  r.events.push_back(running(0, 2, 0));
  r.events.push_back(running(0, 3, 1));
  r.events.push_back(blocked(3, 2));
  r.events.push_back(running(5, 2, 1));
  r.events.push_back(blocked(6, 2));
  r.events.push_back(running(7, 2, 1));
  r.events.push_back(running(9, 2, 0));
  return r;
}

RunResult real(std::int64_t a, std::int64_t b, std::vector<Tick> busy) {
  RunResult r = with_cores(std::move(busy));
  r.processes = {process(2, "a", a), process(3, "b", b)};
  return r;
}

TEST(ValidateCores, MigrationsAreCountedFromRunningEvents) {
  auto m = migrations_from_events(simulated());
  EXPECT_EQ(m, (std::map<Pid, std::int64_t>{{2, 2}, {3, 0}}));
}

TEST(ValidateCores, EventCountEqualsThePerCoreKernelsCount) {
  // imbalance_stealing under rr quantum 4: core 1 steals long-0 at tick 6.
  LoadResult l = load_scenario_file(std::string(MPSIM_SOURCE_DIR) +
                                    "/scenarios/multicore/imbalance_stealing.json");
  ASSERT_TRUE(l.scenario);
  RunResult r = simulate(*l.scenario, {});
  auto m = migrations_from_events(r);
  for (const auto& p : r.processes) EXPECT_EQ(m[p.pid], p.migrations) << p.name;
  EXPECT_EQ(m[2], 1);
}

TEST(ValidateCores, RowsCompareMediansWithinTheTolerances) {
  RunResult sim = simulated();
  // Real runs: a migrates 0, 4 and 3 times (median 3), b 0, 1 and 3 (median 1);
  // busy per core {10, 21}, {12, 19}, {9, 22}.
  RunResult r1 = real(0, 0, {10, 21}), r2 = real(4, 1, {12, 19}), r3 = real(3, 3, {9, 22});
  CoreTolerance tol;  // 5 % + 2 ticks, migrations +-2
  auto rows = compare_cores(sim, {&r1, &r2, &r3}, tol, true);
  ASSERT_EQ(rows.size(), 5u);
  auto expect_row = [&](std::size_t i, const std::string& name, const std::string& s,
                        const std::string& r, bool pass, const std::string& note) {
    EXPECT_EQ(rows[i].name, name);
    EXPECT_EQ(rows[i].sim, s);
    EXPECT_EQ(rows[i].real, r);
    EXPECT_EQ(rows[i].pass, pass) << name;
    EXPECT_EQ(rows[i].note, note);
  };
  // In all: simulated 2; real 0, 5, 6 (median 5): off by 3.
  expect_row(0, "migrations", "2", "5", false, "median; 1/3 runs within +-2");
  expect_row(1, "migrations 2 a", "2", "3", true, "median; 3/3 runs within");
  expect_row(2, "migrations 3 b", "0", "1", true, "median; 2/3 runs within");
  // core0: 10 against 10, 12, 9 (allowed 0.5 + 2); core1: 20 against 21, 19, 22 (1 + 2).
  expect_row(3, "busy core0", "10", "10", true, "median; 3/3 runs within");
  expect_row(4, "busy core1", "20", "21", true, "median; 3/3 runs within");
  // A tighter tolerance fails what was just inside.
  tol.migrations = 0;
  tol.busy_pct = 0;
  tol.busy_ticks = 0;
  rows = compare_cores(sim, {&r1, &r2, &r3}, tol, true);
  EXPECT_FALSE(rows[1].pass);
  EXPECT_TRUE(rows[3].pass);
  EXPECT_FALSE(rows[4].pass);
}

TEST(ValidateCores, WithoutAffinityCoresAreMatchedByRank) {
  RunResult sim = simulated();  // core1 is the busier (20 against 10)
  RunResult r1 = real(2, 0, {21, 10}),
            r2 = real(2, 0, {11, 20});  // r1: the kernel's core 0 was the busy one
  auto rows = compare_cores(sim, {&r1, &r2}, CoreTolerance{}, false);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[3].real,
            "11");  // core0 gets 10 (r1, swapped) and 11: the median of two is the higher
  EXPECT_TRUE(rows[3].pass);
  EXPECT_EQ(rows[4].real, "21");
  EXPECT_EQ(rows[4].note,
            "median; 2/2 runs within; cores matched by rank in 1 run(s): without affinity which "
            "core is which is the "
            "kernel's choice");
  // With affinity the labels are kept, and r1's swap fails.
  rows = compare_cores(sim, {&r1, &r2}, CoreTolerance{}, true);
  EXPECT_EQ(rows[3].note, "median; 1/2 runs within");
  EXPECT_EQ(rows[4].note, "median; 1/2 runs within");
}

const char* kOpen = R"({"name": "open", "machine": {"cores": 2, "tick_us": 500},
  "programs": {"p": [{"compute": 1}]}, "processes": [{"name": "p", "program": "p"}]})";

TEST(ValidateCores, LinuxLikeDefaultFillsWhatTheScenarioLeavesOpen) {
  Scenario s = test::load(kOpen);
  LinuxDefault d = apply_linux_default(s, false, false);
  EXPECT_TRUE(d.policy);
  EXPECT_TRUE(d.queues);
  EXPECT_EQ(s.machine.scheduler.policy, "cfs");
  EXPECT_EQ(s.machine.scheduler.params.size(),
            test::load(R"({"name": "c", "machine": {"scheduler": "cfs"},
    "programs": {"p": [{"compute": 1}]}, "processes": [{"name": "p", "program": "p"}]})")
                .machine.scheduler.params.size());
  EXPECT_EQ(s.machine.queues, QueueDesign::PerCore);
  EXPECT_EQ(s.machine.per_core.placement, Placement::Last);
  EXPECT_EQ(s.machine.per_core.steal_peek, 1);
  EXPECT_EQ(s.machine.per_core.balance_interval, 8);  // 4 ms of 500 us ticks
  EXPECT_EQ(s.machine.per_core.balance_threshold, 1);
  EXPECT_EQ(d.note,
            "Linux-like default (the scenario chooses no scheduler): cfs with per-core queues, "
            "placement last, "
            "stealing every tick, balancing every 8 tick(s) above 1");
}

TEST(ValidateCores, LinuxLikeDefaultKeepsWhatTheScenarioChose) {
  Scenario s = test::load(kOpen);
  s.machine.scheduler.policy = "rr";
  LinuxDefault d = apply_linux_default(s, true, false);  // rr chosen: real-time, no per-CPU model
  EXPECT_FALSE(d.policy || d.queues);
  EXPECT_EQ(s.machine.queues, QueueDesign::Global);
  EXPECT_EQ(d.note, "");

  Scenario c = test::load(kOpen);
  c.machine.tick_us = 10000;
  d = apply_linux_default(c, false, true);  // queues chosen (global): only the policy
  EXPECT_TRUE(d.policy);
  EXPECT_FALSE(d.queues);
  EXPECT_EQ(c.machine.queues, QueueDesign::Global);

  Scenario q = test::load(kOpen);
  q.machine.scheduler.policy = "cfs";
  q.machine.tick_us = 10000;
  d = apply_linux_default(q, true, false);  // cfs chosen, queues open
  EXPECT_FALSE(d.policy);
  EXPECT_TRUE(d.queues);
  EXPECT_EQ(q.machine.per_core.balance_interval, 1);  // 0.4 ticks: at least 1
  EXPECT_EQ(d.note,
            "Linux-like default (the scenario chooses no queues): per-core queues, placement last, "
            "stealing every "
            "tick, balancing every 1 tick(s) above 1");

  Scenario one = test::load(kOpen);
  one.machine.cores = 1;
  d = apply_linux_default(one, false, false);  // one core: validate as before
  EXPECT_FALSE(d.policy || d.queues);
  EXPECT_EQ(one.machine.scheduler.policy, "rr");
}

TEST(RealTickets, TicketsBecomeTheNearestCfsWeight) {
  // Weights 1024 (nice 0), 820, 655, 526, 423, 335 (nice 5), ..., 15 (nice 19).
  EXPECT_EQ(os::ticket_nice(300, 300), 0);
  EXPECT_EQ(os::ticket_nice(200, 300), 2);   // 1.5: 1024/655 = 1.56 beats 1024/820 = 1.25
  EXPECT_EQ(os::ticket_nice(100, 300), 5);   // 3: 1024/335 = 3.06
  EXPECT_EQ(os::ticket_nice(80, 100), 1);    // 1.25: 1024/820
  EXPECT_EQ(os::ticket_nice(1, 10000), 19);  // beyond the table: the lightest weight
  EXPECT_EQ(os::ticket_nice(500, 100), 0);   // never above nice 0
}

}  // namespace
}  // namespace mpsim::cli
