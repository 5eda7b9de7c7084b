// The one place that lists the policies. Adding a policy: write its file with
// a make_<name> factory and add one entry here.
#include <stdexcept>

#include "mpsim/kernel/policy.hpp"

namespace mpsim {

namespace policies {
std::unique_ptr<Policy> make_fcfs(const MachineConfig&);
std::unique_ptr<Policy> make_rr(const MachineConfig&);
std::unique_ptr<Policy> make_sjf(const MachineConfig&);
std::unique_ptr<Policy> make_srtf(const MachineConfig&);
std::unique_ptr<Policy> make_priority(const MachineConfig&);
std::unique_ptr<Policy> make_mlfq(const MachineConfig&);
std::unique_ptr<Policy> make_fair(const MachineConfig&);
std::unique_ptr<Policy> make_cfs(const MachineConfig&);
std::vector<std::pair<std::string, std::string>> check_mlfq_ostep(const SchedulerConfig&);
std::unique_ptr<Policy> make_lottery(const MachineConfig&);
std::unique_ptr<Policy> make_stride(const MachineConfig&);
}  // namespace policies

namespace {

std::vector<std::pair<std::string, std::string>> check_mlfq(const SchedulerConfig& c) {
  std::vector<std::pair<std::string, std::string>> out;
  auto levels = static_cast<std::size_t>(param_int(c, "levels"));
  for (const char* key : {"quanta", "allotments"}) {
    auto v = param_list(c, key);
    if (!v.empty() && v.size() != levels)
      out.emplace_back(key, "expected one value per level (" + std::to_string(levels) +
                                "), found " + std::to_string(v.size()));
    for (auto x : v)
      if (x < 1) out.emplace_back(key, "expected values >= 1, found " + std::to_string(x));
  }
  if (!out.empty()) return out;
  if (param_choice(c, "variant") == "ostep") return policies::check_mlfq_ostep(c);
  for (const char* key : {"io_resets", "io_to_front"})
    if (param_bool(c, key))
      out.emplace_back(
          key, std::string("only the ostep variant has ") + key + " (add \"variant\": \"ostep\")");
  return out;
}

}  // namespace

const std::vector<PolicyInfo>& policy_registry() {
  static const std::vector<PolicyInfo> kPolicies = {
      {"fcfs", "first come, first served; non-preemptive", {}, policies::make_fcfs, {}},
      {"sjf", "shortest predicted next CPU burst first; non-preemptive", {}, policies::make_sjf, {}},
      {"srtf", "shortest remaining burst first; preemptive", {}, policies::make_srtf, {}},
      {"rr",
       "round robin",
       {{"quantum", ParamKind::Int, 1, std::int64_t{4}, "ticks a process runs before it yields its core"}},
       policies::make_rr,
       {}},
      {"priority",
       "smallest priority number first",
       {{"preemptive", ParamKind::Bool, 0, true, "a better ready process takes a running one's core"},
        {"aging", ParamKind::Int, 0, std::int64_t{0},
         "every this many ticks waiting, a ready process gains one level (0 = off)"}},
       policies::make_priority,
       {}},
      {"mlfq",
       "multi-level feedback queue (OSTEP)",
       {{"levels", ParamKind::Int, 1, std::int64_t{3}, "number of queues; level 0 is the highest"},
        {"quantum", ParamKind::Int, 1, std::int64_t{10}, "quantum of every level without a `quanta` entry"},
        {"quanta", ParamKind::IntList, 1, std::vector<std::int64_t>{}, "quantum per level"},
        {"allotment", ParamKind::Int, 0, std::int64_t{0},
         "ticks at a level before moving down (0 = one quantum)"},
        {"allotments", ParamKind::IntList, 1, std::vector<std::int64_t>{}, "allotment per level"},
        {"boost", ParamKind::Int, 0, std::int64_t{0}, "every this many ticks all return to level 0 (0 = never)"},
        {"variant", ParamKind::Choice, 0, std::string{"mpsim"},
         "rules: mpsim's, or ostep for exactly those of OSTEP's mlfq.py (docs/semantics.md)",
         {"mpsim", "ostep"}},
        {"io_resets", ParamKind::Bool, 0, false,
         "ostep: an IO gives a fresh quantum and allotment at the same level (mlfq.py -S)"},
        {"io_to_front", ParamKind::Bool, 0, false,
         "ostep: a process back from IO goes to the front of its queue (mlfq.py -I)"}},
       policies::make_mlfq,
       check_mlfq},
      {"fair",
       "processor sharing in ticks: least CPU received first",
       {{"quantum", ParamKind::Int, 1, std::int64_t{1}, "ticks a process runs before the next pick"}},
       policies::make_fair,
       {}},
      {"cfs",
       "weighted fair share by virtual runtime (Linux CFS-like, weights from nice)",
       {{"sched_latency", ParamKind::Int, 1, std::int64_t{6},
         "ticks in which every runnable process should run once"},
        {"min_granularity", ParamKind::Int, 1, std::int64_t{1},
         "shortest slice, and the virtual-runtime lead a waking process needs to preempt"}},
       policies::make_cfs,
       {}},
      {"lottery",
       "proportional share by a seeded lottery over the ready processes' tickets",
       {{"quantum", ParamKind::Int, 1, std::int64_t{1}, "ticks the winner runs before the next draw"},
        {"seed", ParamKind::Int, 0, std::int64_t{0}, "seed of the generator (Python's random.seed)"},
        {"skip", ParamKind::Int, 0, std::int64_t{0},
         "random() values thrown away before the first draw (lottery.py -j N uses them for its jobs)"},
        {"ostep", ParamKind::Bool, 0, false,
         "draw as OSTEP's lottery.py: int(random() * 1000001) % tickets (otherwise randrange(tickets))"},
        {"transfer", ParamKind::Bool, 0, false, "a process waiting in join lends its tickets to that child"}},
       policies::make_lottery,
       {}},
      {"stride",
       "deterministic proportional share: lowest pass first, pass += big / tickets per tick run",
       {{"quantum", ParamKind::Int, 1, std::int64_t{1}, "ticks a process runs before the next pick"},
        {"big", ParamKind::Int, 1, std::int64_t{10000}, "the constant divided by tickets to give a stride"},
        {"transfer", ParamKind::Bool, 0, false, "a process waiting in join lends its tickets to that child"}},
       policies::make_stride,
       {}},
  };
  return kPolicies;
}

const PolicyInfo* find_policy(const std::string& name) {
  for (const auto& p : policy_registry())
    if (p.name == name) return &p;
  return nullptr;
}

namespace {
const ParamValue& param(const SchedulerConfig& c, const std::string& key) {
  auto it = c.params.find(key);
  if (it == c.params.end()) throw std::logic_error("policy parameter not filled in: " + key);
  return it->second;
}
}  // namespace

std::int64_t param_int(const SchedulerConfig& c, const std::string& key) {
  return std::get<std::int64_t>(param(c, key));
}
bool param_bool(const SchedulerConfig& c, const std::string& key) { return std::get<bool>(param(c, key)); }
std::vector<std::int64_t> param_list(const SchedulerConfig& c, const std::string& key) {
  return std::get<std::vector<std::int64_t>>(param(c, key));
}
std::string param_choice(const SchedulerConfig& c, const std::string& key) {
  return std::get<std::string>(param(c, key));
}

}  // namespace mpsim
