// What this machine can give a real run, read before anything starts
// (runner.hpp): how many more processes it may fork, and how much memory is
// free for the shared region. Each is -1 when it cannot be read.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "os/runner.hpp"

namespace mpsim::os::detail {

namespace {

std::int64_t read_number(const std::string& path) {
  std::ifstream f(path);
  std::int64_t v = -1;
  if (!(f >> v)) return -1;
  return v;
}

// Tasks (threads) whose real uid is `uid`: what RLIMIT_NPROC counts.
std::int64_t tasks_of_user(uid_t uid) {
  std::int64_t n = 0;
  DIR* d = opendir("/proc");
  if (!d) return -1;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream f(std::string("/proc/") + e->d_name + "/status");
    std::string line;
    uid_t real = 0;
    std::int64_t threads = 1;
    bool found = false;
    while (std::getline(f, line)) {
      if (line.rfind("Uid:", 0) == 0) {
        std::istringstream(line.substr(4)) >> real;
        found = true;
      } else if (line.rfind("Threads:", 0) == 0) {
        std::istringstream(line.substr(8)) >> threads;
      }
    }
    if (found && real == uid) n += threads;
  }
  closedir(d);
  return n;
}

}  // namespace

Capacity machine_capacity() {
  Capacity c;
  // pid_max bounds every user; /proc/loadavg's 4th field is "running/total tasks".
  std::int64_t pid_max = read_number("/proc/sys/kernel/pid_max");
  std::ifstream load("/proc/loadavg");
  std::string a, b, c3, tasks;
  load >> a >> b >> c3 >> tasks;
  std::int64_t total = -1;
  if (auto slash = tasks.find('/'); slash != std::string::npos)
    total = std::atoll(tasks.c_str() + slash + 1);
  if (pid_max > 0 && total >= 0) {
    c.processes = pid_max - total;
    c.processes_why =
        "pid_max " + std::to_string(pid_max) + " with " + std::to_string(total) + " tasks running";
  }
  // RLIMIT_NPROC counts the user's tasks; the kernel does not apply it to root.
  rlimit np{};
  if (getuid() != 0 && getrlimit(RLIMIT_NPROC, &np) == 0 && np.rlim_cur != RLIM_INFINITY) {
    std::int64_t mine = tasks_of_user(getuid());
    if (mine >= 0) {
      std::int64_t left = static_cast<std::int64_t>(np.rlim_cur) - mine;
      if (c.processes < 0 || left < c.processes) {
        c.processes = std::max<std::int64_t>(0, left);
        c.processes_why = "RLIMIT_NPROC " + std::to_string(np.rlim_cur) + " with " +
                          std::to_string(mine) + " of this user's tasks running";
      }
    }
  }
  std::ifstream mem("/proc/meminfo");
  std::string key;
  std::int64_t kb = 0;
  std::string unit;
  while (mem >> key >> kb) {
    std::getline(mem, unit);
    if (key == "MemAvailable:") c.memory_bytes = kb * 1024;
  }
  return c;
}

}  // namespace mpsim::os::detail
