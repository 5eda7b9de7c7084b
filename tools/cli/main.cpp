// mpsim: one binary, one subcommand per job.
#include <algorithm>
#include <iostream>
#include <new>

#include "commands.hpp"
#include "mpsim/model/diagnostics.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mpsim: a multiprocessing simulator (processes, cores, schedulers)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mpsim 0.1.0");
  using namespace mpsim::cli;
  Command run = add_run(app);
  Command check = add_check(app);
  Command demo = add_demo(app);
  Command policies = add_policies(app);
  Command compare = add_compare(app);
  Command report = add_report(app);
  Command validate = add_validate(app);
  Command gen = add_gen(app);
  Command sweep = add_sweep(app);
  Command explore = add_explore(app);
  Command py = add_py(app);
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  if (argc > 1 && argv[1][0] != '-' && std::find(names.begin(), names.end(), argv[1]) == names.end()) {
    std::string guess = mpsim::closest_match(argv[1], names);
    std::cerr << "error: unknown command \"" << argv[1] << "\"" << (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)")
              << "; commands:";
    for (const auto& n : names) std::cerr << " " << n;
    std::cerr << "\n";
    return kExitBadInput;
  }
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
    if (app.got_subcommand("policies")) return policies();
    if (app.got_subcommand("compare")) return compare();
    if (app.got_subcommand("report")) return report();
    if (app.got_subcommand("validate")) return validate();
    if (app.got_subcommand("gen")) return gen();
    if (app.got_subcommand("sweep")) return sweep();
    if (app.got_subcommand("explore")) return explore();
    if (app.got_subcommand("py")) return py();
  } catch (const std::bad_alloc&) {
    // Most often the address-space limit (--max-memory-mb) a run reached.
    std::cerr
        << "error: out of memory: the run needed more than mpsim may use (raise --max-memory-mb)\n";
    return kExitStopped;
  } catch (const std::exception& e) {
    std::cerr << "mpsim: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitInternal;
}
