// The "processes" array of the JSON result is written as text directly
// (report/json_processes.cpp), byte for byte as nlohmann's dump(2) would: the
// whole result must survive a parse and dump(2) unchanged, whatever the
// strings hold (only printable ASCII without quote or backslash is copied
// as it is; the rest is escaped by nlohmann).
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "mpsim/report/report.hpp"
#include "sim_helpers.hpp"

namespace mpsim {
namespace {

TEST(JsonProcesses, TextIsWhatNlohmannWritesForAnyString) {
  RunResult r = test::run(R"({"name":"t","machine":{"cores":1,"scheduler":{"policy":"fcfs"}},
      "programs":{"p":[{"compute":"2"},{"compute":"x"}]},
      "processes":[{"name":"a{index}","program":"p","count":4,"args":{"x":"1"}}]})");
  ASSERT_EQ(r.processes.size(), 4u);
  const std::string tricky[] = {"quote \" and \\ backslash",
                                std::string("tab\t nl\n cr\r \x01 \x1f \x7f \0", 20),  // a NUL too
                                "caf\xc3\xa9 \xe2\x82\xac", ""};
  for (std::size_t i = 0; i < 4; ++i) {
    r.processes[i].name = tricky[i];
    r.processes[i].program = tricky[(i + 1) % 4];
    r.processes[i].error = tricky[(i + 2) % 4];
  }
  r.processes[3].reaped_by = kNoPid;  // a null among the optional fields
  for (bool migrations : {false, true}) {
    if (migrations) r.multicore.emplace();
    std::string text = format_json(r, false);
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
    EXPECT_EQ(j.dump(2), text);
    const auto& ps = j.at("processes");
    ASSERT_EQ(ps.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(ps[i].at("name"), tricky[i]);
      EXPECT_EQ(ps[i].at("program"), tricky[(i + 1) % 4]);
      if (tricky[(i + 2) % 4].empty())
        EXPECT_TRUE(ps[i].at("error").is_null());
      else
        EXPECT_EQ(ps[i].at("error"), tricky[(i + 2) % 4]);
      EXPECT_EQ(ps[i].at("cpu"), 3);
      EXPECT_EQ(ps[i].contains("migrations"), migrations);
    }
    EXPECT_TRUE(ps[3].at("reaped_by").is_null());
  }
}

TEST(JsonProcesses, InvalidUtf8IsRefusedAsBefore) {
  RunResult r = test::run(R"({"name":"t","machine":{"cores":1,"scheduler":{"policy":"fcfs"}},
      "programs":{"p":[{"compute":"1"}]},"processes":[{"name":"a","program":"p"}]})");
  r.processes[0].name = "bad \xff byte";
  EXPECT_THROW((void)format_json(r, false), nlohmann::json::type_error);
}

// json_writer hands format_json's text on in pieces, the processes in pieces
// of at most 64 KB, which `mpsim run --format json` streams to stdout or its file.
std::string concat(const std::function<void(const TextSink&)>& write,
                   std::vector<std::size_t>& sizes) {
  std::string all;
  write([&](std::string_view piece) {
    sizes.push_back(piece.size());
    all.append(piece);
  });
  return all;
}

TEST(JsonWriter, PiecesMakeFormatJson) {
  // 300 processes of about 800 bytes each: four pieces of processes.
  RunResult r = test::run(R"({"name":"t","machine":{"cores":2,"scheduler":{"policy":"rr"}},
      "programs":{"p":[{"compute":"1 + index % 3"},{"io":2}]},
      "processes":[{"name":"worker-number-{index}","program":"p","count":300}]})");
  ASSERT_EQ(r.processes.size(), 300u);
  r.processes[7].name = "caf\xc3\xa9 \"7\"";  // escaped by nlohmann
  for (bool events : {false, true}) {
    std::vector<std::size_t> sizes;
    std::string all = concat(json_writer(r, events), sizes);
    EXPECT_EQ(all, format_json(r, events));
    EXPECT_GE(sizes.size(), 6u);  // before, 4 or more of processes, after
    // The event log comes after the processes, dumped by nlohmann in one piece.
    for (std::size_t i = 0; i + (events ? 1 : 0) < sizes.size(); ++i)
      EXPECT_LE(sizes[i], 64u * 1024);
  }
}

TEST(JsonWriter, AProcessLongerThanAPieceIsOnePiece) {
  RunResult r = test::run(R"({"name":"t","machine":{"cores":1,"scheduler":{"policy":"fcfs"}},
      "programs":{"p":[{"compute":"1"}]},"processes":[{"name":"a{index}","program":"p","count":3}]})");
  r.processes[1].error = std::string(100 * 1024, 'e');
  std::vector<std::size_t> sizes;
  EXPECT_EQ(concat(json_writer(r, false), sizes), format_json(r, false));
  EXPECT_GT(*std::max_element(sizes.begin(), sizes.end()), 100u * 1024);
}

TEST(JsonWriter, WithoutProcessesItIsOnePiece) {
  RunResult r = test::run(R"({"name":"t","machine":{"cores":1,"scheduler":{"policy":"fcfs"}},
      "programs":{"p":[{"compute":"1"}]},"processes":[{"name":"a","program":"p"}]})");
  r.processes.clear();
  std::vector<std::size_t> sizes;
  EXPECT_EQ(concat(json_writer(r, false), sizes), format_json(r, false));
  EXPECT_EQ(sizes.size(), 1u);
}

TEST(JsonWriter, InvalidUtf8IsRefusedBeforeAnyPiece) {
  RunResult r = test::run(R"({"name":"t","machine":{"cores":1,"scheduler":{"policy":"fcfs"}},
      "programs":{"p":[{"compute":"1"}]},"processes":[{"name":"a{index}","program":"p","count":2}]})");
  r.processes[1].error = "bad \xff byte";  // the last string of the last process
  EXPECT_THROW((void)json_writer(r, false), nlohmann::json::type_error);
}

}  // namespace
}  // namespace mpsim
