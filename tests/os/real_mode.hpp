#pragma once
// The real-mode test fixture shared by os_test.cpp and faults_test.cpp: runs
// the mpsim binary in a private TMPDIR as a child subreaper, and checks at
// the end of every test that nothing is left behind: no process (anything the
// run leaves alive ends up as this process's child), no run folder in the
// private TMPDIR, no /dev/shm entry.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace mpsim_os_test {

namespace fs = std::filesystem;
using nlohmann::json;

/// The whole content of a file ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

/// The live processes whose parent is `parent`, from /proc.
inline std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return out;
}

/// Run folders (`mpsim-run-*`) in /tmp: a run that ignored the private
/// TMPDIR, or left its folder, shows here.
inline std::set<std::string> tmp_run_folders() {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/tmp", ec))
    if (e.path().filename().string().rfind("mpsim-run-", 0) == 0) out.insert(e.path().string());
  return out;
}

inline std::set<std::string> shm_entries() {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/dev/shm", ec))
    out.insert(e.path().filename().string());
  return out;
}

/// The entries of `list()` not in `before` that are still there after up to
/// 3 s of looking again (an entry of a concurrent run goes away by then).
template <class List>
std::vector<std::string> lasting_new_entries(List list, const std::set<std::string>& before) {
  std::vector<std::string> fresh;
  for (int tries = 0; tries < 30; ++tries) {
    fresh.clear();
    for (const auto& e : list())
      if (!before.count(e)) fresh.push_back(e);
    if (fresh.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return fresh;
}

struct Outcome {
  int exit_code = -1;  // of the mpsim process (128+N when killed by N)
  std::string out, err;
  double seconds = 0;
  json result;  // parsed stdout when it is JSON
};

class RealMode : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    char templ[] = "/tmp/mpsim-os-test-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
    fs::create_directory(dir_ + "/tmp");
    shm_before_ = shm_entries();
    tmp_before_ = tmp_run_folders();
  }

  void TearDown() override {
    // Nothing may be left: no descendant, no run folder, no /dev/shm entry.
    EXPECT_TRUE(no_descendants_left()) << "processes were left behind";
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(dir_ + "/tmp")) left.push_back(e.path().string());
    EXPECT_TRUE(left.empty()) << "left in TMPDIR: " << (left.empty() ? "" : left.front());
    // /dev/shm and /tmp are shared with tests running beside this one (ctest
    // -j): their entries come and go within a run, a leak stays. So an entry
    // counts as left behind only if it is still there after a short wait.
    std::vector<std::string> new_shm = lasting_new_entries(shm_entries, shm_before_);
    EXPECT_TRUE(new_shm.empty()) << "left in /dev/shm: " << new_shm.front();
    std::vector<std::string> new_folders = lasting_new_entries(tmp_run_folders, tmp_before_);
    EXPECT_TRUE(new_folders.empty()) << "a run folder appeared in /tmp: " << new_folders.front();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Waits (up to 3 s) until every descendant handed to us has exited and been reaped.
  bool no_descendants_left() {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    for (;;) {
      int st = 0;
      pid_t r = waitpid(-1, &st, WNOHANG);
      if (r < 0 && errno == ECHILD) return true;
      if (r > 0) continue;
      if (std::chrono::steady_clock::now() > until) {
        // Fail, but clean up: kill whatever was handed to us, and reap it.
        for (pid_t c : children_of(getpid())) kill(c, SIGKILL);
        while (waitpid(-1, &st, 0) > 0) {
        }
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  std::string write_scenario(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Runs mpsim with `args`; sends `sig` to it after `after_ms` when sig != 0.
  Outcome run(const std::vector<std::string>& args, int sig = 0, int after_ms = 0) {
    return run_with(args, [&](pid_t pid) {
      if (sig == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
      kill(pid, sig);
    });
  }

  // Runs mpsim with `args`: `in_child` runs in the forked child before exec
  // (to change its limits or cgroup), `during` in this process while mpsim runs.
  Outcome run_with(const std::vector<std::string>& args, const std::function<void(pid_t)>& during,
                   const std::function<void()>& in_child = {}) {
    std::string out_path = dir_ + "/stdout", err_path = dir_ + "/stderr";
    auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      setenv("TMPDIR", (dir_ + "/tmp").c_str(), 1);
      int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(o, 1);
      dup2(e, 2);
      if (in_child) in_child();
      std::vector<char*> argv;
      std::string bin = MPSIM_BINARY;
      argv.push_back(bin.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    if (during) during(pid);
    int st = 0;
    waitpid(pid, &st, 0);
    Outcome o;
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    std::ifstream fo(out_path), fe(err_path);
    o.out.assign(std::istreambuf_iterator<char>(fo), {});
    o.err.assign(std::istreambuf_iterator<char>(fe), {});
    o.result = json::parse(o.out, nullptr, false);
    return o;
  }

  Outcome run_json(const std::string& scenario, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", "--backend", "real", scenario, "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }

  static std::string seed(const std::string& name) {
    return std::string(MPSIM_SOURCE_DIR) + "/scenarios/seed/" + name;
  }

  static const json& proc(const json& r, int pid) {
    for (const auto& p : r["processes"])
      if (p["pid"] == pid) return p;
    static json none;
    return none;
  }

  static std::multiset<std::string> printed(const json& r) {
    std::multiset<std::string> out;
    for (const auto& l : r["output"]) out.insert(l["text"].get<std::string>());
    return out;
  }

  std::string dir_;
  std::set<std::string> shm_before_;
  std::set<std::string> tmp_before_;
};

}  // namespace mpsim_os_test
