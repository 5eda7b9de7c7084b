// The scenario loader: exact messages (file, JSON path, expected/found), every
// error in one pass, suggestions, defaults and command-line overrides.
#include <gtest/gtest.h>

#include "mpsim/kernel/policy.hpp"
#include "sim_helpers.hpp"

namespace mpsim::test {
namespace {

// A valid scenario with `machine` and `programs` swapped in, one process per program name given.
std::string scenario(const std::string& machine, const std::string& programs,
                     const std::string& processes) {
  return R"({"machine": )" + machine + R"(, "programs": )" + programs + R"(, "processes": )" +
         processes + "}";
}

std::string errors_of(const std::string& programs) {
  return load_errors(scenario("{}", programs, R"([{"program": "p"}])"));
}

std::string override_errors(const std::string& json, const MachineOverrides& o) {
  Scenario s = load(json);
  std::string all;
  for (const auto& d : apply_overrides(s, o)) all += d.format() + "\n";
  return all;
}

const std::string kTwoCores =
    scenario(R"({"cores": 2, "scheduler": {"policy": "mlfq", "quanta": [1, 2, 3]}})",
             R"({"p": [{"compute": 1}]})", R"([{"program": "p", "affinity": [0, 1]}])");

// Within an object, unknown keys come first, then the values of known ones.
TEST(Loader, ReportsEveryErrorAtOnce) {
  EXPECT_EQ(
      load_errors(R"({
      "machine": {"cores": 0, "cors": 2, "scheduler": {"policy": "rr", "quantum": "4"}},
      "programs": {"b": [{"compute": -1}], "a": [{"comput": 1}]},
      "processes": [{"program": "c"}, {"program": "a", "nice": 20}]})"),
      "test.json: /machine/cors: unknown key \"cors\" (did you mean \"cores\"?)\n"
      "test.json: /machine/cores: expected an integer from 1 to 1024, found 0\n"
      "test.json: /machine/scheduler/quantum: expected an integer, found string \"4\"\n"
      "test.json: /programs/b/0/compute: expected an integer from 0 to 1000000000000, found -1\n"
      "test.json: /programs/a/0/comput: unknown operation \"comput\" (did you mean \"compute\"?)\n"
      "test.json: /processes/0/program: unknown program \"c\"; expected one of: b, a\n"
      "test.json: /processes/1/nice: expected an integer from -20 to 19, found 20\n");
}

TEST(Loader, SyntaxErrorsGiveLineAndColumn) {
  EXPECT_EQ(load_errors("{\n  \"programs\": {}\n  \"processes\": []\n}"),
            "test.json: invalid JSON at line 3, column 13: expected ',' or '}', found a string\n");
  EXPECT_EQ(
      load_errors("{\"programs\": {},}"),
      "test.json: invalid JSON at line 1, column 17: expected a key in double quotes, found '}'\n");
  EXPECT_EQ(
      load_errors(""),
      "test.json: invalid JSON at line 1, column 1: expected a value, found the end of the file\n");
}

TEST(Loader, DuplicateKeysAreReportedAndCheckingGoesOn) {
  EXPECT_EQ(load_errors(scenario(R"({"cores": 2, "cores": 0})", R"({"p": [{"compute": 1}]})",
                                 R"([{"program": "p"}])")),
            "test.json: /machine/cores: duplicate key \"cores\"\n"
            "test.json: /machine/cores: expected an integer from 1 to 1024, found 0\n");
}

TEST(Loader, MissingSections) {
  EXPECT_EQ(load_errors("{}"),
            "test.json: missing key \"programs\": expected an object of named programs, each a "
            "list of operations\n"
            "test.json: missing key \"processes\": expected an array of the processes that start "
            "the run\n");
  EXPECT_EQ(load_errors("[]"), "test.json: expected an object, found an array\n");
}

TEST(Loader, SuggestsOperationsProgramsLocksAndFunctions) {
  EXPECT_EQ(
      errors_of(
          R"j({"p": [{"cmopute": 1}, "yeild", {"spawn": "q"}, {"if": "isalive(1)", "then": []}],
                          "q2": []})j"),
      "test.json: /programs/p/0/cmopute: unknown operation \"cmopute\" (did you mean "
      "\"compute\"?)\n"
      "test.json: /programs/p/1: unknown operation \"yeild\" (did you mean \"yield\"?)\n"
      "test.json: /programs/p/2/spawn: unknown program \"q\"; expected one of: p, q2\n"
      "test.json: /programs/p/3/if: unknown function \"isalive\" in \"isalive(1)\" (did you mean "
      "\"is_alive\"?)\n");
  EXPECT_EQ(errors_of(R"j({"p": [{"acquire": "m"}, {"print": "{nmae_of(1)}"}]})j"),
            "test.json: /programs/p/0/acquire: unknown lock, rlock or semaphore \"m\" (the scenario declares none)\n"
            "test.json: /programs/p/1/print: unknown function \"nmae_of\" in \"{nmae_of(1)}\" (did "
            "you mean "
            "\"name_of\"?)\n");
}

TEST(Loader, OperationShapes) {
  EXPECT_EQ(
      errors_of(
          R"({"p": [{"compute": 1, "io": 1}, {"into": "x"}, {}, {"repeat": 2}, {"if": "true"}]})"),
      "test.json: /programs/p/0: expected exactly one operation per object, found \"compute\" and "
      "\"io\" "
      "(put them in separate objects)\n"
      "test.json: /programs/p/1: expected an operation such as \"compute\", found only \"into\", "
      "which "
      "modifies an operation\n"
      "test.json: /programs/p/2: expected an operation, found an empty object\n"
      "test.json: /programs/p/3: \"repeat\" needs \"do\": the operations to run in the loop\n"
      "test.json: /programs/p/4: \"if\" needs \"then\": the operations to run when true\n");
  EXPECT_EQ(
      errors_of(
          R"({"p": [{"set": "pid", "value": 1}, {"exit": true}, {"join": "1", "timout": 2}]})"),
      "test.json: /programs/p/0/set: \"pid\" is a built-in variable and cannot be assigned\n"
      "test.json: /programs/p/1/exit: expected an integer or an expression string, found boolean "
      "true\n"
      "test.json: /programs/p/2/timout: unknown key \"timout\" (did you mean \"timeout\"?)\n");
}

TEST(Loader, DurationsAreBounded) {
  EXPECT_EQ(errors_of(R"({"p": [{"compute": 1000000000000}, {"sleep": 1000000000001}]})"),
            "test.json: /programs/p/1/sleep: expected an integer from 0 to 1000000000000, found "
            "1000000000001\n");
  EXPECT_EQ(errors_of(R"({"p": [{"io": 18446744073709551615}]})"),
            "test.json: /programs/p/0/io: expected an integer from 0 to 1000000000000, found "
            "18446744073709551615\n");
}

// Parsing and compiling recurse per level: limits keep hostile files from exhausting the stack.
TEST(Loader, NestingAndExpressionLengthAreBounded) {
  std::string deep = std::string(200, '[') + std::string(200, ']');
  std::string path;
  for (int i = 0; i < 99; ++i) path += "/0";
  EXPECT_EQ(load_errors(R"({"name": )" + deep + "}"),
            "test.json: /name" + path +
                ": expected at most 100 levels of nested arrays and objects, found more\n");
  std::string parens = std::string(600, '(') + "1" + std::string(600, ')');
  EXPECT_EQ(
      errors_of(R"({"p": [{"compute": ")" + parens + R"("}, {"print": "{)" + parens + R"(}"}]})"),
      "test.json: /programs/p/0/compute: expected an expression of at most 1000 characters, "
      "found 1201\n"
      "test.json: /programs/p/1/print: expected {expressions} of at most 1000 characters, found "
      "one of 1201\n");
}

TEST(Loader, SchedulerParametersDependOnThePolicy) {
  auto sched = [](const std::string& s) {
    return load_errors(
        scenario(R"({"scheduler": )" + s + "}", R"({"p": []})", R"([{"program": "p"}])"));
  };
  EXPECT_EQ(sched(R"({"policy": "fcfs", "quantum": 4})"),
            "test.json: /machine/scheduler/quantum: unknown key \"quantum\": policy fcfs takes no "
            "parameters "
            "(quantum is for rr, mlfq, fair, lottery, stride)\n");
  EXPECT_EQ(sched(R"({"policy": "rr", "quantun": 4})"),
            "test.json: /machine/scheduler/quantun: unknown key \"quantun\" (did you mean "
            "\"quantum\"?)\n");
  EXPECT_EQ(sched(R"("priorty")"),
            "test.json: /machine/scheduler: unknown policy \"priorty\" (did you mean "
            "\"priority\"?); expected one "
            "of: fcfs, sjf, srtf, rr, priority, mlfq, fair, cfs, lottery, stride\n");
  EXPECT_EQ(sched(R"({"policy": "mlfq", "levels": 2, "quanta": [1, 2, 3]})"),
            "test.json: /machine/scheduler/quanta: expected one value per level (2), found 3\n");
  EXPECT_EQ(sched(R"({"policy": "mlfq", "levels": 65})"),
            "test.json: /machine/scheduler/levels: expected an integer from 1 to 64, found 65\n");
  EXPECT_EQ(sched("4"),
            "test.json: /machine/scheduler: expected a policy name or an object such as "
            "{\"policy\": \"rr\", "
            "\"quantum\": 4}, found integer 4\n");
}

TEST(Loader, InitialProcessesAreCheckedAsTheyWillBeCreated) {
  auto procs = [](const std::string& p) { return load_errors(scenario("{}", R"({"p": []})", p)); };
  EXPECT_EQ(
      procs(R"j([{"program": "p", "count": 3, "args": {"n": "6 / (index - 1)"}}])j"),
      "test.json: /processes/0/args/n: \"6 / (index - 1)\" fails for index 1: division by zero\n");
  EXPECT_EQ(procs(R"([{"name": "w{index / 2}", "program": "p", "count": 3}])"),
            "test.json: /processes/0/name: name \"w{index / 2}\" gives \"w0\" to both index 0 and "
            "index 1: "
            "each process needs its own name\n");
  EXPECT_EQ(procs(R"([{"program": "p", "count": 2}, {"name": "p-1", "program": "p"}])"),
            "test.json: /processes/1/name: duplicate process name \"p-1\": /processes/0 (index 1) "
            "has it too\n");
  EXPECT_EQ(procs(R"([{"name": "x", "program": "p", "count": 2}])"),
            "test.json: /processes/0/name: name \"x\" would be the same for all 2 processes: put "
            "{index} in it\n");
  EXPECT_EQ(
      procs(R"([{"program": "p", "args": {"a": "now", "pid": 1}}])"),
      "test.json: /processes/0/args/a: unknown variable \"now\": a process's name and args may use "
      "only "
      "index, pid and ppid\n"
      "test.json: /processes/0/args/pid: \"pid\" is a built-in variable and cannot be assigned\n");
  EXPECT_EQ(procs(R"([{"program": "p", "affinity": [1]}])"),
            "test.json: /processes/0/affinity/0: expected a core id from 0 to 0 (the machine has 1 "
            "core), found 1\n");
  EXPECT_EQ(
      procs(
          R"([{"program": "p", "count": 600000}, {"program": "p", "count": 600000, "name": "q{index}"}])"),
      "test.json: /processes: expected at most 1000000 initial processes in all, found 1200000\n");
}

TEST(Loader, DefaultsAreFilledIn) {
  Scenario s = load(
      R"({"programs": {"a{b}": [{"compute": 1}]}, "processes": [{"program": "a{b}", "count": 2}]})");
  EXPECT_EQ(s.machine.cores, 1);
  EXPECT_EQ(s.machine.tick_us, 1000);
  EXPECT_EQ(s.machine.context_switch, 0);
  EXPECT_TRUE(s.machine.switch_on_io);
  EXPECT_EQ(s.machine.io_completion, IoCompletion::Enqueue);
  EXPECT_EQ(s.machine.exit_semantics, ExitSemantics::Posix);
  EXPECT_EQ(s.machine.scheduler.policy, "rr");
  EXPECT_EQ(param_int(s.machine.scheduler, "quantum"), 4);
  ASSERT_EQ(s.processes.size(), 1u);
  EXPECT_EQ(s.processes[0].name,
            "a{{b}}-{index}");  // the braces of the program name are not a hole
  EXPECT_EQ(s.processes[0].arrival, 0);
  EXPECT_EQ(s.processes[0].nice, 0);
  RunResult r = simulate(s, {});
  EXPECT_EQ(r.processes[1].name, "a{b}-1");

  Scenario m = load(
      R"({"machine": {"scheduler": "mlfq"}, "programs": {"p": []}, "processes": [{"program": "p"}]})");
  EXPECT_EQ(param_int(m.machine.scheduler, "levels"), 3);
  EXPECT_EQ(param_int(m.machine.scheduler, "quantum"), 10);
  EXPECT_TRUE(param_list(m.machine.scheduler, "quanta").empty());
  Scenario p = load(R"({"machine": {"scheduler": {"policy": "priority"}}, "programs": {"p": []},
                        "processes": [{"program": "p"}]})");
  EXPECT_TRUE(param_bool(p.machine.scheduler, "preemptive"));
  EXPECT_EQ(param_int(p.machine.scheduler, "aging"), 0);
}

TEST(Loader, MissingFileIsReported) {
  LoadResult r = load_scenario_file("/nonexistent/scenario.json");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].format(), "/nonexistent/scenario.json: cannot open the file");
  EXPECT_FALSE(r.scenario);
}

TEST(Overrides, FewerCoresThanAnAffinityNeeds) {
  MachineOverrides o;
  o.cores = 1;
  EXPECT_EQ(
      override_errors(kTwoCores, o),
      "test.json: /processes/0/affinity/1: expected a core id from 0 to 0 (--cores 1), found 1\n");
  o.cores = 0;
  EXPECT_EQ(override_errors(kTwoCores, o),
            "command line: --cores: expected an integer from 1 to 1024, found 0\n");
}

TEST(Overrides, QuantumNeedsAPolicyWithOne) {
  MachineOverrides o;
  o.policy = "fcfs";
  o.quantum = 3;
  EXPECT_EQ(override_errors(kTwoCores, o),
            "command line: --quantum: policy fcfs has no quantum (only rr, mlfq, fair, lottery, stride have "
            "one)\n");
  o.policy = "rr";
  o.quantum = 0;
  EXPECT_EQ(override_errors(kTwoCores, o),
            "command line: --quantum: expected an integer from 1 to 1000000000000, found 0\n");
}

TEST(Overrides, UnknownPolicyIsSuggested) {
  MachineOverrides o;
  o.policy = "srft";
  EXPECT_EQ(override_errors(kTwoCores, o),
            "command line: --policy: unknown policy \"srft\" (did you mean \"srtf\"?); expected "
            "one of: fcfs, sjf, "
            "srtf, rr, priority, mlfq, fair, cfs, lottery, stride\n");
}

TEST(Overrides, ValuesReplaceTheFilesSettings) {
  Scenario s = load(kTwoCores);
  MachineOverrides o;
  o.quantum = 7;  // mlfq: replaces the file's per-level quanta too, or it would have no effect
  o.context_switch = 2;
  ASSERT_TRUE(apply_overrides(s, o).empty());
  EXPECT_EQ(param_int(s.machine.scheduler, "quantum"), 7);
  EXPECT_TRUE(param_list(s.machine.scheduler, "quanta").empty());
  EXPECT_EQ(s.machine.context_switch, 2);

  MachineOverrides p;
  p.policy = "rr";  // another policy starts from its own defaults
  ASSERT_TRUE(apply_overrides(s, p).empty());
  EXPECT_EQ(s.machine.scheduler.policy, "rr");
  EXPECT_EQ(s.machine.scheduler.params.size(), 1u);
  EXPECT_EQ(param_int(s.machine.scheduler, "quantum"), 4);
}

TEST(Suggestions, AllowSwapsButNotWholeWords) {
  EXPECT_EQ(closest_match("cmopute", {"compute", "io"}), "compute");
  EXPECT_EQ(closest_match("cors", {"cores", "tick_us"}), "cores");
  EXPECT_EQ(closest_match("n", {"m"}), "");
  EXPECT_EQ(closest_match("xyz", {"compute"}), "");
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace mpsim::test
