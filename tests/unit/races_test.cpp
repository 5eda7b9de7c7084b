// Happens-before race detection: found where the seed has races, not where
// a lock, a spawn or a join orders the accesses.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mpsim/analysis/races.hpp"
#include "sim_helpers.hpp"

namespace mpsim::test {
namespace {

std::string file_text(const std::string& rel) {
  std::ifstream in(std::string(MPSIM_SOURCE_DIR) + "/" + rel);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Ten buyers read at tick 0 (search and buy: one pair per reader) and all
// write at tick 1000: 10 writers x 9 other readers = 90 read/write pairs, plus
// C(10,2) = 45 write/write pairs.
TEST(Races, TicketWithoutLockRacesEverywhere) {
  RunResult r = run(file_text("scenarios/seed/ticket_nolock.json"));
  RaceReport rep = find_races(r);
  EXPECT_EQ(rep.total, 135u);
  EXPECT_EQ(rep.write_write, 45u);
  EXPECT_EQ(explain(rep.races.front(), r),
            "data race on data.ticket: buyer-1 read at tick 0, buyer-0 wrote at tick 1000; nothing orders them "
            "(no lock, join or message between)");
}

// With the lock only the seed's unlocked search reads race, with the one write
// (buyer-0's): 9 pairs. Nothing inside buy races.
TEST(Races, TicketWithLockOnlyTheSearchRaces) {
  RunResult r = run(file_text("scenarios/seed/ticket_lock.json"));
  RaceReport rep = find_races(r);
  EXPECT_EQ(rep.total, 9u);
  EXPECT_EQ(rep.write_write, 0u);  // stale reads only: no update is lost
  for (const auto& race : rep.races) {
    EXPECT_EQ(race.first.tick, 0);
    EXPECT_FALSE(race.first.write);
    EXPECT_EQ(race.second.pid, 2);
  }
}

TEST(Races, TicketWithTheSearchInsideTheLockHasNone) {
  RunResult r = run(file_text("scenarios/sync/ticket_lock_search_inside.json"));
  EXPECT_EQ(find_races(r).total, 0u);
  int sold = 0;
  for (const auto& p : r.prints) sold += p.text.find("抢票成功") != std::string::npos;
  EXPECT_EQ(sold, 1);
}

TEST(Races, LockOrdersEveryAccess) {
  RunResult r = run(R"({"machine": {"cores": 2}, "files": {"f": {"n": 0}}, "locks": ["m"],
    "programs": {"inc": [{"acquire": "m"}, {"read": "f.n", "into": "x"}, {"compute": 1},
                         {"write": "f.n", "value": "x + 1"}, {"release": "m"}]},
    "processes": [{"name": "p-{index}", "program": "inc", "count": 3}]})");
  EXPECT_EQ(find_races(r).total, 0u);
  EXPECT_EQ(std::get<std::int64_t>(r.files.at("f").at("n")), 3);
}

TEST(Races, SpawnAndJoinOrderAccesses) {
  RunResult ordered = run(R"({"files": {"f": {"n": 0}},
    "programs": {"main": [{"write": "f.n", "value": 1}, {"spawn": "child", "into": "c"}, {"join": "c"},
                          {"read": "f.n", "into": "x"}],
                 "child": [{"read": "f.n", "into": "y"}, {"write": "f.n", "value": "y + 1"}]},
    "processes": [{"program": "main"}]})");
  EXPECT_EQ(find_races(ordered).total, 0u);
  RunResult racy = run(R"({"machine": {"cores": 2}, "files": {"f": {"n": 0}},
    "programs": {"main": [{"spawn": "child"}, {"compute": 2}, {"read": "f.n", "into": "x"}],
                 "child": [{"compute": 1}, {"write": "f.n", "value": 5}]},
    "processes": [{"program": "main"}]})");
  RaceReport rep = find_races(racy);
  ASSERT_EQ(rep.total, 1u);
  EXPECT_EQ(explain(rep.races[0], racy),
            "data race on f.n: child-3 wrote at tick 1, main read at tick 2; nothing orders them (no lock, join or "
            "message between)");
}

TEST(Races, NoSharedFilesNoWork) {
  RunResult r = run(R"({"programs": {"p": [{"compute": 1}]}, "processes": [{"program": "p"}]})");
  EXPECT_TRUE(r.keys.empty());
  EXPECT_EQ(find_races(r).total, 0u);
}

}  // namespace
}  // namespace mpsim::test
