// Fault injection in real mode (docs/reliability.md, "Faults"): the runner
// killed or interrupted mid-run, a scenario process killed from outside, fork
// failing, a full disk under the run folder and under an output file, a full
// /dev/shm. In every case the fixture's TearDown checks that no process, run
// folder or /dev/shm entry is left, and each test checks that the user's
// files are untouched or complete and that the result says what happened.
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "real_mode.hpp"

namespace {

using namespace mpsim_os_test;

// Children that sleep for seconds, so that a fault always comes mid-run.
const char* kSleepers = R"({
  "name": "sleepers",
  "machine": { "cores": 1, "scheduler": "rr" },
  "files": { "data": { "n": 1 } },
  "programs": {
    "main": [ { "spawn": "kid" }, { "spawn": "kid" }, { "write": "data.n", "value": 2 }, { "sleep": 5000 } ],
    "kid": [ { "sleep": 5000 } ]
  },
  "processes": [ { "name": "main", "program": "main" } ]
})";

// Files in `dir` whose name starts with '.': the temporary files of an output.
std::vector<std::string> hidden_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string()[0] == '.') out.push_back(e.path().string());
  return out;
}

class Faults : public RealMode {
 protected:
  // A small tmpfs at `where` (root only): false when it cannot be mounted.
  static bool mount_tmpfs(const std::string& where, const std::string& size) {
    return mount("tmpfs", where.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  // Fills the file system holding `dir` until a write fails with ENOSPC.
  static void fill(const std::string& dir) {
    int fd = open((dir + "/.filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::string block(4096, 'f');
    while (write(fd, block.data(), block.size()) > 0) {
    }
    close(fd);
  }
};

TEST_F(Faults, SupervisorKilledMidRunLeavesTheUsersFilesAsTheyWere) {
  std::string path = write_scenario("sleepers.json", kSleepers);
  std::string scenario_before = slurp(path);
  std::string out = dir_ + "/report.json";
  std::ofstream(out) << "the user's previous report\n";
  Outcome o = run({"run", "--backend", "real", path, "--format", "json", "-o", out, "--force"},
                  SIGKILL, 400);
  EXPECT_EQ(o.exit_code, 128 + SIGKILL);
  EXPECT_EQ(slurp(path), scenario_before);
  EXPECT_EQ(slurp(out), "the user's previous report\n");  // never half-written
  EXPECT_TRUE(hidden_files(dir_).empty()) << hidden_files(dir_).front();
  // TearDown: the guardian killed every scenario process and removed the run folder.
}

TEST_F(Faults, InterruptGivesACompletePartialResultMarkedAsInterrupted) {
  std::string path = write_scenario("sleepers.json", kSleepers);
  for (int sig : {SIGINT, SIGTERM}) {
    std::string out = dir_ + "/report-" + std::to_string(sig) + ".json";
    Outcome o = run({"run", "--backend", "real", path, "--format", "json", "-o", out}, sig, 400);
    EXPECT_EQ(o.exit_code, 128 + sig) << o.err;
    json r = json::parse(slurp(out), nullptr, false);
    ASSERT_FALSE(r.is_discarded()) << slurp(out);
    std::string why = std::string("interrupted by SIG") + sigabbrev_np(sig);
    EXPECT_EQ(r["stopped"]["reason"], why);
    EXPECT_EQ(r["real"]["stopped"], why);
    EXPECT_EQ(r["processes"].size(), 3u);   // main and both children had started
    EXPECT_EQ(r["files"]["data"]["n"], 2);  // the write before the sleep is in
    for (const auto& p : r["processes"]) {  // all cut short, asleep
      EXPECT_TRUE(p["finish"].is_null()) << p.dump();
      EXPECT_EQ(p["state"], "blocked") << p.dump();
    }
    EXPECT_TRUE(hidden_files(dir_).empty());
  }
}

TEST_F(Faults, InterruptedSimulationGivesAPartialResultMarkedAsInterrupted) {
  // An endless simulation (1 tick per step, far from --max-ticks): ^C stops it at a boundary.
  std::string path = write_scenario("endless.json", R"({
    "name": "endless", "machine": { "cores": 1, "scheduler": "fcfs" },
    "programs": { "main": [ { "while": "true", "do": [ { "compute": 1 } ] } ] },
    "processes": [ { "name": "main", "program": "main" } ]
  })");
  std::string out = dir_ + "/sim.json";
  Outcome o = run({"run", path, "--format", "json", "-o", out, "--max-ticks", "1000000000000"},
                  SIGINT, 500);
  EXPECT_EQ(o.exit_code, 130) << o.err;
  json r = json::parse(slurp(out), nullptr, false);
  ASSERT_FALSE(r.is_discarded());
  EXPECT_EQ(r["stopped"]["reason"], "interrupted by SIGINT");
  EXPECT_GT(r["stopped"]["tick"].get<std::int64_t>(), 0);
  EXPECT_EQ(r["stopped"]["tick"], r["summary"]["makespan"]);
}

TEST_F(Faults, AScenarioProcessKilledFromOutsideIsReportedAndTheRunGoesOn) {
  std::string path = write_scenario("victim.json", R"({
    "name": "victim", "machine": { "cores": 1, "scheduler": "rr" },
    "programs": {
      "main": [ { "spawn": "victim", "into": "v" }, { "join": "v" }, { "print": "victim exit code {exitcode(v)}" } ],
      "victim": [ { "sleep": 4000 } ]
    },
    "processes": [ { "name": "main", "program": "main" } ]
  })");
  pid_t killed = 0;
  Outcome o = run_with({"run", "--backend", "real", path, "--format", "json"}, [&](pid_t mpsim) {
    // The victim is the only grandchild of mpsim: main's child (the guardian has none).
    for (int i = 0; i < 300 && killed == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      for (pid_t child : children_of(mpsim))
        for (pid_t grandchild : children_of(child))
          if (kill(grandchild, SIGKILL) == 0) killed = grandchild;
    }
  });
  ASSERT_NE(killed, 0) << "the victim was never seen";
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.result["output"].size(), 1u);
  EXPECT_EQ(o.result["output"][0]["text"], "victim exit code -9");
  EXPECT_EQ(o.result["processes"][1]["exit_code"], -9);
  EXPECT_EQ(o.result["real"]["real_pids"]["3"], killed);
  EXPECT_LT(o.seconds, 3.5);  // not the 4 s of the victim's sleep
}

// As root, RLIMIT_NPROC is not enforced (the kernel exempts root), so a lowered
// limit would not make fork fail here. A pids cgroup does, for root too, with
// the same EAGAIN: mpsim runs in one that allows 5 tasks (mpsim, its guardian,
// main and two children), so main's third spawn fails.
TEST_F(Faults, ForkFailingIsARuntimeErrorOfTheProcessThatForked) {
  std::string cg = "/sys/fs/cgroup/pids/mpsim-faults-" + std::to_string(getpid());
  if (mkdir(cg.c_str(), 0755) != 0)
    GTEST_SKIP() << "no pids cgroup to make fork fail (needs root): " << cg;
  std::ofstream(cg + "/pids.max") << "5\n";
  std::string path = write_scenario("forks.json", R"({
    "name": "forks", "machine": { "cores": 1, "scheduler": "rr" },
    "programs": {
      "main": [ { "repeat": 3, "do": [ { "spawn": "kid" } ] }, { "print": "not reached" } ],
      "kid": [ { "sleep": 300 } ]
    },
    "processes": [ { "name": "main", "program": "main" } ]
  })");
  Outcome o = run_with({"run", "--backend", "real", path, "--format", "json"}, {},
                       [&] { std::ofstream(cg + "/cgroup.procs") << getpid() << "\n"; });
  EXPECT_EQ(o.exit_code, 0) << o.err;
  ASSERT_EQ(o.result["errors"].size(), 1u) << o.out;
  EXPECT_EQ(o.result["errors"][0]["pid"], 2);
  EXPECT_EQ(o.result["errors"][0]["message"],
            "/programs/main/0/do/0: fork failed: Resource temporarily unavailable");
  EXPECT_TRUE(o.result["output"].empty());
  for (int i = 0; i < 100 && rmdir(cg.c_str()) != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(fs::exists(cg));
}

TEST_F(Faults, FullDiskUnderTheRunFolderFailsTheWriteAndKeepsTheFileWhole) {
  // TMPDIR (where the run folder goes) on a 64 KiB tmpfs; the process
  // writes a 128 KiB string: ENOSPC, and data.json keeps its old content.
  std::string tmp = dir_ + "/tmp";
  if (!mount_tmpfs(tmp, "64k")) GTEST_SKIP() << "cannot mount a tmpfs (needs root)";
  std::string path = write_scenario("bigwrite.json", R"({
    "name": "bigwrite", "machine": { "cores": 1, "scheduler": "fcfs" },
    "files": { "data": { "text": "small" } },
    "programs": { "main": [
      { "set": "s", "value": "'x'" },
      { "repeat": 17, "do": [ { "set": "s", "value": "s + s" } ] },
      { "write": "data.text", "value": "s" },
      { "print": "not reached" }
    ] },
    "processes": [ { "name": "main", "program": "main" } ]
  })");
  Outcome o = run_json(path);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  ASSERT_EQ(o.result["errors"].size(), 1u) << o.out;
  std::string msg = o.result["errors"][0]["message"];
  EXPECT_EQ(msg.rfind("/programs/main/2: write of data.text: cannot write ", 0), 0u) << msg;
  EXPECT_NE(msg.find("(No space left on device)"), std::string::npos) << msg;
  EXPECT_EQ(o.result["files"]["data"]["text"], "small");  // the old file, whole
  EXPECT_TRUE(o.result["output"].empty());
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(tmp)) left.push_back(e.path().string());
  EXPECT_TRUE(left.empty()) << left.front();
  EXPECT_EQ(umount(tmp.c_str()), 0);
}

TEST_F(Faults, FullDiskUnderAnOutputFileLeavesTheOldFileWhole) {
  std::string outdir = dir_ + "/out";
  fs::create_directory(outdir);
  if (!mount_tmpfs(outdir, "64k")) GTEST_SKIP() << "cannot mount a tmpfs (needs root)";
  std::string out = outdir + "/report.txt";
  std::ofstream(out) << "old report\n";
  fill(outdir);
  Outcome o = run({"run", seed("zombie.json"), "-o", out, "--force"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, "error: cannot write " + out + ": No space left on device\n");
  EXPECT_EQ(slurp(out), "old report\n");
  fs::remove(outdir + "/.filler");
  EXPECT_TRUE(hidden_files(outdir).empty()) << hidden_files(outdir).front();
  EXPECT_EQ(umount(outdir.c_str()), 0);
}

// RLIMIT_NPROC binds users other than root: mpsim started as `nobody` with a
// limit of 3 tasks is refused at load a scenario of 5 initial processes.
TEST_F(Faults, RefusedAtLoadWhenRlimitNprocIsTooLow) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to become nobody";
  std::string path = write_scenario("five.json", R"({
    "name": "five", "machine": { "cores": 1, "scheduler": "rr" },
    "programs": { "p": [ { "compute": 1 } ] },
    "processes": [ { "name": "p{index}", "program": "p", "count": 5 } ]
  })");
  chmod(dir_.c_str(), 0755);
  chmod((dir_ + "/tmp").c_str(), 0777);
  Outcome o = run_with({"run", "--backend", "real", path}, {}, [] {
    rlimit np{3, 3};
    if (setrlimit(RLIMIT_NPROC, &np) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(77);
  });
  if (o.exit_code == 77) GTEST_SKIP() << "cannot become nobody";
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_EQ(
      o.err.rfind(
          "error: " + path +
              ": the scenario starts 5 processes (7 with mpsim's guardian and predictor), but this "
              "machine lets mpsim fork only ",
          0),
      0u)
      << o.err;
  EXPECT_NE(o.err.find(" more (RLIMIT_NPROC 3 with "), std::string::npos) << o.err;
}

// Real mode keeps its shared state in an anonymous shared mapping, not in
// /dev/shm: a full /dev/shm (a private one, in a mount namespace of mpsim's
// own, so the machine's is not touched) changes nothing.
TEST_F(Faults, FullDevShmDoesNotMatter) {
  Outcome o =
      run_with({"run", "--backend", "real", seed("zombie.json"), "--format", "json"}, {}, [] {
        if (unshare(CLONE_NEWNS) != 0 ||
            mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            mount("tmpfs", "/dev/shm", "tmpfs", 0, "size=16k") != 0)
          _exit(77);
        int fd = open("/dev/shm/filler", O_WRONLY | O_CREAT, 0600);
        std::string block(4096, 'f');
        while (write(fd, block.data(), block.size()) > 0) {
        }
        close(fd);
      });
  if (o.exit_code == 77) GTEST_SKIP() << "cannot make a private /dev/shm (needs root)";
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.result["processes"].size(), 2u);
  EXPECT_EQ(o.result["processes"][1]["exit_code"], 3);
}

}  // namespace
