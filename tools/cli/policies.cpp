// mpsim policies: what can go in machine.scheduler.
#include <iostream>

#include "commands.hpp"
#include "mpsim/kernel/policy.hpp"

namespace mpsim::cli {

namespace {

std::string show(const ParamValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* s = std::get_if<std::string>(&v)) return "\"" + *s + "\"";
  std::string s = "[";
  for (auto x : std::get<std::vector<std::int64_t>>(v)) s += (s.size() > 1 ? ", " : "") + std::to_string(x);
  return s + "]";
}

}  // namespace

Command add_policies(CLI::App& app) {
  app.add_subcommand("policies", "list the scheduling policies and their parameters");
  return [] {
    for (const auto& p : policy_registry()) {
      std::cout << p.name << ": " << p.summary << "\n";
      for (const auto& ps : p.params) {
        std::cout << "  " << ps.key << " (default " << show(ps.default_value);
        for (std::size_t i = 0; i < ps.choices.size(); ++i)
          std::cout << (i ? ", " : "; one of ") << ps.choices[i];
        std::cout << "): " << ps.help << "\n";
      }
    }
    return kExitOk;
  };
}

}  // namespace mpsim::cli
