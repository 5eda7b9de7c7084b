// The per-process state of large runs: variables and loop counters kept in
// the process (with a spill-over past the first few), and the process table
// whose chunks must never move while the simulation holds references.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mpsim/kernel/process.hpp"
#include "kernel/process_table.hpp"
#include "sim_helpers.hpp"

namespace mpsim {
namespace {

std::int64_t int_of(const Variables& v, const std::string& name) {
  const Value* x = v.find(name);
  if (!x) throw std::invalid_argument("no variable " + name);
  return std::get<std::int64_t>(*x);
}

TEST(ProcessState, VariablesBeyondTheInlineOnesAreFoundAndUpdated) {
  Variables v;
  const std::vector<std::string> names = {"index", "cpu", "wait", "a_longer_name_than_sso", "x"};
  for (std::size_t i = 0; i < names.size(); ++i)
    v.set(names[i], Value{static_cast<std::int64_t>(10 * i)});
  for (std::size_t i = 0; i < names.size(); ++i)
    EXPECT_EQ(int_of(v, names[i]), 10 * static_cast<std::int64_t>(i));
  v.set("cpu", Value{std::string("text")});  // inline one, now a string
  v.set("x", Value{true});                   // spilled one
  EXPECT_EQ(std::get<std::string>(*v.find("cpu")), "text");
  EXPECT_EQ(std::get<bool>(*v.find("x")), true);
  EXPECT_EQ(v.find("cp"), nullptr);
  EXPECT_EQ(v.find("cpux"), nullptr);
  EXPECT_EQ(v.find(""), nullptr);
}

TEST(ProcessState, ACopyOfVariablesIsIndependent) {
  Variables parent;
  for (const char* n : {"a", "b", "c", "d"}) parent.set(n, Value{std::int64_t{1}});
  Variables child = parent;
  child.set("a", Value{std::int64_t{2}});
  child.set("d", Value{std::int64_t{3}});
  child.set("e", Value{std::int64_t{4}});
  EXPECT_EQ(int_of(parent, "a"), 1);
  EXPECT_EQ(int_of(parent, "d"), 1);
  EXPECT_EQ(parent.find("e"), nullptr);
  EXPECT_EQ(int_of(child, "a"), 2);
  EXPECT_EQ(int_of(child, "d"), 3);
  EXPECT_EQ(int_of(child, "e"), 4);
}

// Names are found by name_key (length and first 7 bytes) and, past 7 bytes,
// the rest: names that agree on the key but not beyond must stay apart, inline
// and spilled, and a caller's precomputed key finds the same variable.
TEST(ProcessState, VariablesSharingTheirFirstBytesStayApart) {
  const std::string long_a(300, 'a'), long_b = std::string(299, 'a') + "b";  // both capped at 255
  const std::vector<std::string> names = {"counter_a", "counter_b", "count",
                                          long_a,      long_b,      "counter"};
  Variables v;
  for (std::size_t i = 0; i < names.size(); ++i)
    v.set(names[i], Value{static_cast<std::int64_t>(i)});
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(int_of(v, names[i]), static_cast<std::int64_t>(i)) << i;
    const Value* keyed = v.find(names[i], name_key(names[i]));
    ASSERT_NE(keyed, nullptr) << i;
    EXPECT_EQ(std::get<std::int64_t>(*keyed), static_cast<std::int64_t>(i)) << i;
  }
  EXPECT_EQ(name_key(long_a), name_key(long_b));
  EXPECT_EQ(v.find("counter_c"), nullptr);
  EXPECT_EQ(v.find(std::string(300, 'b')), nullptr);
  EXPECT_EQ(v.find(std::string(256, 'a')), nullptr);  // same key as long_a, other length
  v.set("counter_b", Value{std::string("x")});
  EXPECT_EQ(int_of(v, "counter_a"), 0);
  EXPECT_EQ(std::get<std::string>(*v.find("counter_b")), "x");
}

// name_key reads short names as overlapping words: check it against its
// definition for every length up to 9 and bytes differing at each position.
TEST(ProcessState, NameKeyIsLengthAndFirstSevenBytes) {
  auto reference = [](const std::string& n) {
    std::uint64_t k = n.size() < 255 ? n.size() : 255;
    for (std::size_t i = 0; i < n.size() && i < 7; ++i)
      k |= std::uint64_t{static_cast<unsigned char>(n[i])} << (8 * (i + 1));
    return k;
  };
  for (std::size_t len = 0; len <= 9; ++len)
    for (std::size_t at = 0; at <= len; ++at) {
      std::string n;
      for (std::size_t i = 0; i < len; ++i) n += static_cast<char>('a' + i);
      if (at < len) n[at] = '\xff';
      EXPECT_EQ(name_key(n), reference(n)) << len << " " << at;
    }
  EXPECT_EQ(name_key(std::string(400, 'z')), reference(std::string(400, 'z')));
}

TEST(ProcessState, LoopCountersPastTheInlineOnesAreKeptApart) {
  LoopCounters c;
  c.reset(5);
  for (std::size_t i = 0; i < 5; ++i) c[i] = static_cast<std::int64_t>(100 + i);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(c[i], static_cast<std::int64_t>(100 + i));
  c.reset(3);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(c[i], 0);
}

TEST(ProcessState, TableKeepsAddressesAcrossChunksAndDrainsInPidOrder) {
  detail::ProcessTable t;
  std::vector<const Process*> at;
  constexpr std::size_t kCount = 40000;  // three chunks of 16384
  for (std::size_t i = 0; i < kCount; ++i) {
    Process& p = t.emplace_back();
    p.pid = static_cast<Pid>(i);
    at.push_back(&p);
  }
  ASSERT_EQ(t.size(), kCount);
  for (std::size_t i :
       {std::size_t{0}, std::size_t{16383}, std::size_t{16384}, std::size_t{32768}, kCount - 1}) {
    EXPECT_EQ(&t[i], at[i]) << i;  // never moved by later growth
    EXPECT_EQ(t[i].pid, static_cast<Pid>(i));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&t[i]) % 64, 0u) << i;
  }
  std::vector<Pid> seen;
  t.drain(2, [&](Process& p) { seen.push_back(p.pid); });
  ASSERT_EQ(seen.size(), kCount - 2);
  for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<Pid>(i + 2));
  EXPECT_EQ(t.size(), 0u);
}

TEST(ProcessState, ChildrenCreatedPastAChunkBoundaryRunNormally) {
  // The root holds a reference to itself while the table grows under it
  // (ASan would report a moved chunk); every child gets its own variables:
  // its argument n (copied from the root's i) and its index.
  RunResult r = test::run(R"({"name": "wide", "machine": {"cores": 2},
    "programs": {
      "root": [{"set": "i", "value": 0},
               {"repeat": 17000, "do": [{"spawn": "leaf", "args": {"n": "i * 3"}},
                                        {"set": "i", "value": "i + 1"}, {"compute": 1}]}],
      "leaf": [{"compute": 1}, {"exit": "(n + index) % 7"}]},
    "processes": [{"name": "root", "program": "root"}]})");
  ASSERT_EQ(r.processes.size(), 17001u);
  EXPECT_EQ(r.processes.back().pid, 17002);
  for (std::size_t i = 1; i < r.processes.size(); ++i) {
    const ProcessResult& c = r.processes[i];
    ASSERT_EQ(c.exit_code, static_cast<std::int64_t>(4 * (i - 1) % 7))
        << c.pid;  // n = 3 i, index = i
    ASSERT_EQ(c.original_parent, 2) << c.pid;
    ASSERT_EQ(c.cpu, 1) << c.pid;
  }
  // The root spawns child k at tick k on core 0; core 1 runs it over [k, k+1].
  EXPECT_EQ(r.makespan, 17000);
}

}  // namespace
}  // namespace mpsim
