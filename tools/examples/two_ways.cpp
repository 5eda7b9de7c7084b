// The seed's two ways to start a process ("开启进程的2种方式"), each its own
// little program in the seed, here one function each:
//   1. Process(target=task, args=('liuwei',))
//   2. a subclass of Process that sets its name and overrides run()
// The parent does not wait before printing, so its line and the child's come
// in whatever order the scheduler gives.
#include <string>
#include <utility>

#include "mpsim/os/process.hpp"
#include "seed.hpp"

using mpsim::os::Process;

namespace {

void task(const std::string& name) {
  seed::print(name + " is running");
}

/// The seed's first program.
void with_a_target() {
  Process p = Process::with_args({}, task, std::string("liuwei"));
  p.start();
  seed::print("主进程 is running");
}  // like Python at exit, the destructor joins the child (it is not a daemon)

class MyProcess : public Process {
 public:
  explicit MyProcess(std::string name) : Process(std::move(name)) {}

 protected:
  void run() override { seed::print(name() + " is running"); }
};

/// The seed's second program.
void with_a_subclass() {
  MyProcess p("lw");
  p.start();
  seed::print("");
}

}  // namespace

int main() {
  with_a_target();
  with_a_subclass();
}
