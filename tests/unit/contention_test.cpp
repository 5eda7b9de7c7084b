// validate's same-tick contention (tools/cli/contention.hpp): when two CPUs
// reach one lock at the same tick, which wins is the kernel's race.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "contention.hpp"
#include "mpsim/scenario/loader.hpp"
#include "sim_helpers.hpp"

namespace mpsim::test {
namespace {

RunResult ticket_lock_on(std::int32_t cores) {
  std::ifstream in(std::string(MPSIM_SOURCE_DIR) + "/scenarios/seed/ticket_lock.json");
  std::ostringstream text;
  text << in.rdbuf();
  Scenario s = load(text.str());
  MachineOverrides o;
  o.cores = cores;
  EXPECT_TRUE(apply_overrides(s, o).empty());
  return simulate(s, {});
}

// All ten buyers try the lock at tick 0 (the seed searches outside it).
TEST(SameTickContention, TenBuyersAtTickZeroOnTwoCores) {
  auto c = cli::same_tick_contention(ticket_lock_on(2));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->tick, 0);
  EXPECT_EQ(c->pids, (std::vector<Pid>{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
}

// One core serves them one after another, in the order the kernel's FIFO does too.
TEST(SameTickContention, NoneOnOneCore) {
  EXPECT_FALSE(cli::same_tick_contention(ticket_lock_on(1)).has_value());
}

// A lock taken at different ticks is no tie.
TEST(SameTickContention, NoneWhenAcquiresAreApart) {
  RunResult r = run(R"({"name": "apart", "machine": {"cores": 2}, "locks": ["m"],
    "programs": {"a": [{"acquire": "m"}, {"compute": 2}, {"release": "m"}],
                 "b": [{"compute": 5}, {"acquire": "m"}, {"release": "m"}]},
    "processes": [{"program": "a"}, {"program": "b"}]})");
  EXPECT_FALSE(cli::same_tick_contention(r).has_value());
}

}  // namespace
}  // namespace mpsim::test
