// Programs driven from outside (mpsim/kernel/external.hpp): the kernel asks
// the driver for a process's next operations each time it runs out of them,
// at that boundary, and every kernel rule applies to what the driver gives.
#include <deque>
#include <map>

#include "mpsim/kernel/external.hpp"
#include "sim_helpers.hpp"

namespace mpsim::test {
namespace {

Instr instr(OpCode op, std::int64_t amount = 0) {
  Instr in;
  in.op = op;
  in.amount = Expr::constant(amount);
  return in;
}

// Each process in turn gets: compute 3; print "at {now}"; then exit 7 (or,
// with `exit_now`, is ended at once with code 5 through the host).
class ThreeSteps final : public ExternalDriver {
 public:
  bool exit_now = false;
  std::map<Pid, int> asked;
  std::deque<Program> programs;

  void next(ExternalHost& host, Process& p) override {
    int n = asked[p.pid]++;
    if (n == 2 && exit_now) {
      host.exit_now(p, 5);
      return;
    }
    Program& prog = programs.emplace_back();
    prog.external = true;
    if (n == 0) prog.code.push_back(instr(OpCode::Compute, 3));
    if (n == 1) {
      Instr print = instr(OpCode::Print);
      print.text = Template::parse("at {now}");
      prog.code.push_back(print);
    }
    if (n >= 2) prog.code.push_back(instr(OpCode::Exit, 7));
    prog.code.push_back(Instr{});  // End
    p.program = &prog;
    p.pc = 0;
  }
};

Scenario external_scenario() {
  Scenario s =
      load(R"({"name": "ext", "machine": {"cores": 1, "scheduler": {"policy": "rr", "quantum": 2}},
    "programs": {"x": [{"compute": 0}]}, "processes": [{"name": "a", "program": "x"}, {"name": "b", "program": "x"}]})");
  auto prog = std::make_shared<Program>();
  prog->name = "x";
  prog->code.resize(1);  // End
  prog->external = true;
  s.programs["x"] = prog;
  return s;
}

TEST(External, TheKernelAsksForEachBatchAndSchedulesIt) {
  ThreeSteps driver;
  RunOptions opts;
  opts.external = &driver;
  RunResult r = simulate(external_scenario(), opts);
  // rr, quantum 2, 1 core: a runs 0-2, b 2-4, a 4-5 (done), b 5-6 (done).
  ASSERT_EQ(r.prints.size(), 2u);
  EXPECT_EQ(r.prints[0].tick, 5);
  EXPECT_EQ(r.prints[0].text, "at 5");
  EXPECT_EQ(r.prints[1].tick, 6);
  EXPECT_EQ(r.prints[1].text, "at 6");
  EXPECT_EQ(by_name(r, "a").exit_code, 7);
  EXPECT_EQ(by_name(r, "a").finish, 5);
  EXPECT_EQ(by_name(r, "b").finish, 6);
  EXPECT_EQ(r.makespan, 6);
  EXPECT_EQ(driver.asked[2], 3);  // compute, print, exit: asked once per batch
}

TEST(External, ExitNowEndsTheProcessAtOnce) {
  ThreeSteps driver;
  driver.exit_now = true;
  RunOptions opts;
  opts.external = &driver;
  RunResult r = simulate(external_scenario(), opts);
  EXPECT_EQ(by_name(r, "a").exit_code, 5);
  EXPECT_EQ(by_name(r, "b").exit_code, 5);
  EXPECT_EQ(r.makespan, 6);
}

// An object the driver declares during the run is a kernel object like any
// other: the second acquirer waits in its FIFO queue until the release.
class LockSteps final : public ExternalDriver {
 public:
  std::int32_t lock = -1;
  std::map<Pid, int> asked;
  std::deque<Program> programs;

  void next(ExternalHost& host, Process& p) override {
    if (lock < 0) lock = host.add_object(SyncObject{"m", SyncKind::Lock, 0, false, -1});
    int n = asked[p.pid]++;
    Program& prog = programs.emplace_back();
    prog.external = true;
    Instr in = instr(n == 0   ? OpCode::Acquire
                     : n == 1 ? OpCode::Compute
                     : n == 2 ? OpCode::Release
                              : OpCode::Exit,
                     n == 1 ? 3 : 0);
    in.obj = lock;
    in.object = "m";
    prog.code.push_back(in);
    prog.code.push_back(Instr{});
    p.program = &prog;
    p.pc = 0;
  }
};

TEST(External, DeclaredObjectsHaveTheKernelsRules) {
  LockSteps driver;
  RunOptions opts;
  opts.external = &driver;
  RunResult r = simulate(external_scenario(), opts);
  // a takes m and computes 3: preempted at 2 while holding it, b runs and
  // blocks on m; a resumes, releases at 3 and exits; b gets m, computes 3-6.
  EXPECT_EQ(by_name(r, "a").finish, 3);
  EXPECT_EQ(by_name(r, "b").finish, 6);
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_EQ(r.objects[0], "lock m");
  EXPECT_EQ(r.object_stats.at(0).waits, 1);
}

}  // namespace
}  // namespace mpsim::test
