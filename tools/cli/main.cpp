// mpsim: one binary, one subcommand per job.
#include <algorithm>
#include <array>
#include <iostream>
#include <new>
#include <string_view>

#include "commands.hpp"
#include "mpsim/model/diagnostics.hpp"

namespace {

using namespace mpsim::cli;

struct Subcommand {
  const char* name;  // as its add_X registers it
  Command (*add)(CLI::App&);
};

// In the order `mpsim --help` lists them.
constexpr std::array kSubcommands{
    Subcommand{"run", add_run},
    Subcommand{"check", add_check},
    Subcommand{"demo", add_demo},
    Subcommand{"policies", add_policies},
    Subcommand{"compare", add_compare},
    Subcommand{"report", add_report},
    Subcommand{"validate", add_validate},
    Subcommand{"gen", add_gen},
    Subcommand{"sweep", add_sweep},
    Subcommand{"explore", add_explore},
    Subcommand{"py", add_py},
};

// The subcommand argv[1] names, or nullptr (an option such as --help, an
// unknown name, nothing).
const Subcommand* named_subcommand(int argc, char** argv) {
  if (argc < 2) return nullptr;
  for (const Subcommand& c : kSubcommands)
    if (std::string_view(argv[1]) == c.name) return &c;
  return nullptr;
}

int unknown_command(const char* name) {
  std::vector<std::string> names(kSubcommands.size());
  std::transform(kSubcommands.begin(), kSubcommands.end(), names.begin(),
                 [](const Subcommand& c) { return std::string(c.name); });
  std::string guess = mpsim::closest_match(name, names);
  std::cerr << "error: unknown command \"" << name << "\""
            << (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") << "; commands:";
  for (const auto& n : names) std::cerr << " " << n;
  std::cerr << "\n";
  return kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mpsim: a multiprocessing simulator (processes, cores, schedulers)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mpsim 0.1.0");
  // Every run pays for building the options of the subcommands it registers
  // (CLI11 makes several objects per option and checks each against all the
  // others): when argv[1] names a subcommand, only that one is registered, as
  // nothing else can parse then; otherwise (--help, --version, errors) all are.
  const Subcommand* named = named_subcommand(argc, argv);
  if (!named && argc > 1 && argv[1][0] != '-') return unknown_command(argv[1]);
  std::vector<std::pair<const char*, Command>> commands;
  for (const Subcommand& c : kSubcommands)
    if (!named || named == &c) commands.emplace_back(c.name, c.add(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }
  try {
    for (auto& [name, command] : commands)
      if (app.got_subcommand(name)) return command();
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
