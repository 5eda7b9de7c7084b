// Every reproducer a fuzz campaign found (tests/fuzz/regressions/TARGET/*),
// replayed through the same check as its fuzz target (tests/fuzz/checks.hpp),
// in the normal suite: a fixed finding that comes back fails here, with g++
// and in the ASan build, without clang or libFuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "checks.hpp"
#include "invariants.hpp"
#include "mpsim/kernel/machine.hpp"
#include "mpsim/scenario/loader.hpp"
#include "scenario_gen.hpp"

namespace mpsim::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> reproducers(const std::string& target) {
  std::vector<fs::path> files;
  fs::path dir = fs::path(MPSIM_SOURCE_DIR) / "tests/fuzz/regressions" / target;
  if (!fs::exists(dir)) return files;  // git keeps no empty folder
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <typename Check>
void replay_all(const std::string& target, Check check) {
  for (const fs::path& f : reproducers(target)) EXPECT_EQ(check(bytes_of(f)), "") << f.filename();
}

TEST(FuzzRegressions, Loader) {
  replay_all("loader", check_load);
}
TEST(FuzzRegressions, Expr) {
  replay_all("expr", check_expr);
}
TEST(FuzzRegressions, Scenario) {
  replay_all("scenario", check_scenario);
}

// Findings whose exact message matters, beyond "no crash".
TEST(FuzzRegressions, NumberOutOfRangeIsAJsonError) {
  LoadResult r = load_scenario_text(
      bytes_of(fs::path(MPSIM_SOURCE_DIR) / "tests/fuzz/regressions/loader/number-overflow.json"),
      "f.json");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].format(),
            "f.json: invalid JSON: the number '2547e2372' is out of range (at most about 1.8e308)");
}

// About 870 nested '(' in a `while` overflowed the parser's stack under the
// sanitizers (the loader campaign of 2026-12-03): now a syntax error, with
// the file's two other errors.
TEST(FuzzRegressions, DeepParenthesesAreASyntaxError) {
  LoadResult r = load_scenario_text(
      bytes_of(fs::path(MPSIM_SOURCE_DIR) / "tests/fuzz/regressions/loader/deep-parentheses.json"),
      "f.json");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[1].path, "/programs/p/1/while");
  EXPECT_NE(r.errors[1].message.find(": nested deeper than 100 levels (parentheses, calls and "
                                     "unary operators) (at column 107)"),
            std::string::npos)
      << r.errors[1].message;
}

// A file already refused for other errors is not made to render its 10^6
// process names (1.5 s of CPU at -O2, minutes under ASan on a busy machine:
// the loader campaign took it for a hang, twice): its errors come at once.
TEST(FuzzRegressions, AMillionReplicasInARefusedFileAreNotNamedOneByOne) {
  std::clock_t start = std::clock();
  LoadResult r = load_scenario_text(
      bytes_of(fs::path(MPSIM_SOURCE_DIR) /
               "tests/fuzz/regressions/loader/million-replicas-in-a-refused-file.json"),
      "f.json");
  double cpu_s = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].format(),
            "f.json: /machine/scheduler/polic{: unknown key \"polic{\" (did you mean \"policy\"?)");
  EXPECT_LT(cpu_s, 0.5);  // was 1.5 s in the normal build
}

// The invariant checks can fail: the run of the generator's smallest scenario
// passes them, and the same result tampered with does not.
TEST(FuzzRegressions, InvariantChecksCatchATamperedRun) {
  LoadResult loaded = load_scenario_text(generate_scenario(""), "fuzz.json");
  ASSERT_TRUE(loaded.scenario) << (loaded.errors.empty() ? "" : loaded.errors[0].format());
  RunResult r = simulate(*loaded.scenario);
  ASSERT_EQ(check_event_log(r), "");
  ASSERT_EQ(check_metrics(r), "");

  RunResult more_busy = r;
  more_busy.makespan = 5;  // so that the core is not also busier than the run
  more_busy.cores[0].busy += 1;
  EXPECT_EQ(check_metrics(more_busy), "cpu time not conserved: cores busy 1, processes 0");

  RunResult not_reaped = r;
  not_reaped.processes[0].state = ProcState::Zombie;
  EXPECT_EQ(check_metrics(not_reaped), "pid 2: started, no deadlock, yet not reaped");

  RunResult two_cores = r;  // pid 2 also on a second core
  two_cores.events.clear();
  two_cores.cores.emplace_back();
  two_cores.makespan = 5;
  two_cores.events.push_back(Event{0, 2, 0, EventKind::State, 1, 0});  // ready
  two_cores.events.push_back(Event{0, 2, 0, EventKind::State, 2, 0});  // running
  two_cores.events.push_back(Event{0, 2, 0, EventKind::Core, 2, 0});
  two_cores.events.push_back(Event{0, 2, 1, EventKind::Core, 2, 0});
  EXPECT_EQ(check_event_log(two_cores), "pid 2 on two cores at tick 0");

  RunResult back_from_zombie = r;
  back_from_zombie.events.push_back(Event{r.makespan, 2, -1, EventKind::State, 1, 0});  // ready
  EXPECT_EQ(check_event_log(back_from_zombie).rfind("pid 2 went from state 5 to 1", 0), 0u);
}

}  // namespace
}  // namespace mpsim::fuzz
