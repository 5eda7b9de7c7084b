// mpsim check FILE...: validates scenarios without running them.
#include <iostream>

#include "commands.hpp"

namespace mpsim::cli {

Command add_check(CLI::App& app) {
  auto* cmd = app.add_subcommand("check", "validate scenario files without running them");
  auto files = std::make_shared<std::vector<std::string>>();
  cmd->add_option("FILE", *files, "scenario files")->required();
  return [files] {
    int errors = 0;
    for (const auto& f : *files) {
      LoadResult r = load_scenario_file(f);
      for (const auto& d : r.errors) std::cerr << "error: " << d.format() << "\n";
      errors += static_cast<int>(r.errors.size());
      if (r.errors.empty()) std::cout << f << ": ok\n";
    }
    if (errors) std::cerr << errors << (errors == 1 ? " error\n" : " errors\n");
    return errors ? kExitBadInput : kExitOk;
  };
}

}  // namespace mpsim::cli
