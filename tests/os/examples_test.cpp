// The seed's examples (tools/examples/) run as programs, as a user runs them:
// their whole output and exit code, and that nothing is left behind (no
// process, no file). Lines printed by different processes come in the order
// the scheduler gives, so those are compared as multisets; outcomes are
// asserted, never timings.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Lines = std::vector<std::string>;

struct Outcome {
  std::string out, err;
  pid_t pid = 0;                   // the example's pid
  int status = -1;                 // waitpid status of the example
  bool finished = false;           // it ended (and closed its output) in time
  std::vector<pid_t> left_behind;  // descendants still there after it ended
  [[nodiscard]] bool exited_with(int code) const {
    return WIFEXITED(status) && WEXITSTATUS(status) == code;
  }
};

/// This process's children (the orphans adopted as subreaper included).
std::vector<pid_t> children() {
  std::vector<pid_t> found;
  std::string me = std::to_string(getpid());
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto close = line.rfind(')');  // "pid (comm) state ppid ..."; comm may hold spaces
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state, ppid;
    rest >> state >> ppid;
    if (ppid == me) found.push_back(std::stoi(name));
  }
  return found;
}

/// Runs `program args...` with TMPDIR=`tmpdir`, collecting stdout and stderr.
/// This test process is a child subreaper, so a process the example leaves
/// behind becomes our child: any child left once the example has exited is
/// recorded, then killed and reaped.
Outcome run_example(const std::string& program, const std::vector<std::string>& args,
                    const fs::path& tmpdir) {
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    setenv("TMPDIR", tmpdir.c_str(), 1);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);

  Outcome r;
  r.pid = pid;
  // Generous bounds: the examples take well under a second, even under the
  // sanitizers on a busy machine.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string* sinks[2] = {&r.out, &r.err};
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  bool exited = false;
  while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
    if (poll(fds, 2, 100) < 0 && errno != EINTR) break;
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || fds[k].revents == 0) continue;
      char buf[4096];
      ssize_t n = read(fds[k].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[k]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
    if (!exited && waitpid(pid, &r.status, WNOHANG) == pid) {
      exited = true;
      // Its output must close soon after: a process still holding it was left behind.
      deadline = std::min(deadline, std::chrono::steady_clock::now() + 5s);
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  // Its output closed: it is ending (or it ran out of time and is killed).
  while (!exited && std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &r.status, WNOHANG) == pid)
      exited = true;
    else
      std::this_thread::sleep_for(5ms);
  }
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &r.status, 0);
  }
  r.finished = exited && open_fds == 0;

  r.left_behind = children();
  for (pid_t c : r.left_behind) kill(c, SIGKILL);
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  return r;
}

Lines lines_of(const std::string& text) {
  Lines lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

Lines sorted(Lines v) {
  std::sort(v.begin(), v.end());
  return v;
}

/// A fresh, empty TMPDIR for one example, removed at the end of the test.
class ExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "mpsim-examples-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    tmpdir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(tmpdir_); }

  Outcome run(const std::string& program, const std::vector<std::string>& args = {}) {
    Outcome r = run_example(program, args, tmpdir_);
    EXPECT_TRUE(r.finished) << program << " did not end in time";
    EXPECT_EQ(r.left_behind, std::vector<pid_t>{}) << program << " left processes behind";
    return r;
  }

  /// Nothing left in TMPDIR after the run.
  [[nodiscard]] bool tmpdir_empty() const { return fs::is_empty(tmpdir_); }

  fs::path tmpdir_;
};

TEST_F(ExampleTest, TwoWaysToStartAProcess) {
  Outcome r = run(MPSIM_EXAMPLE_TWO_WAYS);
  EXPECT_TRUE(r.exited_with(0));
  EXPECT_EQ(r.err, "");
  Lines l = lines_of(r.out);
  ASSERT_EQ(l.size(), 4u) << r.out;
  // Each of the seed's two programs ends (joining its child) before the next starts.
  EXPECT_EQ(sorted({l[0], l[1]}), sorted({"主进程 is running", "liuwei is running"}));
  EXPECT_EQ(sorted({l[2], l[3]}), sorted({"", "lw is running"}));
}

TEST_F(ExampleTest, IsolationTheParentStillSeesItsOwnX) {
  Outcome r = run(MPSIM_EXAMPLE_ISOLATION);
  EXPECT_TRUE(r.exited_with(0));
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "1000\n儿子死啦 0\n1000\n");
}

TEST_F(ExampleTest, DaemonDiesWithItsParentAndCannotBeSetAfterStart) {
  Outcome r = run(MPSIM_EXAMPLE_DAEMON);
  EXPECT_TRUE(r.exited_with(0));
  EXPECT_EQ(r.err, "");
  Lines l = lines_of(r.out);
  ASSERT_GE(l.size(), 2u) << r.out;
  EXPECT_EQ(l[0], "start之后设置daemon报错: cannot set daemon status of an active process");
  // The parent's line, and the daemon's first one if it got to print it before
  // the parent ended; never its last one: it was killed with its parent (and
  // run() checked that no process outlived the program).
  Lines rest(l.begin() + 1, l.end());
  EXPECT_EQ(std::count(rest.begin(), rest.end(), "皇帝jason寿正终寝"), 1) << r.out;
  EXPECT_LE(std::count(rest.begin(), rest.end(), "egon总管正常活着"), 1) << r.out;
  EXPECT_EQ(rest.size(), 1u + std::count(rest.begin(), rest.end(), "egon总管正常活着")) << r.out;
  EXPECT_EQ(r.out.find("正常死亡"), std::string::npos) << r.out;
}

/// What the ticket program printed: who saw what, who bought.
struct Tickets {
  std::map<int, int> searched;  // buyer -> tickets it saw
  std::vector<int> bought;      // buyers that printed 抢票成功
  int none_left = 0;            // 没票了 lines
};

/// Reads the ticket program's output, checking what both runs share: ten
/// searches (one per user), one buy line per user, the final file, the run
/// folder gone.
Tickets parse_tickets(const Outcome& r, const fs::path& tmpdir) {
  Tickets t;
  Lines l = lines_of(r.out);
  EXPECT_EQ(l.size(), 21u) << r.out;
  if (l.empty()) return t;
  EXPECT_EQ(l.back(), R"(data文件最后的内容: {"ticket":0})");
  static const std::regex search(R"(用户(\d)查询余票为:(\d))"), buy(R"(用户(\d)抢票成功)");
  for (std::size_t k = 0; k + 1 < l.size(); ++k) {
    std::smatch m;
    if (std::regex_match(l[k], m, search)) {
      EXPECT_TRUE(t.searched.emplace(std::stoi(m[1]), std::stoi(m[2])).second) << l[k];
    } else if (std::regex_match(l[k], m, buy)) {
      t.bought.push_back(std::stoi(m[1]));
    } else {
      EXPECT_EQ(l[k], "没票了");
      ++t.none_left;
    }
  }
  EXPECT_EQ(t.searched.size(), 10u) << r.out;  // ten distinct one-digit users: 0 to 9
  EXPECT_EQ(t.bought.size() + t.none_left, 10u) << r.out;
  for (int b : t.bought)
    EXPECT_EQ(t.searched[b], 1) << "buyer " << b << " saw no ticket but bought one";

  // stderr names the run's folder, under our TMPDIR; it is gone, and nothing else is left.
  std::smatch m;
  static const std::regex folder(R"(run folder: (.*)\n)");
  EXPECT_TRUE(std::regex_match(r.err, m, folder)) << r.err;
  if (!m.empty()) {
    fs::path run_folder = m[1].str();
    EXPECT_EQ(run_folder.parent_path(), tmpdir);
    EXPECT_FALSE(fs::exists(run_folder));
  }
  EXPECT_TRUE(fs::is_empty(tmpdir));
  return t;
}

TEST_F(ExampleTest, TicketWithTheLockSellsExactlyOne) {
  Outcome r = run(MPSIM_EXAMPLE_TICKET);
  EXPECT_TRUE(r.exited_with(0)) << r.err;
  Tickets t = parse_tickets(r, tmpdir_);
  EXPECT_EQ(t.bought.size(), 1u) << r.out;
  EXPECT_EQ(t.none_left, 9) << r.out;
}

TEST_F(ExampleTest, TicketWithoutTheLockCanOversell) {
  Outcome r = run(MPSIM_EXAMPLE_TICKET, {"--no-lock"});
  EXPECT_TRUE(r.exited_with(0)) << r.err;
  Tickets t = parse_tickets(r, tmpdir_);
  // A real race: how many buyers get the one ticket depends on the scheduler.
  // The first to read it always does.
  EXPECT_GE(t.bought.size(), 1u) << r.out;
  EXPECT_EQ(std::set<int>(t.bought.begin(), t.bought.end()).size(), t.bought.size()) << r.out;
}

TEST_F(ExampleTest, TicketRejectsAnUnknownOption) {
  Outcome r = run(MPSIM_EXAMPLE_TICKET, {"--bogus"});
  EXPECT_TRUE(r.exited_with(2));
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("usage:"), std::string::npos) << r.err;
  EXPECT_TRUE(tmpdir_empty());
}

/// The numbers a line matched with `re`, or a failure naming the line.
std::vector<long> numbers(const std::string& line, const std::string& re) {
  std::smatch m;
  if (!std::regex_match(line, m, std::regex(re))) {
    ADD_FAILURE() << "\"" << line << "\" does not match \"" << re << "\"";
    return std::vector<long>(10, -1);
  }
  std::vector<long> found;
  for (std::size_t k = 1; k < m.size(); ++k) found.push_back(std::stol(m[k]));
  return found;
}

TEST_F(ExampleTest, MethodsJoinGetpidGetppidIsAliveTerminate) {
  Outcome r = run(MPSIM_EXAMPLE_METHODS);
  EXPECT_TRUE(r.exited_with(0));
  EXPECT_EQ(r.err, "");
  Lines l = lines_of(r.out);
  ASSERT_EQ(l.size(), 5u) << r.out;
  auto main_ids = numbers(l[0], R"(main: pid (\d+), ppid (\d+))");
  EXPECT_EQ(main_ids[0], r.pid);
  EXPECT_EQ(main_ids[1], getpid());  // this test started it
  auto helper_ids = numbers(l[1], R"(helper: pid (\d+), ppid (\d+))");
  EXPECT_NE(helper_ids[0], r.pid);
  EXPECT_EQ(helper_ids[1], r.pid);
  EXPECT_EQ(l[2], "helper joined: is_alive=False, exitcode=0");
  EXPECT_EQ(l[3], "worker started: is_alive=True");
  EXPECT_EQ(l[4], "worker terminated: is_alive=False, exitcode=-15");
}

TEST_F(ExampleTest, ZombieUntilJoinedOrphanAdoptedAndReaped) {
  Outcome r = run(MPSIM_EXAMPLE_ZOMBIE_ORPHAN);
  EXPECT_TRUE(r.exited_with(0));
  EXPECT_EQ(r.err, "");
  Lines l = lines_of(r.out);
  ASSERT_EQ(l.size(), 7u) << r.out;
  EXPECT_EQ(l[0], "child ended, not joined yet: state Z");
  EXPECT_EQ(l[1], "joined: state gone, exitcode 3");
  EXPECT_EQ(l[2], "main " + std::to_string(r.pid) + " adopts orphans (child subreaper)");
  auto first = numbers(l[3], R"(child (\d+): my parent is (\d+))");
  long orphan = first[0], parent = first[1];
  EXPECT_NE(parent, r.pid);
  EXPECT_NE(orphan, parent);
  EXPECT_EQ(l[4], "parent " + std::to_string(parent) + " exits");
  EXPECT_EQ(l[5],
            "child " + std::to_string(orphan) + ": my parent is now " + std::to_string(r.pid));
  EXPECT_EQ(l[6], "main reaped orphan " + std::to_string(orphan) + ", exitcode 0");
}

}  // namespace
