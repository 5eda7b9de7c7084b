// Command-line overrides of `machine`: each value is checked like its key in a
// scenario file, and whatever it invalidates (affinity on fewer cores) is re-checked.
#include "scenario/json_check.hpp"
#include "mpsim/scenario/loader.hpp"
#include "mpsim/kernel/policy.hpp"

namespace mpsim {

namespace {

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const auto& p : policy_registry()) names.push_back(p.name);
  return names;
}

// Policies that take parameter `key`, to say where --quantum would apply.
std::vector<std::string> policies_with(const std::string& key) {
  std::vector<std::string> names;
  for (const auto& p : policy_registry())
    for (const auto& ps : p.params)
      if (ps.key == key) names.push_back(p.name);
  return names;
}

std::string range_error(std::int64_t min, std::int64_t max, std::int64_t found) {
  return "expected an integer " + detail::range_text(min, max) + ", found " + std::to_string(found);
}

class Overrider {
 public:
  Overrider(Scenario& s, std::vector<Diagnostic>& errs) : s_(s), errs_(errs) {}

  void cores(std::int32_t n) {
    if (n < 1 || n > kMaxCores) return err("--cores", range_error(1, kMaxCores, n));
    s_.machine.cores = n;
    // Affinity was checked against the file's core count; re-check it against this one.
    for (const auto& spec : s_.processes)
      for (std::size_t i = 0; i < spec.affinity.size(); ++i)
        if (spec.affinity[i] >= n)
          errs_.push_back(Diagnostic{s_.source, spec.path + "/affinity/" + std::to_string(i),
                                     "expected a core id " + detail::range_text(0, n - 1) +
                                         " (--cores " + std::to_string(n) + "), found " +
                                         std::to_string(spec.affinity[i])});
  }

  void policy(const std::string& name) {
    SchedulerConfig& sc = s_.machine.scheduler;
    if (name == sc.policy) return;  // keep the file's parameters
    const PolicyInfo* info = find_policy(name);
    if (!info) {
      std::string msg = "unknown policy \"" + name + "\"";
      std::string guess = closest_match(name, policy_names());
      if (!guess.empty()) msg += " (did you mean \"" + guess + "\"?)";
      return err("--policy", msg + "; expected one of: " + detail::join(policy_names()));
    }
    if (s_.machine.multi_ostep && info->name != "rr") return err("--policy", kMultiOstepRr);
    sc.policy = info->name;  // the file's parameters were for another policy: start from defaults
    sc.params.clear();
    for (const auto& ps : info->params) sc.params[ps.key] = ps.default_value;
  }

  void quantum(std::int64_t q) {
    SchedulerConfig& sc = s_.machine.scheduler;
    if (!sc.params.count("quantum"))
      return err("--quantum", "policy " + sc.policy + " has no quantum (only " +
                                  detail::join(policies_with("quantum")) + " have one)");
    if (q < 1 || q > kMaxTicks) return err("--quantum", range_error(1, kMaxTicks, q));
    sc.params["quantum"] = q;
    // MLFQ's per-level list would otherwise win over the option, silently.
    if (sc.params.count("quanta")) sc.params["quanta"] = std::vector<std::int64_t>{};
    // What the file's other parameters must agree with has changed (mlfq's
    // ostep variant: allotments in whole quanta): check them again.
    const PolicyInfo* info = find_policy(sc.policy);
    if (info && info->check)
      for (const auto& [key, msg] : info->check(sc)) err("--quantum", key + ": " + msg);
  }

  // The file's per_core rules are kept (they apply only when queues is per_core).
  void queues(const std::string& q) {
    if (q == "global" || q == "per_core") {
      s_.machine.queues = q == "global" ? QueueDesign::Global : QueueDesign::PerCore;
      if (s_.machine.queues == QueueDesign::PerCore && mlfq_ostep(s_.machine.scheduler))
        err("--queues", kOstepPerCore);
      return;
    }
    std::string guess = closest_match(q, {"global", "per_core"});
    err("--queues", "unknown queue design \"" + q + "\"" + (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") +
                        "; expected one of: global, per_core");
  }

  void context_switch(std::int64_t k) {
    if (k < 0 || k > kMaxTicks) return err("--context-switch", range_error(0, kMaxTicks, k));
    s_.machine.context_switch = k;
  }

 private:
  void err(const std::string& option, const std::string& msg) {
    errs_.push_back(Diagnostic{"command line", option, msg});
  }
  Scenario& s_;
  std::vector<Diagnostic>& errs_;
};

}  // namespace

std::vector<Diagnostic> apply_overrides(Scenario& s, const MachineOverrides& o) {
  std::vector<Diagnostic> errs;
  Overrider ov(s, errs);
  if (o.cores) ov.cores(*o.cores);
  if (o.policy) ov.policy(*o.policy);  // before --quantum, which depends on the policy
  if (o.quantum) ov.quantum(*o.quantum);
  if (o.context_switch) ov.context_switch(*o.context_switch);
  if (o.queues) ov.queues(*o.queues);
  return errs;
}

bool mlfq_ostep(const SchedulerConfig& sc) {
  if (sc.policy != "mlfq") return false;
  auto it = sc.params.find("variant");
  return it != sc.params.end() && std::holds_alternative<std::string>(it->second) &&
         std::get<std::string>(it->second) == "ostep";
}

}  // namespace mpsim
