// The workload table. Generators build JSON with nlohmann::json so that
// quoting is never an issue, then hand the text to the real loader.
#include "workloads.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "jitter.hpp"
#include "mpsim/kernel/policy.hpp"

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
  ojson machine = {{"cores", m.cores}, {"scheduler", sched}};
  if (m.per_core) machine["queues"] = "per_core";
  if (m.cache) machine["cache"] = ojson::object();
  return machine;
}

// M processes, each `repeat K { compute cpu; io wait }` with its own cpu in
// [1, 16] and wait in [1, 64]. Bursts differ between processes so that
// completions spread over many ticks (the expensive case: few events per
// boundary); computes up to 4 quanta long make rr slice most of them.
// The lengths come from jitter.hpp, which the SimGrid program shares.
std::string bursts_with(const WorkloadSize& size, const MachineSpec& m, std::uint64_t seed,
                        const BurstRanges& ranges) {
  BurstJitter j = burst_jitter(seed, ranges);
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
  // Three working sets fit in a cache of the default size 100: with more
  // processes than that per core they evict each other.
  if (m.cache) doc["processes"][0]["working_set"] = 30;
  return doc.dump();
}

std::string bursts_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t seed) {
  return bursts_with(size, m, seed, BurstRanges{});
}

// The same with compute and io bursts of 100..200 ticks (issue 18): under rr
// q10 a burst is 10-20 slices, so slices outnumber bursts about 7 to 1.
std::string long_bursts_scenario(const WorkloadSize& size, const MachineSpec& m,
                                 std::uint64_t seed) {
  return bursts_with(size, m, seed, kLongBursts);
}

// long-bursts with every process listed one by one, with its own args as
// numbers (issue 18's loading target: what a hand-written or exported file
// looks like): the same run, but the loader sees M entries instead of one.
std::string listed_bursts_scenario(const WorkloadSize& size, const MachineSpec& m,
                                   std::uint64_t seed) {
  BurstJitter j = burst_jitter(seed, kLongBursts);
  ojson body = ojson::array({{{"compute", "cpu"}}, {{"io", "wait"}}});
  ojson procs = ojson::array();
  for (std::int64_t i = 0; i < size.processes; ++i)
    procs.push_back({{"name", "w" + std::to_string(i)},
                     {"program", "worker"},
                     {"args", {{"cpu", j.cpu.at(i)}, {"wait", j.wait.at(i)}}}});
  ojson doc = {{"name", "bench-listed"},
               {"machine", machine_json(m)},
               {"programs", {{"worker", ojson::array({{{"repeat", size.bursts}, {"do", body}}})}}},
               {"processes", procs}};
  return doc.dump(2);
}

// M processes, each one compute of a length in [T/2, 3T/2] (T = size.ticks,
// jittered per process), all arriving at 0: the ready set changes 2M times
// (arrivals, exits) whatever T is, while the makespan is about M T. Round
// skipping makes the cost follow the first, not the second.
std::string rounds_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t seed) {
  std::int64_t lo = std::max<std::int64_t>(1, size.ticks / 2);
  BurstJitter j = burst_jitter(seed, BurstRanges{lo, lo + size.ticks, 1, 1});
  ojson doc = {{"name", "bench-rounds"},
               {"machine", machine_json(m)},
               {"programs", {{"spin", ojson::array({{{"compute", "cpu"}}})}}},
               {"processes", ojson::array({{{"name", "r{index}"},
                                            {"program", "spin"},
                                            {"count", size.processes},
                                            {"args", {{"cpu", j.cpu.expression()}}}}})}};
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

// --- synchronisation workloads (issue 6, d) ---
// Object names are fixed when a scenario loads, so each group of processes
// that shares an object gets a program of its own; kSyncGroups groups in all
// (fewer when M is smaller), the M processes spread over them as evenly as
// possible. Every duration is jittered per process as in `bursts`, with a
// different hash offset per group.
constexpr std::int64_t kSyncGroups = 16;

std::int64_t sync_groups(const WorkloadSize& size, std::int64_t per_group_min) {
  return std::max<std::int64_t>(1, std::min(kSyncGroups, size.processes / per_group_min));
}

// Processes of group g when M is split over `groups` (the first M % groups get one more).
std::int64_t group_share(std::int64_t m, std::int64_t groups, std::int64_t g) {
  return m / groups + (g < m % groups ? 1 : 0);
}

Jitter group_jitter(const Jitter& j, std::int64_t g) {
  Jitter out = j;
  out.offset = (j.offset + static_cast<std::uint64_t>(g) * 7777) % kJitterPrime;
  return out;
}

ojson group_args(const BurstJitter& j, std::int64_t g) {
  return {{"cpu", group_jitter(j.cpu, g).expression()},
          {"wait", group_jitter(j.wait, g).expression()},
          {"cs", group_jitter(Jitter{1, 4, 3571, j.cpu.offset}, g).expression()}};
}

// M processes in kSyncGroups groups, each group sharing one lock (or, with
// `semaphore`, one semaphore of value 4): repeat K { compute cpu; acquire;
// compute cs (1..4); release; io wait }. About 60 processes per lock at
// M = 1000, so most acquires block and every release hands the lock over.
std::string mutex_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t seed,
                           bool semaphore) {
  BurstJitter j = burst_jitter(seed);
  std::int64_t groups = sync_groups(size, 1);
  ojson programs = ojson::object(), procs = ojson::array(), locks = ojson::array(),
        sems = ojson::object();
  for (std::int64_t g = 0; g < groups; ++g) {
    std::string obj = (semaphore ? "s" : "m") + std::to_string(g);
    if (semaphore)
      sems[obj] = {{"value", 4}};
    else
      locks.push_back(obj);
    ojson body = ojson::array({{{"compute", "cpu"}},
                               {{"acquire", obj}},
                               {{"compute", "cs"}},
                               {{"release", obj}},
                               {{"io", "wait"}}});
    std::string prog = "worker" + std::to_string(g);
    programs[prog] = ojson::array({{{"repeat", size.bursts}, {"do", body}}});
    procs.push_back({{"name", "g" + std::to_string(g) + "w{index}"},
                     {"program", prog},
                     {"count", group_share(size.processes, groups, g)},
                     {"args", group_args(j, g)}});
  }
  ojson doc = {{"name", semaphore ? "bench-semaphores" : "bench-locks"}, {"machine", machine_json(m)}};
  if (semaphore)
    doc["semaphores"] = sems;
  else
    doc["locks"] = locks;
  doc["programs"] = programs;
  doc["processes"] = procs;
  return doc.dump();
}

std::string locks_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t seed) {
  return mutex_scenario(size, m, seed, false);
}

std::string semaphores_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t seed) {
  return mutex_scenario(size, m, seed, true);
}

// Producer/consumer pairs through bounded queues (capacity 4), kSyncGroups
// queues: in each group as many producers, `repeat K { compute cpu; put q }`,
// as consumers, `repeat K { get q; compute cs; io wait }`. Consumers are the
// slower stage, so puts block on full queues and gets on empty ones. M must
// be even (M / 2 pairs).
std::string queues_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t seed) {
  if (size.processes % 2 != 0)
    throw std::invalid_argument("workload queues needs an even M (producer/consumer pairs)");
  BurstJitter j = burst_jitter(seed);
  std::int64_t pairs = size.processes / 2;
  std::int64_t groups = sync_groups(WorkloadSize{pairs, 1, 0}, 1);
  ojson programs = ojson::object(), procs = ojson::array(), queues = ojson::object();
  for (std::int64_t g = 0; g < groups; ++g) {
    std::string q = "q" + std::to_string(g), gs = std::to_string(g);
    queues[q] = {{"capacity", 4}};
    programs["producer" + gs] = ojson::array(
        {{{"repeat", size.bursts},
          {"do", ojson::array({{{"compute", "cpu"}}, {{"put", q}, {"value", "cpu"}}})}}});
    programs["consumer" + gs] = ojson::array(
        {{{"repeat", size.bursts},
          {"do", ojson::array({{{"get", q}, {"into", "item"}}, {{"compute", "cs"}}, {{"io", "wait"}}})}}});
    std::int64_t n = group_share(pairs, groups, g);
    for (const char* stage : {"producer", "consumer"})
      procs.push_back({{"name", std::string(stage).substr(0, 1) + gs + "-{index}"},
                       {"program", stage + gs},
                       {"count", n},
                       {"args", group_args(j, 2 * g + (stage[0] == 'c'))}});
  }
  ojson doc = {{"name", "bench-queues"},
               {"machine", machine_json(m)},
               {"queues", queues},
               {"programs", programs},
               {"processes", procs}};
  return doc.dump();
}

// Barrier rounds: M processes in kSyncGroups groups (at least 2 per group),
// each group one barrier of as many parties: repeat K { compute cpu; wait b;
// io wait }. Each round ends when the slowest of a group arrives, and its
// last arrival wakes the whole group at once.
std::string barrier_scenario(const WorkloadSize& size, const MachineSpec& m, std::uint64_t seed) {
  BurstJitter j = burst_jitter(seed);
  std::int64_t groups = sync_groups(size, 2);
  ojson programs = ojson::object(), procs = ojson::array(), barriers = ojson::object();
  for (std::int64_t g = 0; g < groups; ++g) {
    std::string b = "b" + std::to_string(g), prog = "member" + std::to_string(g);
    std::int64_t n = group_share(size.processes, groups, g);
    barriers[b] = {{"parties", n}};
    programs[prog] = ojson::array(
        {{{"repeat", size.bursts},
          {"do", ojson::array({{{"compute", "cpu"}}, {{"wait", b}}, {{"io", "wait"}}})}}});
    procs.push_back({{"name", b + "-{index}"}, {"program", prog}, {"count", n}, {"args", group_args(j, g)}});
  }
  ojson doc = {{"name", "bench-barrier"},
               {"machine", machine_json(m)},
               {"barriers", barriers},
               {"programs", programs},
               {"processes", procs}};
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
  const std::vector<WorkloadSize> sync_full = {{1000, 100, 0}, {10000, 100, 0}};
  const std::vector<WorkloadSize> sync_quick = {{1000, 10, 0}};
  t.push_back(Workload{
      .name = "locks",
      .summary = "M processes x K: repeat K { compute 1..16; acquire; compute 1..4; release; io 1..64 }, "
                 "16 locks",
      .scenario = locks_scenario,
      .size_label = processes_x_bursts,
      .full_sizes = sync_full,
      .quick_sizes = sync_quick,
      .machines = rr_and_fcfs({1, 4}),
      .note = "size MxK; the M processes share 16 locks (M / 16 per lock), so most acquires block"});
  t.push_back(Workload{
      .name = "semaphores",
      .summary = "as locks, with 16 semaphores of value 4",
      .scenario = semaphores_scenario,
      .size_label = processes_x_bursts,
      .full_sizes = sync_full,
      .quick_sizes = sync_quick,
      .machines = rr_and_fcfs({1, 4}),
      .note = "size MxK; 16 semaphores of value 4, M / 16 processes on each"});
  t.push_back(Workload{
      .name = "queues",
      .summary = "M / 2 producer/consumer pairs over 16 queues of capacity 4, K messages each",
      .scenario = queues_scenario,
      .size_label = processes_x_bursts,
      .full_sizes = sync_full,
      .quick_sizes = sync_quick,
      .machines = rr_and_fcfs({1, 4}),
      .note = "size MxK (M even); producers: repeat K { compute 1..16; put }, consumers: repeat K "
              "{ get; compute 1..4; io 1..64 }"});
  t.push_back(Workload{
      .name = "barrier",
      .summary = "M processes in 16 barrier groups: repeat K { compute 1..16; wait barrier; io 1..64 }",
      .scenario = barrier_scenario,
      .size_label = processes_x_bursts,
      .full_sizes = sync_full,
      .quick_sizes = sync_quick,
      .machines = rr_and_fcfs({1, 4}),
      .note = "size MxK; each barrier has M / 16 parties"});
  t.push_back(Workload{
      .name = "long-bursts",
      .summary = "M processes x K bursts: repeat K { compute 100..200; io 100..200 }, jittered per "
                 "process",
      .scenario = long_bursts_scenario,
      .size_label = processes_x_bursts,
      .full_sizes = {{1000, 100, 0}},
      .quick_sizes = {{1000, 2, 0}},
      .machines = {MachineSpec{"rr", 10, 1}, MachineSpec{"rr", 10, 4}},
      .note = "size MxK; rr quantum 10: the workload of issue 18 (slices outnumber bursts)"});
  t.push_back(Workload{
      .name = "listed",
      .summary = "long-bursts with the M processes listed one by one, each with its own args",
      .scenario = listed_bursts_scenario,
      .size_label = processes_x_bursts,
      .full_sizes = {{1000, 100, 0}},
      .quick_sizes = {{1000, 2, 0}},
      .machines = {MachineSpec{"rr", 10, 1}},
      .note =
          "size MxK; load ms is the figure: a file of M entries (issue 18: under 5 ms for 1000)"});
  t.push_back(Workload{
      .name = "rounds",
      .summary = "M processes, each one compute of T/2..3T/2 ticks (jittered), all at tick 0",
      .scenario = rounds_scenario,
      .size_label = processes_x_ticks,
      .full_sizes = {{1000, 1, 1000000}},
      .quick_sizes = {{100, 1, 10000}},
      .machines = {MachineSpec{"rr", 1, 1}, MachineSpec{"rr", 10, 1}, MachineSpec{"rr", 1, 4},
                   MachineSpec{"fair", 1, 1}, MachineSpec{"cfs", 1, 1}},
      .note = "size MxTt; makespan about M T (10^9 at full size): round skipping's case"});
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
  std::string label = m.policy;
  if (has_param(m.policy, "quantum")) label += " q" + std::to_string(m.quantum);
  if (m.cache) label += " cache";
  return m.per_core ? label + " per-core" : label;
}

}  // namespace mpsim::bench
