// mpsim sweep's core: spec checking, grid order, seeds, the spec hash, runs
// independent of the thread count, and the confidence-interval formula.
#include <gtest/gtest.h>

#include <mutex>

#include "mpsim/analysis/stats.hpp"
#include "mpsim/analysis/sweep.hpp"
#include "mpsim/report/sweep.hpp"

namespace mpsim {
namespace {

const std::string kDir = MPSIM_SOURCE_DIR;

SweepPlan plan(const std::string& spec) {
  return SweepPlan::parse(spec, "spec.json", kDir);
}

std::vector<std::string> spec_errors(const std::string& spec) {
  try {
    plan(spec);
  } catch (const SweepError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics) out.push_back(d.format());
    return out;
  }
  return {};
}

const char* kCvp = R"("scenario": "scenarios/seed/concurrency_vs_parallelism.json")";

TEST(Stats, TTableAndHalfWidth) {
  EXPECT_EQ(t975(1), 12.706);
  EXPECT_EQ(t975(30), 2.042);
  EXPECT_EQ(t975(39), 2.042);
  EXPECT_EQ(t975(59), 2.021);
  EXPECT_EQ(t975(1000), 1.980);
  MeanCi c = mean_ci({1, 2, 3, 4});
  EXPECT_EQ(c.mean, 2.5);
  EXPECT_NEAR(c.half, 2.0539722, 1e-6);  // 3.182 * 1.2909944 / 2
  EXPECT_EQ(mean_ci({7}).half, 0);
  EXPECT_EQ(mean_ci({}).n, 0u);
}

TEST(SweepSpec, GridIsInKeyOrderFirstKeySlowestThenSeeds) {
  auto p = plan(std::string("{") + kCvp +
                R"(, "grid": {"policy": ["rr", "fcfs"], "cores": [1, 2]}, "seeds": [7, 8]})");
  ASSERT_EQ(p.runs().size(), 8u);
  EXPECT_EQ(p.param_names(), (std::vector<std::string>{"policy", "cores"}));
  const auto& r5 = p.runs()[5];  // fcfs, 1 core, seed 8
  EXPECT_EQ(r5.params[0].value, "\"fcfs\"");
  EXPECT_EQ(r5.params[1].value, "1");
  EXPECT_EQ(*r5.seed, 8);
  EXPECT_EQ(p.runs()[2].params[1].value, "2");
}

TEST(SweepSpec, HashChangesWithTheSpecAndIsStable) {
  std::string spec = std::string("{") + kCvp + R"(, "grid": {"cores": [1, 2]}})";
  EXPECT_EQ(plan(spec).hash(), plan(spec).hash());
  EXPECT_EQ(plan(spec).hash().size(), 16u);
  EXPECT_NE(plan(spec).hash(),
            plan(std::string("{") + kCvp + R"(, "grid": {"cores": [1, 4]}})").hash());
}

TEST(SweepSpec, SampleDrawsAreReproducible) {
  std::string spec =
      std::string("{") + kCvp +
      R"(, "sample": {"count": 4, "seed": 3, "params": {"quantum": {"$random": "uniform", "min": 1, "max": 9}, "cores": [1, 2, 4]}}})";
  auto a = plan(spec), b = plan(spec);
  ASSERT_EQ(a.runs().size(), 4u);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t k = 0; k < 2; ++k)
      EXPECT_EQ(a.runs()[i].params[k].value, b.runs()[i].params[k].value);
}

TEST(SweepSpec, MistakesAreReportedWithTheirPath) {
  EXPECT_EQ(spec_errors(R"({"grid": {"cores": [1]}})"),
            (std::vector<std::string>{
                "spec.json: expected exactly one of \"scenario\" (a scenario file) and \"gen\" "
                "(a workload family)"}));
  EXPECT_EQ(spec_errors(std::string("{") + kCvp + R"(, "grid": {"coers": [1]}})"),
            (std::vector<std::string>{
                "spec.json: /grid/coers: unknown parameter \"coers\" (did you mean \"cores\"?): "
                "expected cores, policy, quantum, context_switch, a JSON pointer such as "
                "/processes/0/count, or gen.NAME"}));
  EXPECT_EQ(spec_errors(std::string("{") + kCvp + R"(, "grid": {"cores": [0]}})"),
            (std::vector<std::string>{
                "spec.json: /grid/cores/0: expected an integer from 1 to 1024, found 0"}));
  EXPECT_EQ(spec_errors(std::string("{") + kCvp + R"(, "grid": {"/processes/9/count": [1]}})"),
            (std::vector<std::string>{
                "spec.json: /grid/~1processes~19~1count: \"/processes/9/count\" points at "
                "nothing in " +
                kDir +
                "/scenarios/seed/concurrency_vs_parallelism.json (a "
                "pointer must name a value, or a new key of an existing object)"}));
  EXPECT_EQ(spec_errors(R"({"gen": {"family": "jobs", "jobz": 3}})"),
            (std::vector<std::string>{
                "spec.json: /gen/jobz: unknown key \"jobz\" (did you mean \"jobs\"?)"}));
  EXPECT_EQ(spec_errors(std::string("{") + kCvp + R"(, "seeds": []})"),
            (std::vector<std::string>{
                "spec.json: /seeds: expected a count of seeds (0, 1, ... n-1) or a non-empty "
                "array of seeds, found an array"}));
}

std::vector<std::string> rows(const SweepPlan& p, int threads) {
  std::vector<std::string> out(p.runs().size());
  std::mutex m;
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < p.runs().size(); ++i) all.push_back(i);
  run_sweep(p, all, threads, [&](const SweepRun& r, const CompareRow& row) {
    std::lock_guard<std::mutex> lock(m);
    out[r.index] = sweep_csv_row(p, r, row);
  });
  return out;
}

TEST(SweepRun, RowsMatchCompareAndDoNotDependOnThreads) {
  // README's compare table: rr quantum 2 makes 40, 20 and 12 ticks on 1, 2 and 4 cores.
  auto p = plan(std::string("{") + kCvp + R"(, "grid": {"cores": [4, 2, 1]}})");
  auto one = rows(p, 1);
  EXPECT_EQ(one, rows(p, 3));
  EXPECT_EQ(sweep_csv_header(p).substr(0, 35), "run,cores,seed,cores,policy,makespa");
  EXPECT_EQ(one[0].substr(0, 38), "0,4,,4,rr (quantum 2),12,3.33,0.83,83.");
  EXPECT_EQ(one[1].substr(0, 30), "1,2,,2,rr (quantum 2),20,2.00,");
  EXPECT_EQ(one[2].substr(0, 30), "2,1,,1,rr (quantum 2),40,1.00,");
}

TEST(SweepRun, JsonPointerAndGenParametersChangeTheScenario) {
  auto p =
      plan(std::string("{") + kCvp + R"(, "grid": {"/processes/0/count": [1, 2]}, "seeds": 1})");
  auto r = rows(p, 2);
  // One worker: 6 + 2 (io) + 4 = 12 ticks; two share the core: 40 / 4 * 2 = 20.
  EXPECT_EQ(r[0].substr(0, 30), "0,1,0,1,rr (quantum 2),12,1.00");
  EXPECT_EQ(r[1].substr(0, 30), "1,2,0,1,rr (quantum 2),20,1.00");
  auto g = plan(R"({"gen": {"family": "jobs", "jobs": 3}, "grid": {"gen.seed": [5, 6]}})");
  auto gr = rows(g, 2);
  EXPECT_EQ(gr[0].substr(0, 15), "0,5,,1,fcfs,14,");
  EXPECT_EQ(gr[1].substr(0, 15), "1,6,,1,fcfs,21,");
}

TEST(SweepRun, ARunWhoseScenarioFailsIsAnError) {
  auto p = plan(std::string("{") + kCvp + R"(, "grid": {"/processes/0/count": [1, 0]}})");
  try {
    rows(p, 2);
    FAIL();
  } catch (const SweepError& e) {
    EXPECT_EQ(e.diagnostics.front().path, "/processes/0/count");
  }
}

}  // namespace
}  // namespace mpsim
