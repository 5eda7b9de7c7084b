// The cache model (machine.cache, semantics.md §12.1) and OSTEP multi.py's
// rules (machine.multi_ostep, docs/multi-ostep.md). The cache tests are
// derived by hand in the comment above their expectations; the multi.py runs
// give the command line whose output they match (done times, per-CPU busy
// and warm ticks, and per-tick charts where given). Charts: one letter per
// tick, A = pid 2, '.' idle.
#include <gtest/gtest.h>

#include "mpsim/report/report.hpp"
#include "mpsim/scenario/loader.hpp"
#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

std::string cache_machine(int cores, int quantum, int size, int warmup, int rate,
                          const std::string& more = "") {
  return R"("cores": )" + std::to_string(cores) + R"(, "scheduler": {"policy": "rr", "quantum": )" +
         std::to_string(quantum) + R"(}, "cache": {"size": )" + std::to_string(size) +
         R"(, "warmup": )" + std::to_string(warmup) + R"(, "warm_rate": )" + std::to_string(rate) +
         "}" + more;
}

Job wjob(const std::string& name, Tick n, int ws) {
  return cpu(name, n, 0, R"("working_set": )" + std::to_string(ws));
}

TEST(Cache, WarmsUpThenRunsFaster) {
  // compute 30, warm-up 10, rate 2: ticks 0-9 cold (10 done), then 20 left
  // at 2 a tick: 10 ticks. Ends at 20; 10 cold and 10 warm ticks; one cold start.
  RunResult r = run_both(jobs_scenario(cache_machine(1, 10, 100, 10, 2), {wjob("A", 30, 50)}));
  EXPECT_EQ(r.makespan, 20);
  ASSERT_TRUE(r.multicore.has_value());
  EXPECT_EQ(r.multicore->cold_ticks, (std::vector<Tick>{10}));
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{10}));
  EXPECT_EQ(r.multicore->cold_starts, 1);
  EXPECT_EQ(r.multicore->evictions, 0);
  EXPECT_EQ(by_name(r, "A").cpu, 20);
}

TEST(Cache, WorkingSetLargerThanTheCacheNeverWarms) {
  // ws 200 > size 100: each time its warm-up ends (10, 20, 30) it enters the
  // cache and is at once pushed out again: 30 cold ticks, 3 evictions.
  RunResult r = run_both(jobs_scenario(cache_machine(1, 10, 100, 10, 2), {wjob("A", 30, 200)}));
  EXPECT_EQ(r.makespan, 30);
  EXPECT_EQ(r.multicore->cold_ticks, (std::vector<Tick>{30}));
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{0}));
  EXPECT_EQ(r.multicore->evictions, 3);
}

TEST(Cache, TwoWorkingSetsThatDoNotFitEvictEachOther) {
  // rr q4, warm-up 2, rate 2, size 100, A and B compute 20 with ws 60 each.
  // Every slice: 2 cold ticks, then warm, which evicts the other (60+60 >
  // 100), then 2 warm ticks: 6 done per slice. A: 0-3 (14 left), B 4-7 (14),
  // A 8-11 (8), B 12-15 (8), A 16-19 (2), B 20-23 (2), A 24-25 cold: done at
  // 26 (and warm then: B evicted), B 26-27 cold: done at 28. Warm-ups end
  // at 2 (nothing to evict), 6, 10, 14, 18, 22, 26, 28: 7 evictions.
  RunResult r = run_both(
      jobs_scenario(cache_machine(1, 4, 100, 2, 2), {wjob("A", 20, 60), wjob("B", 20, 60)}));
  EXPECT_EQ(chart(r, 0), "AAAABBBBAAAABBBBAAAABBBBAABB");
  EXPECT_EQ(by_name(r, "A").finish, 26);
  EXPECT_EQ(r.multicore->evictions, 7);
  EXPECT_EQ(r.multicore->cold_ticks, (std::vector<Tick>{16}));
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{12}));
  EXPECT_EQ(r.multicore->cold_starts, 8);  // every dispatch finds its working set evicted
}

TEST(Cache, TwoWorkingSetsThatFitStayWarm) {
  // The same with size 120: both stay warm after their first slice. A 0-3
  // (14 left), B 4-7 (14), A 8-11 warm (6), B 12-15 (6), A 16-18 (done at 19),
  // B 19-21 (done at 22). No eviction; 2 cold starts.
  RunResult r = run_both(
      jobs_scenario(cache_machine(1, 4, 120, 2, 2), {wjob("A", 20, 60), wjob("B", 20, 60)}));
  EXPECT_EQ(chart(r, 0), "AAAABBBBAAAABBBBAAABBB");
  EXPECT_EQ(r.multicore->evictions, 0);
  EXPECT_EQ(r.multicore->cold_starts, 2);
  // Warm: A 2-3, 8-11, 16-18 and B 6-7, 12-15, 19-21: 9 each.
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{18}));
}

TEST(Cache, NoWarmupIsWarmAtOnceButAnEvictedSetTakesOneTick) {
  // warm-up 0: A (ws 60) is warm from its first tick; B (ws 60) evicts it at
  // its dispatch. Back on the core, A must warm again: one cold tick (as in
  // multi.py, whose counter of an evicted set starts at 0 and is checked
  // after the tick). q2, rate 2, compute 8 each: A 0-1 warm (4 left), B 2-3
  // warm (4), A 4 cold (3), 5 warm (1), B 6 cold (3), 7 warm (1), A 8 cold
  // (done), B 9 cold (done at 10).
  RunResult r =
      run_both(jobs_scenario(cache_machine(1, 2, 100, 0, 2), {wjob("A", 8, 60), wjob("B", 8, 60)}));
  EXPECT_EQ(chart(r, 0), "AABBAABBAB");
  EXPECT_EQ(r.multicore->cold_ticks, (std::vector<Tick>{4}));
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{6}));
}

TEST(Cache, WarmthStaysWithTheCoreAndMigrationsAreCounted) {
  // Global queue, 2 cores, rr q5, warm-up 2, rate 2, size 100; A, B, C
  // compute 20, ws 50 (two fit in a cache). Each slice starts with 2 cold
  // ticks unless the set is warm on that core.
  //  0-4  core0 A (2 cold + 3 warm: 12 left)    core1 B (12 left)
  //  5-9  core0 C (12 left; warm at 7: [C A])   core1 A (4 left; warm: [A B])
  // 10-14 core0 B (4; warm at 12 evicts A)      core1 C (4; at 12 evicts B)
  // 15-17 core0 A (cold 2, warm at 17 evicts C; done at 18)
  //       core1 B (cold 2, warm at 17 evicts A; done at 18)
  // 18-20 core0 C (cold 2, warm at 20 evicts B; done at 21)
  // Every process moves twice: 6 migrations; 5 evictions; all 9 dispatches cold.
  RunResult r = run_both(jobs_scenario(cache_machine(2, 5, 100, 2, 2),
                                       {wjob("A", 20, 50), wjob("B", 20, 50), wjob("C", 20, 50)}));
  EXPECT_EQ(chart(r, 0), "AAAAACCCCCBBBBBAAACCC");
  EXPECT_EQ(chart(r, 1), "BBBBBAAAAACCCCCBBB...");
  EXPECT_EQ(r.multicore->migrations, 6);
  EXPECT_EQ(by_name(r, "A").migrations, 2);
  EXPECT_EQ(r.multicore->evictions, 5);
  EXPECT_EQ(r.multicore->cold_starts, 9);
}

TEST(Cache, PerCoreQueuesKeepWorkingSetsWarm) {
  // The same three with per-core queues and an idle core stealing at every
  // tick: A and C on core 0, B on core 1 (least loaded at arrival). B: 2 cold
  // + 9 warm, done at 11. Core 0: A 0-4 (12 left), C 5-9 (12; [C A] fit), A
  // 10- warm. At 11 idle core 1 steals C: cold 11-12 (10 left), warm at 13
  // ([C B]), done at 18. A alone: warm 10-15, done at 16. Makespan 18 < 21.
  RunResult r = run_both(jobs_scenario(
      cache_machine(2, 5, 100, 2, 2, R"(, "queues": "per_core", "per_core": {"steal_peek": 1})"),
      {wjob("A", 20, 50), wjob("B", 20, 50), wjob("C", 20, 50)}));
  EXPECT_EQ(chart(r, 0), "AAAAACCCCCAAAAAA..");
  EXPECT_EQ(chart(r, 1), "BBBBBBBBBBBCCCCCCC");
  EXPECT_EQ(r.multicore->migrations, 1);
  EXPECT_EQ(r.multicore->stolen, 1);
  EXPECT_EQ(r.multicore->evictions, 0);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Migrations, MarkedInTheGanttChartAndTheTrace) {
  // The run above: 6 migrations, each a line and a dot in the chart and an
  // instant in the trace, with the cores it left and got. A's first move:
  // core 0 to core 1 at 5.
  RunResult r =
      simulate(load(jobs_scenario(cache_machine(2, 5, 100, 2, 2),
                                  {wjob("A", 20, 50), wjob("B", 20, 50), wjob("C", 20, 50)})),
               RunOptions{});
  std::string svg = format_gantt_svg({&r}, {"run"});
  EXPECT_EQ(count(svg, "class=\"mig\""), 6U);
  EXPECT_EQ(count(svg, "<style>.mig"), 1U);
  EXPECT_NE(svg.find("<title>A migrates from core 0 to core 1 at 5</title>"), std::string::npos);
  std::string trace = format_trace(r);
  EXPECT_EQ(count(trace, "\"cat\": \"migration\""), 6U);
  EXPECT_EQ(count(trace, "\"name\": \"migrate to core 1\""), 3U);
  // Without a migration (one core), neither shows anything new.
  RunResult one = simulate(
      load(jobs_scenario(cache_machine(1, 5, 100, 2, 2), {wjob("A", 20, 50), wjob("B", 20, 50)})),
      RunOptions{});
  EXPECT_EQ(format_gantt_svg({&one}, {"run"}).find("mig"), std::string::npos);
  EXPECT_EQ(format_trace(one).find("migrat"), std::string::npos);
}

// ---- OSTEP multi.py (docs/multi-ostep.md). Defaults of multi.py: -q 10
// -P 30 -w 10 -r 2 -M 100 -n 2 -s 0.

std::string ostep_machine(int cores, int quantum, int size, int warmup, int rate,
                          const std::string& queues = "") {
  return cache_machine(cores, quantum, size, warmup, rate, R"(, "multi_ostep": true)" + queues);
}

std::string per_cpu(int peek, int seed = 0) {
  return R"(, "queues": "per_core", "per_core": {"steal_peek": )" + std::to_string(peek) +
         R"(, "seed": )" + std::to_string(seed) + "}";
}

Job pinned(const std::string& name, Tick n, int ws, int core) {
  return cpu(name, n, 0,
             R"("working_set": )" + std::to_string(ws) + R"(, "affinity": [)" +
                 std::to_string(core) + "]");
}

TEST(MultiOstep, OneCpuColdAndWarm) {
  // ./multi.py -n 1 -L a:30:200 -c -> Finished time 30, warm 0.00
  RunResult r = run_both(jobs_scenario(ostep_machine(1, 10, 100, 10, 2), {wjob("a", 30, 200)}));
  EXPECT_EQ(r.makespan, 30);
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{0}));
  // ./multi.py -n 1 -L a:30:200 -M 300 -c -> Finished time 20, warm 50.00
  r = run_both(jobs_scenario(ostep_machine(1, 10, 300, 10, 2), {wjob("a", 30, 200)}));
  EXPECT_EQ(r.makespan, 20);
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{10}));
}

TEST(MultiOstep, CentralQueueTwoCpus) {
  // ./multi.py -n 2 -L a:100:100,b:100:50,c:100:50 -c -> Finished time 150,
  // CPU 0 and 1 utilization 100.00 [ warm 0.00 ]: the jobs rotate over the
  // CPUs and never stay 10 ticks on one. Done: a 140, b 150, c 150.
  RunResult r =
      run_both(jobs_scenario(ostep_machine(2, 10, 100, 10, 2),
                             {wjob("a", 100, 100), wjob("b", 100, 50), wjob("c", 100, 50)}));
  EXPECT_EQ(r.makespan, 150);
  EXPECT_EQ(by_name(r, "a").finish, 140);
  EXPECT_EQ(by_name(r, "b").finish, 150);
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{0, 0}));
  EXPECT_EQ(r.cores[0].busy, 150);
  EXPECT_EQ(r.cores[1].busy, 150);
}

TEST(MultiOstep, CentralQueueWithAffinity) {
  // ./multi.py -n 2 -L a:100:100,b:100:50,c:100:50 -A a:0,b:1,c:1 -c ->
  // Finished time 110; CPU 0 utilization 50.00 [ warm 40.91 ], CPU 1 100.00
  // [ warm 81.82 ]: 55, 45, 110 and 90 ticks. Done: a 55, b 105, c 110.
  RunResult r = run_both(
      jobs_scenario(ostep_machine(2, 10, 100, 10, 2),
                    {pinned("a", 100, 100, 0), pinned("b", 100, 50, 1), pinned("c", 100, 50, 1)}));
  EXPECT_EQ(r.makespan, 110);
  EXPECT_EQ(by_name(r, "a").finish, 55);
  EXPECT_EQ(by_name(r, "b").finish, 105);
  EXPECT_EQ(r.cores[0].busy, 55);
  EXPECT_EQ(r.cores[1].busy, 110);
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{45, 90}));
}

TEST(MultiOstep, CacheSizeGivesSuperLinearSpeedup) {
  // ./multi.py -n 3 -L a:100:100,b:100:100,c:100:100 -M 50 -c -> 100;
  // the same with -M 100 -> 55 (each CPU: utilization 100, warm 81.82).
  auto jobs = std::vector<Job>{wjob("a", 100, 100), wjob("b", 100, 100), wjob("c", 100, 100)};
  EXPECT_EQ(run_both(jobs_scenario(ostep_machine(3, 10, 50, 10, 2), jobs)).makespan, 100);
  RunResult r = run_both(jobs_scenario(ostep_machine(3, 10, 100, 10, 2), jobs));
  EXPECT_EQ(r.makespan, 55);
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{45, 45, 45}));
}

TEST(MultiOstep, ReadmeExampleMigratesUnderTheCentralQueue) {
  // README: ./multi.py -n 4 -M 100 -L 1:100:50,2:100:150 -c -> Finished
  // time 100; CPU 0 95.00 [ warm 45.00 ], CPU 1 60.00 [ warm 0.00 ], CPUs 2
  // and 3 idle. Job 1 ends at 55; at the interrupt at 60 job 2 is requeued
  // and CPU 0, first in order, takes it: one migration.
  RunResult r = run_both(jobs_scenario(ostep_machine(4, 10, 100, 10, 2),
                                       {wjob("one", 100, 50), wjob("two", 100, 150)}));
  EXPECT_EQ(r.makespan, 100);
  EXPECT_EQ(by_name(r, "one").finish, 55);
  EXPECT_EQ(r.cores[0].busy, 95);
  EXPECT_EQ(r.cores[1].busy, 60);
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{45, 0, 0, 0}));
  EXPECT_EQ(r.multicore->migrations, 1);
}

TEST(MultiOstep, PerCpuQueuesWithoutStealing) {
  // ./multi.py -n 2 -L a:100:100,b:100:50,c:100:50 -p -P 0 -c -> 200:
  // a and c share CPU 0 (each evicts the other... no: 100+50 > 100), b alone
  // on CPU 1 ends at 55. Done: b 55, a 190, c 200.
  RunResult r =
      run_both(jobs_scenario(ostep_machine(2, 10, 100, 10, 2, per_cpu(0)),
                             {wjob("a", 100, 100), wjob("b", 100, 50), wjob("c", 100, 50)}));
  EXPECT_EQ(r.makespan, 200);
  EXPECT_EQ(by_name(r, "b").finish, 55);
  EXPECT_EQ(by_name(r, "a").finish, 190);
  EXPECT_EQ(r.cores[1].busy, 55);
}

TEST(MultiOstep, PerCpuQueuesStealEveryThirtyTicks) {
  // ./multi.py -n 2 -L a:100:100,b:100:50,c:100:50 -p -c (peek 30) -> 100;
  // CPU 0 95.00 [ warm 35.00 ], CPU 1 95.00 [ warm 75.00 ]; done b 55, c 95,
  // a 100. Trace (-t), one letter per tick:
  RunResult r =
      run_both(jobs_scenario(ostep_machine(2, 10, 100, 10, 2, per_cpu(30)),
                             {wjob("a", 100, 100), wjob("b", 100, 50), wjob("c", 100, 50)}));
  EXPECT_EQ(chart(r, 0),
            "AAAAAAAAAACCCCCCCCCCAAAAAAAAAACCCCCCCCCCAAAAAAAAAACCCCCCCCCCCCCCCCCCCCCCCCC"
            "CCCCCCCCCCCCCCCCCCCC.....");
  EXPECT_EQ(chart(r, 1),
            "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.....AAAAAAAAAAAAAAAAAA"
            "AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{35, 75}));
  EXPECT_EQ(r.multicore->stolen, 1);
  EXPECT_EQ(r.multicore->migrations, 1);
}

std::vector<Job> six_jobs() {
  return {wjob("a", 40, 30),   wjob("b", 90, 60), wjob("c", 20, 10),
          wjob("d", 120, 100), wjob("e", 60, 50), wjob("f", 35, 20)};
}

TEST(MultiOstep, RandomVictimsFollowPythonsGenerator) {
  // ./multi.py -p -n 3 -q 5 -P 7 -w 3 -r 3 -M 100 -s 5
  //   -L a:40:30,b:90:60,c:20:10,d:120:100,e:60:50,f:35:20 -t -c
  // -> Finished time 61; warm 70.49, 54.10, 49.18 % (43, 33, 30 ticks).
  RunResult r = run_both(jobs_scenario(ostep_machine(3, 5, 100, 3, 3, per_cpu(7, 5)), six_jobs()));
  EXPECT_EQ(chart(r, 0), "AAAAADDDDDAAAAADDDDDAAAAADDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD");
  EXPECT_EQ(chart(r, 1), "BBBBBEEEEEBBBBBEEEEEBBBBBBBBBBBBBBBBBBBBBBBBBEEEEEE..........");
  EXPECT_EQ(chart(r, 2), "CCCCCFFFFFCCCCFFFFFFFFFEEEEEEEAAAAAEEEEEAA.......BBB.........");
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{43, 33, 30}));
  // The same with -s 1 -> Finished time 66; another victim is drawn at 21.
  r = run_both(jobs_scenario(ostep_machine(3, 5, 100, 3, 3, per_cpu(7, 1)), six_jobs()));
  EXPECT_EQ(chart(r, 0), "AAAAADDDDDAAAAADDDDDAAAAAAAAAA.....DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD");
  EXPECT_EQ(chart(r, 1), "BBBBBEEEEEBBBBBEEEEEBBBBBEEEEEEEEEEEEEEEE.........................");
  EXPECT_EQ(chart(r, 2), "CCCCCFFFFFCCCCFFFFFFFFFDDDDDDDBBBBBBBBBBBBBBBBBBBBBBB.............");
  EXPECT_EQ(r.multicore->warm_ticks, (std::vector<Tick>{43, 23, 41}));
}

TEST(MultiOstep, LoadErrors) {
  EXPECT_NE(load_errors(jobs_scenario(R"("scheduler": "fcfs", "multi_ostep": true)", {cpu("A", 1)}))
                .find("/machine/multi_ostep: multi_ostep reproduces OSTEP's multi.py"),
            std::string::npos);
  EXPECT_NE(load_errors(jobs_scenario(R"("cache": {"sise": 3})", {cpu("A", 1)})).find("sise"),
            std::string::npos);
  EXPECT_NE(load_errors(jobs_scenario(R"("cores": 2)", {wjob("A", 1, 5)}))
                .find("working_set applies only with the cache model"),
            std::string::npos);
  EXPECT_NE(
      load_errors(jobs_scenario(R"("cores": 2, "queues": "per_core", "per_core": {"seed": 3})",
                                {cpu("A", 1)}))
          .find("seed applies only with \"multi_ostep\": true"),
      std::string::npos);
  EXPECT_NE(
      load_errors(jobs_scenario(R"("cache": {"warm_rate": 0})", {cpu("A", 1)})).find("warm_rate"),
      std::string::npos);
}

TEST(MultiOstep, PolicyOverrideMustStayRr) {
  Scenario s = load(jobs_scenario(ostep_machine(2, 10, 100, 10, 2), {wjob("a", 10, 10)}));
  MachineOverrides o;
  o.policy = "fcfs";
  auto errs = apply_overrides(s, o);
  ASSERT_EQ(errs.size(), 1U);
  EXPECT_EQ(
      errs[0].format(),
      "command line: --policy: multi_ostep reproduces OSTEP's multi.py, which schedules round "
      "robin: it needs policy rr");
}

}  // namespace
}  // namespace mpsim::test
