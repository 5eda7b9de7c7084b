// The seed's daemon ("守护进程"): a daemon child ends as soon as its parent
// does, without finishing its own work, so "egon总管正常死亡" is never printed.
//
// First, what the seed's comment warns about: p.daemon = True must come before
// p.start(), or it is an error. mpsim::os throws std::logic_error there (Python
// raises AssertionError); this program shows it, then runs the seed's example.
#include <stdexcept>
#include <string>

#include "mpsim/os/process.hpp"
#include "seed.hpp"

using mpsim::os::Process;

namespace {

void test(const std::string& name) {
  seed::print(name + "总管正常活着");
  seed::sleep(3);
  seed::print(name + "总管正常死亡");
}

/// Not in the seed's code, only in its comment: daemon after start() fails.
void daemon_after_start() {
  Process late([] {});
  late.start();
  try {
    late.set_daemon(true);
  } catch (const std::logic_error& e) {
    seed::print(std::string("start之后设置daemon报错: ") + e.what());
  }
  late.join();
}

}  // namespace

int main() {
  daemon_after_start();

  Process p = Process::with_args({}, test, std::string("egon"));
  p.set_daemon(true);  // 将该进程设置为守护进程, before start()
  p.start();
  seed::sleep(0.1);
  seed::print("皇帝jason寿正终寝");
}  // the parent ends: p's destructor terminates the daemon (as Python does at exit) and reaps it
