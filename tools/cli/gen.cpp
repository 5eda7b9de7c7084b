// mpsim gen FAMILY [--PARAM N ...] [-o FILE]: a workload family as a scenario.
#include <iostream>
#include <map>
#include <set>

#include "commands.hpp"
#include "mpsim/scenario/gen.hpp"

namespace mpsim::cli {

namespace {

struct GenArgs {
  std::string family;
  std::map<std::string, std::int64_t> values;  // filled by CLI11, only for options given
  std::string out;
  bool force = false;
  bool list = false;
};

std::string family_list() {
  std::string out;
  for (const auto& f : gen_families()) {
    out += f.name + ": " + f.help + "\n";
    for (const auto& p : f.params)
      out += "  --" + p.name + " N  " + p.help + " (default " + std::to_string(p.default_value) +
             ", " + std::to_string(p.min) + ".." + std::to_string(p.max) + ")\n";
  }
  return out;
}

}  // namespace

Command add_gen(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "gen", "write a workload family (jobs, mix, tree, pipeline) as a scenario");
  auto a = std::make_shared<GenArgs>();
  cmd->add_option("FAMILY", a->family, "jobs, mix, tree or pipeline");
  cmd->add_flag("--list", a->list, "list the families and their parameters");
  cmd->add_option("-o,--output", a->out, "write to this file instead of stdout");
  cmd->add_flag("--force", a->force, "replace the output file if it exists");
  // One option per parameter name of any family; generate() refuses those
  // the chosen family does not take.
  std::set<std::string> names;
  for (const auto& f : gen_families())
    for (const auto& p : f.params) names.insert(p.name);
  for (const auto& n : names)
    cmd->add_option_function<std::int64_t>(
        "--" + n, [a, n](const std::int64_t& v) { a->values[n] = v; },
        "family parameter (see --list)");
  return [a] {
    if (a->list) {
      std::cout << family_list();
      return kExitOk;
    }
    if (a->family.empty()) {
      std::cerr << "error: gen needs a FAMILY; families:\n" << family_list();
      return kExitBadInput;
    }
    std::string text;
    try {
      text = generate(a->family, a->values);
    } catch (const std::invalid_argument& e) {
      std::cerr << "error: " << e.what() << "\n";
      return kExitBadInput;
    }
    return write_output(a->out, text, a->force) ? kExitOk : kExitBadInput;
  };
}

}  // namespace mpsim::cli
