// Scenario randomness: exact draws for known seeds. The expected numbers come
// from the algorithm as docs/semantics.md §10 states it, recomputed outside
// mpsim (an independent Python transcription); SplitMix64 and FNV-1a match
// their published reference values.
#include <gtest/gtest.h>

#include "mpsim/kernel/machine.hpp"
#include "mpsim/scenario/gen.hpp"
#include "mpsim/scenario/loader.hpp"
#include "mpsim/scenario/random.hpp"

namespace mpsim {
namespace {

TEST(Random, SplitMix64MatchesTheReferenceOutputsForSeedZero) {
  rng::SplitMix64 g(0);
  EXPECT_EQ(g.next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(g.next(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(g.next(), 0x06c45d188009454fULL);
}

TEST(Random, Fnv1aMatchesTheReference) {
  EXPECT_EQ(rng::fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(rng::fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(Random, UniformIntForAKnownStream) {
  auto g = rng::stream(42, "/processes/0/arrival");
  std::vector<std::int64_t> got;
  for (int i = 0; i < 5; ++i) got.push_back(rng::uniform_int(g, 1, 10));
  EXPECT_EQ(got, (std::vector<std::int64_t>{3, 5, 1, 9, 4}));
}

TEST(Random, UniformIntCoversTheWholeRangeAndOnlyIt) {
  auto g = rng::stream(1, "/r");
  std::vector<int> seen(3, 0);
  for (int i = 0; i < 300; ++i) {
    auto v = rng::uniform_int(g, -1, 1);
    ASSERT_GE(v, -1);
    ASSERT_LE(v, 1);
    ++seen[static_cast<std::size_t>(v + 1)];
  }
  for (int c : seen) EXPECT_GT(c, 50);
  EXPECT_EQ(rng::uniform_int(g, 7, 7), 7);
}

TEST(Random, UnitIsAMultipleOfTwoToTheMinus53) {
  auto g = rng::stream(7, "/x");
  EXPECT_EQ(rng::unit(g), 0.6083717180392092);
}

TEST(Random, PortableLogIsExactWhereTheAnswerIsAndCloseElsewhere) {
  EXPECT_EQ(rng::portable_log(1.0), 0.0);
  EXPECT_EQ(rng::portable_log(2.0), 0.6931471805599453);
  EXPECT_EQ(rng::portable_log(0.5), -0.6931471805599453);
  EXPECT_EQ(rng::portable_log(10.0), 2.3025850929940455);  // true value 2.302585092994046 (1 ulp)
  EXPECT_EQ(rng::portable_log(1e-300), -690.7755278982137);
  EXPECT_THROW(rng::portable_log(0.0), std::invalid_argument);
}

TEST(Random, ExponentialAndNormalForKnownStreams) {
  auto e = rng::stream(1, "/e");
  std::vector<std::int64_t> got;
  for (int i = 0; i < 5; ++i) got.push_back(rng::round_half_away(rng::exponential(e, 5.0)));
  EXPECT_EQ(got, (std::vector<std::int64_t>{14, 7, 0, 10, 3}));
  auto n = rng::stream(1, "/n");
  EXPECT_EQ(rng::standard_normal(n), 0.7739293244644503);
  EXPECT_EQ(rng::standard_normal(n), 0.015149608148934146);
}

TEST(Random, RoundHalfAwayFromZero) {
  EXPECT_EQ(rng::round_half_away(2.5), 3);
  EXPECT_EQ(rng::round_half_away(-2.5), -3);
  EXPECT_EQ(rng::round_half_away(2.4999999999999996), 2);
  EXPECT_EQ(rng::round_half_away(0.49999999999999994), 0);  // floor(x + 0.5) would say 1
  EXPECT_EQ(rng::round_half_away(-0.4), 0);
}

TEST(Random, WeightedIndexForAKnownStream) {
  auto g = rng::stream(9, "/w");
  std::vector<std::size_t> got;
  for (int i = 0; i < 10; ++i) got.push_back(rng::weighted_index(g, {1, 2, 7}));
  EXPECT_EQ(got, (std::vector<std::size_t>{2, 1, 2, 2, 2, 2, 2, 2, 2, 2}));
  auto h = rng::stream(9, "/w");
  for (int i = 0; i < 20; ++i) EXPECT_NE(rng::weighted_index(h, {3, 0, 5}), 1u);
}

// A scenario with draws in the places the loader reads numbers and names.
std::string scenario(const std::string& seed, const std::string& arrival) {
  return R"({)" + seed +
         R"("machine": {"scheduler": {"$random": "choice", "values": ["fcfs", "rr", "sjf"]},
    "context_switch": {"$random": "exponential", "mean": 3, "min": 0, "max": 20}},
    "programs": {"p": [{"compute": 1}]},
    "processes": [{"program": "p", "arrival": )" +
         arrival + R"(}]})";
}

TEST(RandomScenario, DrawsAreMadeFromTheSeedAndTheJsonPath) {
  auto r = load_scenario_text(
      scenario(R"("seed": 5, )", R"({"$random": "uniform", "min": 0, "max": 10})"), "t");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().format();
  EXPECT_EQ(r.scenario->machine.scheduler.policy, "sjf");
  EXPECT_EQ(r.scenario->machine.context_switch, 0);
  auto s42 = load_scenario_text(
      scenario(R"("seed": 42, )", R"({"$random": "uniform", "min": 0, "max": 10})"), "t");
  ASSERT_TRUE(s42.errors.empty());
  EXPECT_EQ(s42.scenario->processes[0].arrival, 7);
}

TEST(RandomScenario, NoSeedMeansSeedZero) {
  auto a = load_scenario_text(scenario("", "4"), "t");
  auto b = load_scenario_text(scenario(R"("seed": 0, )", "4"), "t");
  ASSERT_TRUE(a.errors.empty() && b.errors.empty());
  EXPECT_EQ(a.scenario->machine.scheduler.policy, b.scenario->machine.scheduler.policy);
  EXPECT_EQ(a.scenario->machine.context_switch, b.scenario->machine.context_switch);
}

std::vector<std::string> errors(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& d : load_scenario_text(text, "bad.json").errors) out.push_back(d.format());
  return out;
}

TEST(RandomScenario, BadDrawsAreReportedWithTheirJsonPath) {
  auto one = [](const std::string& draw, const std::string& seed = "") {
    return errors(R"({)" + seed + R"("programs": {"p": [{"compute": )" + draw +
                  R"(}]}, "processes": [{"program": "p"}]})");
  };
  EXPECT_EQ(one(R"({"$random": "unifrom", "min": 1, "max": 2})"),
            (std::vector<std::string>{
                "bad.json: /programs/p/0/compute/$random: unknown distribution \"unifrom\" "
                "(did you mean \"uniform\"?); expected one of: uniform, exponential, normal, "
                "choice, weights"}));
  EXPECT_EQ(one(R"({"$random": "uniform", "min": 5, "max": 2})"),
            (std::vector<std::string>{
                "bad.json: /programs/p/0/compute/max: expected max >= min (5), found 2"}));
  EXPECT_EQ(one(R"({"$random": "uniform", "min": 1})"),
            (std::vector<std::string>{"bad.json: /programs/p/0/compute: missing key \"max\""}));
  EXPECT_EQ(one(R"({"$random": "normal", "mean": 5, "sd": 1, "min": 1, "max": 9, "sigma": 2})"),
            (std::vector<std::string>{"bad.json: /programs/p/0/compute/sigma: unknown key "
                                      "\"sigma\"; expected one of: $random, mean, sd, min, max"}));
  EXPECT_EQ(one(R"({"$random": "weights", "values": [1, 2], "weights": [1]})"),
            (std::vector<std::string>{
                "bad.json: /programs/p/0/compute/weights: expected 2 weights (one per value), "
                "found 1"}));
  EXPECT_EQ(one(R"({"$random": "weights", "values": [1, 2], "weights": [0, 0]})"),
            (std::vector<std::string>{
                "bad.json: /programs/p/0/compute/weights: expected at least one weight above 0"}));
  EXPECT_EQ(one(R"({"$random": "choice", "values": []})"),
            (std::vector<std::string>{
                "bad.json: /programs/p/0/compute/values: expected at least one value"}));
  EXPECT_EQ(one(R"({"$random": "normal", "mean": 1000, "sd": 1, "min": 1, "max": 9})"),
            (std::vector<std::string>{
                "bad.json: /programs/p/0/compute: no draw fell between min 1 and max 9 in "
                "10000 tries: widen the window or move the mean into it"}));
  EXPECT_EQ(one("1", R"("seed": -1, )"),
            (std::vector<std::string>{"bad.json: /seed: expected an integer >= 0, found -1"}));
  // The drawn value is then checked like a written one.
  EXPECT_EQ(one(R"({"$random": "uniform", "min": -3, "max": -1})"),
            (std::vector<std::string>{
                "bad.json: /programs/p/0/compute: expected an integer from 0 to 1000000000000, "
                "found -2"}));
}

TEST(Gen, JobsLengthsComeFromTheSeedAndAddingAJobKeepsTheOthers) {
  // fcfs on one core: the makespan is the sum of the lengths, 8+1+5 for seed 5
  // and 8+1+5+5 with a fourth job (job k's draw depends only on its path).
  auto three = load_scenario_text(generate("jobs", {{"jobs", 3}, {"seed", 5}}), "gen");
  auto four = load_scenario_text(generate("jobs", {{"jobs", 4}, {"seed", 5}}), "gen");
  auto other = load_scenario_text(generate("jobs", {{"jobs", 3}, {"seed", 6}}), "gen");
  ASSERT_TRUE(three.errors.empty() && four.errors.empty() && other.errors.empty());
  EXPECT_EQ(simulate(*three.scenario).makespan, 14);
  EXPECT_EQ(simulate(*four.scenario).makespan, 19);
  EXPECT_EQ(simulate(*other.scenario).makespan, 21);  // 10+3+8
}

TEST(Gen, EveryFamilyLoadsAndRuns) {
  for (const auto& f : gen_families()) {
    auto r = load_scenario_text(generate(f.name, {}), f.name);
    ASSERT_TRUE(r.errors.empty()) << f.name << ": " << r.errors.front().format();
    EXPECT_GT(simulate(*r.scenario).makespan, 0) << f.name;
  }
}

TEST(Gen, TreeAndPipelineHaveTheirExactMakespans) {
  // A tree of depth 2, fanout 2, work 3 on 7 cores: three levels one after
  // another, 3 ticks each (spawn and join take no time).
  auto t = load_scenario_text(
      generate("tree", {{"depth", 2}, {"fanout", 2}, {"work", 3}, {"cores", 7}}), "t");
  ASSERT_TRUE(t.errors.empty());
  auto tr = simulate(*t.scenario);
  EXPECT_EQ(tr.makespan, 9);
  EXPECT_EQ(tr.processes.size(), 7u);
  // 3 stages, 4 items, 2 ticks per item and stage, 3 cores: the last item
  // leaves stage 3 at (4 + 3 - 1) x 2.
  auto p = load_scenario_text(
      generate("pipeline", {{"stages", 3}, {"items", 4}, {"work", 2}, {"cores", 3}}), "p");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(simulate(*p.scenario).makespan, 12);
}

TEST(Gen, UnknownFamiliesAndParametersAreRefused) {
  try {
    generate("jbos", {});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(
        e.what(),
        "unknown family \"jbos\" (did you mean \"jobs\"?); families: jobs mix tree pipeline");
  }
  try {
    generate("jobs", {{"maxlen", 0}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "gen jobs: --maxlen must be from 1 to 1000000, found 0");
  }
  EXPECT_THROW(generate("tree", {{"depth", 16}, {"fanout", 10}}), std::invalid_argument);
}

}  // namespace
}  // namespace mpsim
