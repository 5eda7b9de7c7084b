// Work, span and critical paths on scenarios whose values are known by hand.
#include <gtest/gtest.h>

#include "mpsim/analysis/work_span.hpp"
#include "sim_helpers.hpp"

namespace mpsim::test {
namespace {

std::string steps(const WorkSpan& ws) {
  std::string out;
  for (const auto& s : ws.critical_path) out += std::to_string(s.pid) + ":" + s.what + ":" + std::to_string(s.ticks) + " ";
  return out;
}

// One process: compute 3, io 4, sleep 2, compute 5. Work 8; span = the whole
// chain 3+4+2+5 = 14, whatever the machine.
TEST(WorkSpan, ChainIsItsOwnSpan) {
  RunResult r = run(R"({"machine": {"cores": 2},
    "programs": {"p": [{"compute": 3}, {"io": 4}, {"sleep": 2}, {"compute": 5}]},
    "processes": [{"program": "p"}]})");
  WorkSpan ws = work_span(r);
  EXPECT_EQ(ws.work, 8);
  EXPECT_EQ(ws.span, 14);
  EXPECT_EQ(steps(ws), "2:compute:3 2:io:4 2:sleep:2 2:compute:5 ");
  EXPECT_DOUBLE_EQ(ws.bound(2), 14.0);
}

// Fork-join: main computes 2, spawns a (compute 6) and b (compute 3), computes
// 1, joins both, computes 2. Work 2+6+3+1+2 = 14. Span: 2 -> spawn a -> 6 ->
// join -> 2 = 10 (b's 3 and main's 1 are shorter). On 1 core the bound is the
// work, 14; on 4 cores it is the span, 10.
TEST(WorkSpan, ForkJoinTree) {
  const std::string s = R"({"machine": {"cores": CORES, "scheduler": "fcfs"},
    "programs": {
      "main": [{"compute": 2}, {"spawn": "a", "into": "x"}, {"spawn": "b", "into": "y"}, {"compute": 1},
               {"join": "x"}, {"join": "y"}, {"compute": 2}],
      "a": [{"compute": 6}], "b": [{"compute": 3}]},
    "processes": [{"name": "main", "program": "main"}]})";
  for (int cores : {1, 4}) {
    std::string text = s;
    text.replace(text.find("CORES"), 5, std::to_string(cores));
    RunResult r = run(text);
    WorkSpan ws = work_span(r);
    EXPECT_EQ(ws.work, 14) << cores;
    EXPECT_EQ(ws.span, 10) << cores;
    EXPECT_EQ(steps(ws), "2:compute:2 2:spawn:0 3:compute:6 2:join:0 2:compute:2 ") << cores;
    EXPECT_DOUBLE_EQ(ws.bound(cores), cores == 1 ? 14.0 : 10.0);
    EXPECT_EQ(r.makespan, cores == 1 ? 14 : 10);  // the bound is reached
  }
}

// Independent jobs of 4, 7 and 2 ticks: work 13, span 7 (the longest job).
TEST(WorkSpan, IndependentJobs) {
  RunResult r = run(R"({"machine": {"cores": 2, "scheduler": "fcfs"},
    "programs": {"j": [{"compute": "n"}]},
    "processes": [{"name": "a", "program": "j", "args": {"n": 4}}, {"name": "b", "program": "j", "args": {"n": 7}},
                  {"name": "c", "program": "j", "args": {"n": 2}}]})");
  WorkSpan ws = work_span(r);
  EXPECT_EQ(ws.work, 13);
  EXPECT_EQ(ws.span, 7);
  EXPECT_DOUBLE_EQ(ws.bound(2), 7.0);  // max(13/2, 7)
  EXPECT_EQ(r.makespan, 7);            // a then c on core 0 (6), b on core 1 (7)
}

// IO queued behind another on a single device: only the service time is
// inherent. Two processes each io 5 on one channel: the second waits 5 ticks
// for the device, but its span counts only its own 5 ticks of service.
TEST(WorkSpan, DeviceQueueingIsNotInherent) {
  RunResult r = run(R"({"machine": {"cores": 1, "io_channels": 1},
    "programs": {"p": [{"io": 5}]},
    "processes": [{"name": "p-{index}", "program": "p", "count": 2}]})");
  EXPECT_EQ(r.makespan, 10);
  WorkSpan ws = work_span(r);
  EXPECT_EQ(ws.work, 0);
  EXPECT_EQ(ws.span, 5);
}

// A join that times out waited for real: its timeout is on the path.
TEST(WorkSpan, JoinTimeoutIsInherent) {
  RunResult r = run(R"({"machine": {"cores": 2},
    "programs": {"main": [{"spawn": "c", "into": "h"}, {"join": "h", "timeout": 3}, {"compute": 1}, {"join": "h"}],
                 "c": [{"compute": 10}]},
    "processes": [{"program": "main"}]})");
  WorkSpan ws = work_span(r);
  EXPECT_EQ(ws.work, 11);
  EXPECT_EQ(ws.span, 10);  // the child's 10 dominates main's 3 + 1
}

// Pipeline through a queue: P computes 4 and puts; C gets (blocked 0-4) and
// computes 3. Span 4 + 3 = 7: the message is a dependency, not contention.
TEST(WorkSpan, MessageIsADependency) {
  RunResult r = run(R"({"machine": {"cores": 2, "scheduler": "fcfs"}, "queues": {"q": {}},
    "programs": {"p": [{"compute": 4}, {"put": "q", "value": 1}],
                 "c": [{"get": "q"}, {"compute": 3}]},
    "processes": [{"program": "p"}, {"program": "c"}]})");
  WorkSpan ws = work_span(r);
  EXPECT_EQ(ws.work, 7);
  EXPECT_EQ(ws.span, 7);
  EXPECT_EQ(steps(ws), "2:compute:4 3:message:0 3:compute:3 ");
}

// A barrier joins every arrival to every pass: A computes 1, B 5, then both
// compute 2 after the barrier. Span 5 + 2 = 7 (through B), for A too.
TEST(WorkSpan, BarrierWaitsForTheSlowest) {
  RunResult r = run(R"({"machine": {"cores": 2, "scheduler": "fcfs"}, "barriers": {"b": {"parties": 2}},
    "programs": {"w": [{"compute": "1 + 4 * index"}, {"wait": "b"}, {"compute": 2}]},
    "processes": [{"program": "w", "count": 2}]})");
  WorkSpan ws = work_span(r);
  EXPECT_EQ(ws.work, 10);
  EXPECT_EQ(ws.span, 7);
}

// Two processes contend for a lock: the order of the grants is not a
// dependency, so the span is one critical section (3), not two (6).
TEST(WorkSpan, LockOrderIsNotADependency) {
  RunResult r = run(R"({"machine": {"cores": 2, "scheduler": "fcfs"}, "locks": ["m"],
    "programs": {"w": [{"acquire": "m"}, {"compute": 3}, {"release": "m"}]},
    "processes": [{"program": "w", "count": 2}]})");
  EXPECT_EQ(r.makespan, 6);
  WorkSpan ws = work_span(r);
  EXPECT_EQ(ws.span, 3);
}

}  // namespace
}  // namespace mpsim::test
