// The seed's "进程的一些方法": join, os.getpid, os.getppid, is_alive,
// terminate and name. The seed lists them without code; this program shows
// each one, in the style of its other examples.
//   - join: the parent waits for the child (the seed: "让子进程先执行"), so the
//     child's line always comes before the parent's next one;
//   - getpid/getppid: the child's parent is the main process;
//   - terminate: a worker that would sleep for 100 seconds ends at once with
//     exit code -15 (SIGTERM).
#include <unistd.h>

#include <string>

#include "mpsim/os/process.hpp"
#include "seed.hpp"

using mpsim::os::Process;

namespace {

std::string yes_no(bool b) {
  return b ? "True" : "False";
}

std::string ids() {
  return "pid " + std::to_string(getpid()) + ", ppid " + std::to_string(getppid());
}

void helper() {
  seed::print("helper: " + ids());
}

void worker() {
  seed::sleep(100);
  seed::print("worker: never printed");
}

}  // namespace

int main() {
  seed::print("main: " + ids());

  Process h(helper, "helper");
  h.start();
  h.join();  // waits: the helper has printed and ended
  seed::print(h.name() + " joined: is_alive=" + yes_no(h.is_alive()) +
              ", exitcode=" + std::to_string(*h.exitcode()));

  Process w(worker, "worker");
  w.start();
  seed::print(w.name() + " started: is_alive=" + yes_no(w.is_alive()));
  w.terminate();
  w.join();
  seed::print(w.name() + " terminated: is_alive=" + yes_no(w.is_alive()) +
              ", exitcode=" + std::to_string(*w.exitcode()));
}
