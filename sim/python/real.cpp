// mpsim py --backend real: plain CPython, pinned to the first N CPUs, timed
// by the wall clock; every process it creates is killed and reaped at the end.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "mpsim/python/py_run.hpp"
#include "python/channel.hpp"
#include "python/cleanup.hpp"
#include "python/exec_args.hpp"
#include "python/observed.hpp"

namespace mpsim::python {

namespace {

std::vector<int> first_cpus(std::int32_t n) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) throw PyError("sched_getaffinity failed", 1);
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE && static_cast<std::int32_t>(cpus.size()) < n; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  if (static_cast<std::int32_t>(cpus.size()) < n)
    throw PyError("--cores " + std::to_string(n) + ": only " + std::to_string(cpus.size()) +
                      " CPUs are available to mpsim for a real run",
                  2);
  return cpus;
}

// Kills the program's process group and reaps it and every orphan handed to
// us; removes the observation folder.
struct Group {
  pid_t leader = -1;
  std::string dir;
  ~Group() {
    detail::kill_group_and_reap(leader);
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace

RealPyRun run_python_real(const PyOptions& o, std::int32_t cores, bool observe) {
  RealPyRun out;
  out.cpus = first_cpus(cores);
  if (::access(o.python.c_str(), X_OK) != 0) throw PyError("cannot run " + o.python, 2);
  Group group;
  std::string script = std::filesystem::absolute(o.script).string();
  std::vector<std::string> argv = {o.python, "-s", script};
  std::vector<std::string> env = {"PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1",
                                  "PYTHONIOENCODING=utf-8"};
  std::string records;
  if (observe) {
    char tmpl[] = "/tmp/mpsim-pyreal-XXXXXX";
    if (!::mkdtemp(tmpl)) throw PyError("cannot create a run folder", 1);
    group.dir = tmpl;
    records = group.dir + "/processes.jsonl";
    argv = {o.python, "-s", "-m", "mpsim_rt.observe", script, o.script};
    env.push_back("PYTHONPATH=" + o.runtime_dir);
    env.push_back("MPSIM_OBSERVE_FILE=" + records);
  } else {
    env.push_back("PYTHONUNBUFFERED=1");
  }
  argv.insert(argv.end(), o.args.begin(), o.args.end());
  detail::ExecArgs exec(std::move(argv), std::move(env));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw PyError("pipe failed", 1);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_t parent = ::getpid();
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) throw PyError(std::string("fork failed: ") + std::strerror(errno), 1);
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : out.cpus) CPU_SET(c, &set);
    int in = ::open("/dev/null", O_RDONLY);
    if (::sched_setaffinity(0, sizeof set, &set) != 0 || in < 0 || ::dup2(in, 0) < 0 ||
        ::dup2(pipe_fds[1], 1) < 0 || ::dup2(pipe_fds[1], 2) < 0)
      ::_exit(127);
    if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) ::_exit(126);
    ::execve(exec.path(), exec.argv(), exec.envp());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  group.leader = pid;
  ::close(pipe_fds[1]);
  auto deadline = detail::Clock::now() + std::chrono::milliseconds(o.wall_limit_ms);
  auto finish = [&](int status) {
    out.makespan_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ::kill(-pid, SIGKILL);  // whatever it left running ends with it
  };
  // Read the output until every writer is gone, watching for the main
  // process's end: that is the makespan (its non-daemon children are joined
  // by then, its daemons terminated).
  bool main_done = false;
  for (;;) {
    int status = 0;
    if (!main_done && ::waitpid(pid, &status, WNOHANG) == pid) {
      main_done = true;
      finish(status);
    }
    if (int sig = detail::interrupted_signal()) {
      ::close(pipe_fds[0]);
      throw PyError("interrupted by signal " + std::to_string(sig), 128 + sig);
    }
    if (detail::Clock::now() > deadline) {
      ::close(pipe_fds[0]);
      throw PyError("wall-clock limit reached (raise it with --wall-limit)", 4);
    }
    pollfd pfd{pipe_fds[0], POLLIN, 0};
    if (::poll(&pfd, 1, 10) <= 0) continue;
    char buf[65536];
    ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  if (!main_done) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    finish(status);
  }
  if (observe) detail::read_observations(records, out);
  return out;
}

}  // namespace mpsim::python
