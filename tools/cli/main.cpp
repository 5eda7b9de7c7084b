// mpsim: one binary, one subcommand per job.
#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mpsim: a multiprocessing simulator (processes, cores, schedulers)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mpsim 0.1.0");
  using namespace mpsim::cli;
  Command run = add_run(app);
  Command check = add_check(app);
  Command demo = add_demo(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }
  try {
    if (app.got_subcommand("run")) return run();
    if (app.got_subcommand("check")) return check();
    if (app.got_subcommand("demo")) return demo();
  } catch (const std::exception& e) {
    std::cerr << "mpsim: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitInternal;
}
