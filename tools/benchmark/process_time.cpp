#include "process_time.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace mpsim::bench {

namespace fs = std::filesystem;

std::string mpsim_program() {
  return (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "mpsim").string();
}

double children_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

double time_process(const std::vector<std::string>& argv, const std::string& out_path,
                    int timeout_s, const std::vector<int>& ok_status, double* cpu_seconds) {
  double cpu_before = children_cpu_seconds();
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int null = open("/dev/null", O_WRONLY);
    if (out < 0 || null < 0) _exit(126);
    dup2(out, 1);
    dup2(null, 2);
    if (timeout_s > 0) alarm(static_cast<unsigned>(timeout_s));  // survives exec: SIGALRM ends it
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (cpu_seconds) *cpu_seconds = children_cpu_seconds() - cpu_before;
  if (!WIFEXITED(status)) return -1;
  int code = WEXITSTATUS(status);
  return std::find(ok_status.begin(), ok_status.end(), code) != ok_status.end() ? seconds : -1;
}

std::vector<double> time_mpsim_run(const std::string& scenario, int reps, int timeout_s,
                                   const std::vector<std::string>& extra, std::string& failure,
                                   std::vector<double>* cpu) {
  std::string dir = (fs::temp_directory_path() / "mpsim-bench-XXXXXX").string();
  if (!mkdtemp(dir.data())) {
    failure = "cannot create a temporary directory";
    return {};
  }
  std::string file = dir + "/scenario.json", out = dir + "/report.json";
  std::ofstream(file) << scenario;
  std::vector<std::string> argv = {mpsim_program(), "run", file, "--format", "json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::vector<double> seconds;
  for (int i = 0; i < reps; ++i) {
    double cpu_s = 0;
    double s = time_process(argv, out, timeout_s, {0}, &cpu_s);
    if (s < 0) {
      failure = mpsim_program() + " run failed or timed out";
      seconds.clear();
      break;
    }
    seconds.push_back(s);
    if (cpu) cpu->push_back(cpu_s);
  }
  fs::remove_all(dir);
  return seconds;
}

}  // namespace mpsim::bench
