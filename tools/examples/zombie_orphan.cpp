// The seed's "僵尸进程与孤儿进程", which it explains without code:
//   - every process that ends is a zombie until its parent reaps it (join, or
//     the parent's own end); here the kernel shows it as state Z in /proc;
//   - an orphan's parent ends first and the system adopts it. Linux gives it
//     to the nearest ancestor marked as a "child subreaper", else to init
//     (pid 1). This program marks itself, so the orphan is adopted by it and
//     reaped here: nothing is left behind, and the new parent is known.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "mpsim/os/process.hpp"
#include "seed.hpp"

using mpsim::os::Process;
using mpsim::os::Queue;

namespace {

/// The state letter in /proc/PID/stat (R, S, Z...), or "gone".
std::string proc_state(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return "gone";
  auto close = line.rfind(')');  // "pid (comm) state ..."
  return close == std::string::npos ? "?" : line.substr(close + 2, 1);
}

void zombie() {
  Process c([] { Process::exit_process(3); }, "child");
  c.start();
  // is_alive() looks without reaping: once it is false, the child has ended
  // and nobody has reaped it yet.
  for (int i = 0; i < 10000 && c.is_alive(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  seed::print("child ended, not joined yet: state " + proc_state(c.pid()));
  c.join();
  seed::print("joined: state " + proc_state(c.pid()) + ", exitcode " +
              std::to_string(*c.exitcode()));
}

void orphan() {
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  seed::print("main " + std::to_string(getpid()) + " adopts orphans (child subreaper)");
  Queue<int> seen(1);  // the orphan tells its parent it has printed its first line
  Process parent([&seen] {
    pid_t me = getpid();
    Process child([&seen, me] {
      seed::print("child " + std::to_string(getpid()) + ": my parent is " +
                  std::to_string(getppid()));
      seen.put(1);
      for (int i = 0; i < 10000 && getppid() == me; ++i)  // until the parent has ended
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      seed::print("child " + std::to_string(getpid()) + ": my parent is now " +
                  std::to_string(getppid()));
    });
    child.start();
    seen.get();
    seed::print("parent " + std::to_string(me) + " exits");
    Process::exit_process(0);  // ends now, without joining its child
  });
  parent.start();
  parent.join();
  // The orphan is now this process's child: wait for it as its new parent.
  int status = 0;
  pid_t orphan = waitpid(-1, &status, 0);
  seed::print("main reaped orphan " + std::to_string(orphan) + ", exitcode " +
              std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
}

}  // namespace

int main() {
  zombie();
  orphan();
}
