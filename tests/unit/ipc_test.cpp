// Shared values, arrays and pipes (semantics.md §14): exact ticks, values and
// messages, hand-computed in the comments. Every case runs with and without
// event skipping (run_both).
#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/analysis/races.hpp"
#include "schedule_helpers.hpp"

namespace mpsim::test {
namespace {

const char* const kOne = R"("cores": 1, "scheduler": "fcfs")";
const char* const kTwo = R"("cores": 2, "scheduler": "fcfs")";

std::vector<std::string> texts(const RunResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.prints) out.push_back(std::to_string(p.tick) + " " + p.text);
  return out;
}

using Lines = std::vector<std::string>;

const char* const kIncrementTwice =
    R"([{"repeat": 2, "do": [{"load": "counter", "into": "v"}, {"compute": 1},
                             {"store": "counter", "value": "v + 1"}]}])";

TEST(SharedValue, ReadModifyWriteOnTwoCoresLosesUpdatesAndRaces) {
  // A and B load 0 at tick 0, compute 0-1 side by side and both store 1; at 1
  // both load 1 and at 2 both store 2: two of the four increments are lost.
  RunResult r = run_both(jobs_scenario(kTwo, {job("A", kIncrementTwice), job("B", kIncrementTwice)},
                                       R"("values": {"counter": {}})"));
  EXPECT_EQ(r.files.at("counter").at("value"), Value{std::int64_t{2}});
  EXPECT_EQ(by_name(r, "A").finish, 2);
  EXPECT_EQ(by_name(r, "B").finish, 2);
  RaceReport races = find_races(r);
  ASSERT_GT(races.total, 0u);
  EXPECT_EQ(races.races[0].key, "counter.value");
}

TEST(SharedValue, HoldingItsLockKeepsEveryUpdate) {
  // A takes counter.lock at 0 and computes 0-1; B waits. At 1 A stores 1 and
  // releases (B gets the lock), then A waits: they alternate each tick,
  // A 0-1 and 2-3, B 1-2 and 3-4. The counter ends at 4, with no race.
  const char* locked =
      R"([{"repeat": 2, "do": [{"acquire": "counter.lock"}, {"load": "counter", "into": "v"},
      {"compute": 1}, {"store": "counter", "value": "v + 1"}, {"release": "counter.lock"}]}])";
  RunResult r = run_both(
      jobs_scenario(kTwo, {job("A", locked), job("B", locked)}, R"("values": {"counter": {}})"));
  EXPECT_EQ(r.files.at("counter").at("value"), Value{std::int64_t{4}});
  EXPECT_EQ(by_name(r, "A").finish, 3);
  EXPECT_EQ(by_name(r, "B").finish, 4);
  EXPECT_EQ(by_name(r, "A").blocked_lock, 1);
  EXPECT_EQ(by_name(r, "B").blocked_lock, 2);
  EXPECT_EQ(find_races(r).total, 0u);
}

TEST(SharedArray, ElementsAreFileKeysIndexedByExpressions) {
  RunResult r = run_both(jobs_scenario(
      kOne, {job("A", R"([{"set": "i", "value": 2}, {"store": "a", "index": "i", "value": "'x'"},
                    {"load": "a", "index": "i - 2", "into": "first"}, {"read": "a.2", "into": "last"},
                    {"print": "{first} {last}"}])")},
      R"("arrays": {"a": {"values": ["p", "q", "r"], "lock": false}})"));
  EXPECT_EQ(texts(r), (Lines{"0 p x"}));
  EXPECT_EQ(r.files.at("a").at("1"), Value{std::string("q")});
  EXPECT_EQ(r.files.at("a").at("2"), Value{std::string("x")});
}

TEST(SharedArray, IndexOutOfRangeAndWrongTypeAreRuntimeErrors) {
  RunResult r = run_both(jobs_scenario(
      kOne,
      {job("A",
           R"([{"set": "i", "value": 4}, {"store": "sq", "index": "i", "value": 1}, {"print": "never"}])"),
       job("B", R"([{"store": "sq", "index": 0, "value": true}])")},
      R"("arrays": {"sq": {"length": 4}})"));
  EXPECT_EQ(by_name(r, "A").error,
            "/programs/A/1: index 4 out of range for array `sq` of 4 elements (Python raises "
            "IndexError)");
  EXPECT_EQ(by_name(r, "B").error,
            "/programs/B/0: store of bool into array `sq` of int (Python raises TypeError)");
  EXPECT_TRUE(r.prints.empty());
}

TEST(SharedValue, DeclarationMistakesAreNamedWithTheirPath) {
  EXPECT_EQ(load_errors(jobs_scenario(kOne, {job("A", R"([{"acquire": "v.lock"}])")},
                                      R"("values": {"v": {"lock": false}})")),
            "test.json: /programs/A/0/acquire: unknown lock, rlock or semaphore \"v.lock\" (the "
            "scenario declares "
            "none)\n");
  EXPECT_EQ(
      load_errors(jobs_scenario(kOne, {job("A", R"([{"load": "v", "index": 0, "into": "x"}])")},
                                R"("values": {"v": {}})")),
      "test.json: /programs/A/0: \"load\" of value `v` takes no \"index\" (it is not an array)\n");
}

// ---------------------------------------------------------------- pipes

TEST(Pipe, OneWayProducerConsumerWithCapacityAndEndOfFile) {
  // P computes 0-1, 1-2, 2-3 and sends after each; C blocks in recv at 0.
  // 1: message 1 goes straight to C, which computes 1-3. 2: message 2 waits
  // in the pipe (now full). 3: P's send of 3 and C's recv of 2 meet in one
  // boundary; either way P closes at 3. C gets 3 at 5 and end of file at 7.
  const char* producer = R"([{"compute": 1}, {"send": "p.w", "value": 1}, {"compute": 1},
      {"send": "p.w", "value": 2}, {"compute": 1}, {"send": "p.w", "value": 3}, {"close": "p.w"}])";
  const char* consumer = R"([{"recv": "p.r", "into": "x", "ok": "o"},
      {"while": "o", "do": [{"compute": 2}, {"print": "got {x}"}, {"recv": "p.r", "into": "x", "ok": "o"}]},
      {"print": "eof, last {x}"}])";
  RunResult r = run_both(jobs_scenario(kTwo, {job("P", producer), job("C", consumer)},
                                       R"("pipes": {"p": {"duplex": false, "capacity": 1}})"));
  EXPECT_EQ(texts(r), (Lines{"3 got 1", "5 got 2", "7 got 3", "7 eof, last 3"}));
  EXPECT_EQ(by_name(r, "P").finish, 3);
  EXPECT_EQ(by_name(r, "C").finish, 7);
  EXPECT_EQ(by_name(r, "C").blocked_queue, 1);
  EXPECT_EQ(r.objects, (std::vector<std::string>{"pipe end p.r"}));
}

TEST(Pipe, DuplexEndsSendToEachOther) {
  // A sends at 0 and waits; B gets it at 0, computes 0-2, answers; A prints at 2.
  RunResult r = run_both(jobs_scenario(
      kTwo,
      {job("A",
           R"([{"send": "c.a", "value": "'ping'"}, {"recv": "c.a", "into": "m"}, {"print": "A {m}"}])"),
       job("B",
           R"([{"recv": "c.b", "into": "m"}, {"compute": 2}, {"send": "c.b", "value": "m + '-pong'"}])")},
      R"("pipes": {"c": {}})"));
  EXPECT_EQ(texts(r), (Lines{"2 A ping-pong"}));
  EXPECT_EQ(by_name(r, "A").blocked_queue, 2);
}

TEST(Pipe, PollWaitsForAMessageOrTheTimeout) {
  // Q polls with timeout 3 at 0 and wakes at 2, when S sends; R polls with
  // timeout 1 and gives up at 1. Polling takes nothing: Q's recv gets it.
  RunResult r = run_both(jobs_scenario(
      "\"cores\": 3, \"scheduler\": \"fcfs\"",
      {job("Q", R"([{"poll": "c.b", "into": "ready", "timeout": 3}, {"print": "Q {ready}"},
                    {"recv": "c.b", "into": "m"}, {"print": "Q got {m}"}])"),
       job("R", R"([{"poll": "d.b", "into": "ready", "timeout": 1}, {"print": "R {ready}"},
                    {"poll": "d.b", "into": "ready"}, {"print": "R again {ready}"}])"),
       job("S", R"([{"compute": 2}, {"send": "c.a", "value": 7}])")},
      R"("pipes": {"c": {}, "d": {}})"));
  EXPECT_EQ(texts(r), (Lines{"1 R false", "1 R again false", "2 Q true", "2 Q got 7"}));
}

TEST(Pipe, EndOfFileWithoutOkIsARuntimeError) {
  // B blocks in recv at 0; A (1 core, after B) closes the other end at 0.
  RunResult r =
      run_both(jobs_scenario(kOne,
                             {job("B", R"([{"recv": "t.b", "into": "m"}, {"print": "never"}])"),
                              job("A", R"([{"close": "t.a"}])")},
                             R"("pipes": {"t": {}})"));
  EXPECT_EQ(by_name(r, "B").error,
            "/programs/B/0: recv on pipe end `t.b`: the other end was closed and no message is "
            "left (Python "
            "raises EOFError; give \"ok\" to test for it instead)");
  EXPECT_EQ(by_name(r, "B").finish, 0);
  EXPECT_FALSE(r.deadlock);
}

TEST(Pipe, ClosedEndsAndBrokenPipesAreRuntimeErrors) {
  RunResult r = run_both(jobs_scenario(
      kOne,
      {job("A", R"([{"close": "t.a"}, {"close": "t.a"}, {"recv": "t.a", "into": "m"}])"),
       job("B", R"([{"send": "t.b", "value": 1}])")},
      R"("pipes": {"t": {}})"));
  EXPECT_EQ(by_name(r, "A").error,
            "/programs/A/2: recv on pipe end `t.a`, which is closed (Python raises OSError: handle "
            "is closed)");
  EXPECT_EQ(by_name(r, "B").error,
            "/programs/B/0: send on pipe end `t.b`: the other end is closed (Python raises "
            "BrokenPipeError)");
}

TEST(Pipe, BothWaitingToReceiveIsADeadlock) {
  const char* ops = R"([{"recv": "t.X", "into": "m"}])";
  std::string a = ops, b = ops;
  a.replace(a.find('X'), 1, "a");
  b.replace(b.find('X'), 1, "b");
  RunResult r = run_both(jobs_scenario(kTwo, {job("L", a), job("R", b)}, R"("pipes": {"t": {}})"));
  EXPECT_TRUE(r.deadlock);
  ASSERT_EQ(r.stuck.size(), 2u);
  EXPECT_EQ(r.stuck[0].waits_for, "a message at pipe end `t.a`, which is empty");
  EXPECT_EQ(r.stuck[0].object, "pipe end t.a");
}

TEST(Pipe, MessagesAndCloseOrderTheAccessesAroundThem) {
  // P writes the file, sends, writes again and closes; C reads after end of
  // file: the message orders the first write, only the close the second.
  RunResult r = run_both(jobs_scenario(
      kTwo,
      {job("P", R"([{"write": "f.k", "value": 1}, {"send": "p.w", "value": 0}, {"compute": 1},
                    {"write": "f.k", "value": 2}, {"close": "p.w"}])"),
       job("C", R"([{"recv": "p.r", "into": "m"}, {"recv": "p.r", "into": "m", "ok": "o"},
                    {"read": "f.k", "into": "y"}, {"print": "{y} {o}"}])")},
      R"("files": {"f": {"k": 0}}, "pipes": {"p": {"duplex": false}})"));
  EXPECT_EQ(texts(r), (Lines{"1 2 false"}));
  EXPECT_EQ(find_races(r).total, 0u);
}

}  // namespace
}  // namespace mpsim::test
