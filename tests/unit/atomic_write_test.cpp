// tools/cli/atomic_write.cpp: an output file is written whole or not at all,
// also when its text comes in pieces (`mpsim run --format json` streams its
// result): no temporary file is left, whatever happens.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "commands.hpp"

namespace mpsim::cli {
namespace {

namespace fs = std::filesystem;

class AtomicWrite : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mpsim-atomic-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Everything in the folder, hidden temporary files included.
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path dir_;
};

TEST_F(AtomicWrite, PiecesMakeTheWholeFile) {
  std::string want;
  auto produce = [&want](const TextSink& sink) {
    for (int i = 0; i < 1000; ++i) {
      std::string piece = "piece " + std::to_string(i) + "\n";
      want += piece;
      sink(piece);
    }
  };
  EXPECT_EQ(write_file_atomically(path("out.json"), produce, false), "");
  EXPECT_EQ(read(path("out.json")), want);
  EXPECT_EQ(entries(), std::vector<std::string>{"out.json"});
}

TEST_F(AtomicWrite, AProducerThatThrowsLeavesTheOldFileAndNoOther) {
  std::ofstream(path("out.json")) << "old\n";
  auto produce = [](const TextSink& sink) {
    sink("half of the ");
    throw std::runtime_error("broken");
  };
  EXPECT_THROW((void)write_file_atomically(path("out.json"), produce, true), std::runtime_error);
  EXPECT_EQ(read(path("out.json")), "old\n");
  EXPECT_THROW((void)write_file_atomically(path("new.json"), produce, false), std::runtime_error);
  EXPECT_EQ(entries(), std::vector<std::string>{"out.json"});
}

TEST_F(AtomicWrite, AnExistingFileIsReplacedOnlyWhenAsked) {
  std::ofstream(path("out.json")) << "old\n";
  auto produce = [](const TextSink& sink) { sink("new\n"); };
  EXPECT_EQ(write_file_atomically(path("out.json"), produce, false),
            "it already exists; pass --force to replace it");
  EXPECT_EQ(read(path("out.json")), "old\n");
  EXPECT_EQ(write_file_atomically(path("out.json"), produce, true), "");
  EXPECT_EQ(read(path("out.json")), "new\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"out.json"});
}

TEST_F(AtomicWrite, AMissingFolderIsAnError) {
  auto produce = [](const TextSink& sink) { sink("text\n"); };
  EXPECT_EQ(write_file_atomically(path("no/out.json"), produce, false),
            "No such file or directory");
  EXPECT_TRUE(entries().empty());
}

}  // namespace
}  // namespace mpsim::cli
