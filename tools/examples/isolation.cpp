// The seed's "进程与进程之间是相互隔离的": the child sets the global x to 0 and
// prints it; the parent, after waiting, still prints 1000. fork() gives the
// child a copy of the parent's memory, so a write in one is not seen in the other.
#include <string>

#include "mpsim/os/process.hpp"
#include "seed.hpp"

using mpsim::os::Process;

namespace {

int x = 1000;

void task() {
  x = 0;
  seed::print("儿子死啦 " + std::to_string(x));
}

}  // namespace

int main() {
  seed::print(std::to_string(x));
  Process p(task);
  p.start();
  seed::sleep(5);  // the child has long finished when the parent looks again
  seed::print(std::to_string(x));
}
