#include "mpsim/loader.hpp"
#include "mpsim/policy.hpp"

namespace mpsim {

namespace {

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const auto& p : policy_registry()) names.push_back(p.name);
  return names;
}

}  // namespace

std::vector<Diagnostic> apply_overrides(Scenario& s, const MachineOverrides& o) {
  std::vector<Diagnostic> errs;
  auto err = [&](const std::string& opt, const std::string& msg) { errs.push_back(Diagnostic{"command line", opt, msg}); };
  MachineConfig& m = s.machine;
  if (o.cores) {
    if (*o.cores < 1 || *o.cores > 1024) err("--cores", "expected 1 to 1024, found " + std::to_string(*o.cores));
    else m.cores = *o.cores;
  }
  if (o.policy && *o.policy != m.scheduler.policy) {
    const PolicyInfo* info = find_policy(*o.policy);
    if (!info) {
      std::string guess = closest_match(*o.policy, policy_names());
      err("--policy", "unknown policy \"" + *o.policy + "\"" + (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)"));
    } else {
      m.scheduler.policy = info->name;  // the file's parameters were for another policy
      m.scheduler.params.clear();
      for (const auto& ps : info->params) m.scheduler.params[ps.key] = ps.default_value;
    }
  }
  if (o.quantum) {
    if (!m.scheduler.params.count("quantum")) err("--quantum", "policy " + m.scheduler.policy + " has no quantum");
    else if (*o.quantum < 1) err("--quantum", "expected an integer >= 1, found " + std::to_string(*o.quantum));
    else m.scheduler.params["quantum"] = *o.quantum;
  }
  if (o.context_switch) {
    if (*o.context_switch < 0) err("--context-switch", "expected an integer >= 0, found " + std::to_string(*o.context_switch));
    else m.context_switch = *o.context_switch;
  }
  for (const auto& spec : s.processes)
    for (CoreId c : spec.affinity)
      if (c >= m.cores)
        errs.push_back(Diagnostic{s.source, spec.path + "/affinity",
                                  "core " + std::to_string(c) + " does not exist on a machine with " +
                                      std::to_string(m.cores) + " core(s)"});
  return errs;
}

}  // namespace mpsim
