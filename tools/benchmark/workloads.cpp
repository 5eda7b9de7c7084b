// The workload table. Generators build JSON with nlohmann::json so that
// quoting is never an issue, then hand the text to the real loader.
#include "workloads.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "jitter.hpp"
#include "mpsim/policy.hpp"

namespace mpsim::bench {

namespace {

using ojson = nlohmann::ordered_json;

bool has_param(const std::string& policy, const std::string& key) {
  const PolicyInfo* info = find_policy(policy);
  if (!info) return false;
  return std::any_of(info->params.begin(), info->params.end(),
                     [&](const ParamSpec& p) { return p.key == key; });
}

ojson machine_json(const MachineSpec& m) {
  ojson sched = {{"policy", m.policy}};
  // The loader rejects parameters a policy does not declare (fcfs has no quantum).
  if (has_param(m.policy, "quantum")) sched["quantum"] = m.quantum;
  return {{"cores", m.cores}, {"scheduler", sched}};
}

// M processes, each `repeat K { compute cpu; io wait }` with its own cpu in
// [1, 16] and wait in [1, 64]. Bursts differ between processes so that
// completions spread over many ticks (the expensive case: few events per
// boundary); computes up to 4 quanta long make rr slice most of them.
// The lengths come from jitter.hpp, which the SimGrid program shares.
std::string bursts_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t seed) {
  BurstJitter j = burst_jitter(seed);
  ojson body = ojson::array({{{"compute", "cpu"}}, {{"io", "wait"}}});
  ojson doc = {{"name", "bench-bursts"},
               {"machine", machine_json(m)},
               {"programs", {{"worker", ojson::array({{{"repeat", size.bursts}, {"do", body}}})}}},
               {"processes", ojson::array({{{"name", "w{index}"},
                                            {"program", "worker"},
                                            {"count", size.processes},
                                            {"args",
                                             {{"cpu", j.cpu.expression()},
                                              {"wait", j.wait.expression()}}}}})}};
  return doc.dump();
}

// M processes each computing `ticks` ticks in one go: the cost of simulated
// time itself, which event skipping should make nearly free.
std::string long_compute_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t) {
  ojson doc = {
      {"name", "bench-long-compute"},
      {"machine", machine_json(m)},
      {"programs", {{"spin", ojson::array({{{"compute", size.ticks}}})}}},
      {"processes",
       ojson::array({{{"name", "spin{index}"}, {"program", "spin"}, {"count", size.processes}}})}};
  return doc.dump();
}

// One root spawning M - 1 children (M processes in all), one per tick (`compute 1` between spawns keeps
// the root within the runaway-loop limit of zero-time operations), then
// joining them in creation order (their pids follow its own), one per tick.
// Each child computes 1..4 ticks and does io 1..8 (by pid).
std::string spawn_wide_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t) {
  ojson root = ojson::array(
      {{{"set", "first"}, {"value", "pid + 1"}},
       {{"repeat", size.processes - 1}, {"do", ojson::array({{{"spawn", "leaf"}}, {{"compute", 1}}})}},
       {{"set", "i"}, {"value", 0}},
       {{"repeat", size.processes - 1},
        {"do", ojson::array({{{"join", "first + i"}},
                             {{"set", "i"}, {"value", "i + 1"}},
                             {{"compute", 1}}})}}});
  ojson leaf = ojson::array({{{"compute", "1 + pid % 4"}}, {{"io", "1 + pid % 8"}}});
  ojson doc = {{"name", "bench-spawn-wide"},
               {"machine", machine_json(m)},
               {"programs", {{"root", root}, {"leaf", leaf}}},
               {"processes", ojson::array({{{"name", "root"}, {"program", "root"}}})}};
  return doc.dump();
}

// A chain of M processes: each spawns one child and joins it, so all M are
// alive at once, M - 1 of them blocked on join; then each computes 1 tick.
std::string spawn_deep_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t) {
  ojson node = ojson::array(
      {{{"if", "depth > 0"},
        {"then", ojson::array({{{"spawn", "node"}, {"into", "c"}, {"args", {{"depth", "depth - 1"}}}},
                               {{"join", "c"}}})}},
       {{"compute", 1}}});
  ojson doc = {{"name", "bench-spawn-deep"},
               {"machine", machine_json(m)},
               {"programs", {{"node", node}}},
               {"processes", ojson::array({{{"name", "node"},
                                            {"program", "node"},
                                            {"args", {{"depth", size.processes - 1}}}}})}};
  return doc.dump();
}

std::string processes_only(const WorkloadSize& s) { return std::to_string(s.processes); }

std::string processes_x_bursts(const WorkloadSize& s) {
  return std::to_string(s.processes) + "x" + std::to_string(s.bursts);
}

// "1x1e9t": M processes of one compute of T ticks; T as a power of ten when it is one.
std::string processes_x_ticks(const WorkloadSize& s) {
  std::string ticks = std::to_string(s.ticks);
  bool power_of_ten = ticks[0] == '1' && ticks.find_first_not_of('0', 1) == std::string::npos;
  if (s.ticks >= 1000 && power_of_ten) ticks = std::string("1e") + std::to_string(ticks.size() - 1);
  return std::to_string(s.processes) + "x" + ticks + "t";
}

std::vector<MachineSpec> rr_and_fcfs(std::vector<std::int32_t> cores) {
  std::vector<MachineSpec> out;
  for (const char* policy : {"rr", "fcfs"})
    for (std::int32_t c : cores) out.push_back(MachineSpec{policy, 4, c});
  return out;
}

// rr q4, fcfs and fair (quantum 1: processor sharing, a decision every tick).
std::vector<MachineSpec> rr_fcfs_fair(std::vector<std::int32_t> cores) {
  std::vector<MachineSpec> out = rr_and_fcfs(cores);
  for (std::int32_t c : cores) out.push_back(MachineSpec{"fair", 1, c});
  return out;
}

std::vector<Workload> make_table() {
  std::vector<Workload> t;
  t.push_back(Workload{
      .name = "bursts",
      .summary =
          "M processes x K bursts: repeat K { compute 1..16; io 1..64 }, jittered per process",
      .scenario = bursts_scenario,
      .size_label = processes_x_bursts,
      .full_sizes = {{1000, 100, 0}, {10000, 100, 0}, {100000, 10, 0}},
      .quick_sizes = {{1000, 10, 0}, {10000, 1, 0}},
      .machines = rr_fcfs_fair({1, 4}),
      .note =
          "size MxK; K is 10 for M = 10^5 (100 otherwise) so that every run stays within seconds"});
  t.push_back(Workload{
      .name = "spawn-wide",
      .summary = "one root spawns M - 1 children one tick apart, then joins them all",
      .scenario = spawn_wide_scenario,
      .size_label = processes_only,
      .full_sizes = {{100000, 1, 0}},
      .quick_sizes = {{1000, 1, 0}},
      .machines = rr_and_fcfs({1, 4}),
      .note = "size M: processes in all, the root included"});
  t.push_back(Workload{
      .name = "spawn-deep",
      .summary = "a chain of M processes, each spawning and joining the next",
      .scenario = spawn_deep_scenario,
      .size_label = processes_only,
      .full_sizes = {{100000, 1, 0}},
      .quick_sizes = {{1000, 1, 0}},
      .machines = rr_and_fcfs({1, 4}),
      .note = "size M: the length of the chain (all alive at once)"});
  t.push_back(
      Workload{.name = "long-compute",
               .summary = "one process computing T = 10^9 ticks in a single compute",
               .scenario = long_compute_scenario,
               .size_label = processes_x_ticks,
               .full_sizes = {{1, 1, 1000000000}},
               .quick_sizes = {{1, 1, 1000000000}},  // microseconds since rr renews in place
               .machines = rr_and_fcfs({1}),
               .note = "size MxTt: M processes of one T-tick compute"});
  return t;
}

}  // namespace

const std::vector<Workload>& workloads() {
  static const std::vector<Workload> kTable = make_table();
  return kTable;
}

const Workload* find_workload(std::string_view name) {
  for (const Workload& w : workloads())
    if (w.name == name) return &w;
  return nullptr;
}

std::string policy_label(const MachineSpec& m) {
  if (has_param(m.policy, "quantum")) return m.policy + " q" + std::to_string(m.quantum);
  return m.policy;
}

}  // namespace mpsim::bench
