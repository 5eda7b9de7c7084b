// Workload families as scenarios. Each builder writes plain scenario JSON;
// random choices are draw objects ({"$random": ...}) under the scenario's
// `seed`, one per process entry, so process k's draws do not depend on how
// many processes follow it.
#include "mpsim/scenario/gen.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "mpsim/model/diagnostics.hpp"

namespace mpsim {

namespace {

using json = nlohmann::ordered_json;
using Params = std::map<std::string, std::int64_t>;

constexpr std::int64_t kMaxTicksParam = 1000000;
// The largest scenario a family writes: every node of a fork tree is a process.
constexpr std::int64_t kMaxNodes = 100000;

json uniform(std::int64_t lo, std::int64_t hi) {
  return {{"$random", "uniform"}, {"min", lo}, {"max", hi}};
}

json exponential(std::int64_t mean, std::int64_t lo, std::int64_t hi) {
  return {{"$random", "exponential"}, {"mean", mean}, {"min", lo}, {"max", hi}};
}

json machine(const Params& p, const std::string& policy) {
  return {{"cores", p.at("cores")}, {"scheduler", policy}};
}

std::string describe(const std::string& family, const Params& p) {
  std::string out = "mpsim gen " + family;
  for (const auto& [k, v] : p) out += " --" + k + " " + std::to_string(v);
  return out;
}

// OSTEP's scheduler homework: `jobs` jobs of random length 1..maxlen, all at
// tick 0 or at random arrivals up to `arrival`.
json jobs(const Params& p) {
  json procs = json::array();
  for (std::int64_t i = 0; i < p.at("jobs"); ++i) {
    json e = {{"name", "job-" + std::to_string(i)},
              {"program", "job"},
              {"args", {{"len", uniform(1, p.at("maxlen"))}}}};
    if (p.at("arrival") > 0) e["arrival"] = uniform(0, p.at("arrival"));
    procs.push_back(e);
  }
  return {{"seed", p.at("seed")},
          {"machine", machine(p, "fcfs")},
          {"programs", {{"job", json::array({{{"compute", "len"}}})}}},
          {"processes", procs}};
}

// CPU-bound and IO-bound processes: each is IO-bound with probability
// io_share %, and has exponential burst lengths of the given means.
json mix(const Params& p) {
  json loop_cpu = {{"repeat", p.at("bursts")}, {"do", json::array({{{"compute", "burst"}}})}};
  json loop_io = {{"repeat", p.at("bursts")},
                  {"do", json::array({{{"compute", 1}}, {{"io", "wait"}}})}};
  json procs = json::array();
  for (std::int64_t i = 0; i < p.at("processes"); ++i) {
    json kind = {{"$random", "weights"},
                 {"values", {"io_bound", "cpu_bound"}},
                 {"weights", {p.at("io_share"), 100 - p.at("io_share")}}};
    json args = {{"burst", exponential(p.at("cpu"), 1, 100 * p.at("cpu"))},
                 {"wait", exponential(p.at("io"), 1, 100 * p.at("io"))}};
    procs.push_back({{"name", "p-" + std::to_string(i)}, {"program", kind}, {"args", args}});
  }
  return {
      {"seed", p.at("seed")},
      {"machine", machine(p, "rr")},
      {"programs", {{"cpu_bound", json::array({loop_cpu})}, {"io_bound", json::array({loop_io})}}},
      {"processes", procs}};
}

// A fork tree: every node computes `work`, then (above the leaves) spawns
// `fanout` children and joins them all.
json tree(const Params& p) {
  std::int64_t nodes = 1, level = 1;
  for (std::int64_t d = 0; d < p.at("depth"); ++d) {
    level *= p.at("fanout");
    nodes += level;
    if (nodes > kMaxNodes)
      throw std::invalid_argument("gen tree: fanout^depth makes more than " +
                                  std::to_string(kMaxNodes) +
                                  " processes; lower --depth or --fanout");
  }
  json spawns = json::array(), joins = json::array();
  for (std::int64_t c = 0; c < p.at("fanout"); ++c) {
    std::string h = "c" + std::to_string(c);
    spawns.push_back({{"spawn", "node"}, {"into", h}, {"args", {{"depth", "depth - 1"}}}});
    joins.push_back({{"join", h}});
  }
  json children = spawns;
  for (auto& j : joins) children.push_back(j);
  json node = json::array({{{"compute", p.at("work")}}, {{"if", "depth > 0"}, {"then", children}}});
  return {{"machine", machine(p, "rr")},
          {"programs", {{"node", node}}},
          {"processes",
           json::array(
               {{{"name", "root"}, {"program", "node"}, {"args", {{"depth", p.at("depth")}}}}})}};
}

// A pipeline of `stages` processes joined by bounded queues; the source makes
// `items` items, every stage computes `work` ticks per item, -1 ends the stream.
json pipeline(const Params& p) {
  const std::int64_t n = p.at("stages"), work = p.at("work");
  auto q = [](std::int64_t k) { return "q" + std::to_string(k); };
  json queues = json::object(), programs = json::object(), procs = json::array();
  for (std::int64_t k = 1; k < n; ++k) queues[q(k)] = {{"capacity", p.at("capacity")}};
  programs["source"] = json::array({{{"repeat", p.at("items")},
                                     {"do", json::array({{{"compute", work}},
                                                         {{"set", "n"}, {"value", "n + 1"}},
                                                         {{"put", q(1)}, {"value", "n"}}})}},
                                    {{"put", q(1)}, {"value", -1}}});
  for (std::int64_t k = 2; k <= n; ++k) {
    json body = json::array({{{"compute", work}}});
    if (k < n) body.push_back({{"put", q(k)}, {"value", "item"}});
    body.push_back({{"get", q(k - 1)}, {"into", "item"}});
    json prog = json::array(
        {{{"get", q(k - 1)}, {"into", "item"}}, {{"while", "item != -1"}, {"do", body}}});
    if (k < n) prog.push_back({{"put", q(k)}, {"value", -1}});
    programs["stage" + std::to_string(k)] = prog;
  }
  procs.push_back({{"name", "stage1"}, {"program", "source"}, {"args", {{"n", 0}}}});
  for (std::int64_t k = 2; k <= n; ++k)
    procs.push_back(
        {{"name", "stage" + std::to_string(k)}, {"program", "stage" + std::to_string(k)}});
  return {{"machine", machine(p, "rr")},
          {"queues", queues},
          {"programs", programs},
          {"processes", procs}};
}

using Builder = json (*)(const Params&);

struct Family {
  GenFamily info;
  Builder build;
};

const std::vector<Family>& families() {
  const GenParam cores{"cores", 1, 1, 1024, "cores of the machine"};
  const GenParam seed{"seed", 0, 0, INT64_MAX, "the scenario's seed (docs/semantics.md §10)"};
  static const std::vector<Family> kFamilies = {
      {{"jobs",
        "OSTEP-style random jobs: lengths uniform in 1..maxlen",
        {{"jobs", 3, 1, kMaxNodes, "number of jobs"},
         {"maxlen", 10, 1, kMaxTicksParam, "longest job, in ticks"},
         {"arrival", 0, 0, kMaxTicksParam, "latest arrival (0: all arrive at tick 0)"},
         seed,
         cores}},
       jobs},
      {{"mix",
        "CPU-bound and IO-bound processes with exponential bursts",
        {{"processes", 10, 1, kMaxNodes, "number of processes"},
         {"bursts", 4, 1, 10000, "bursts per process"},
         {"cpu", 6, 1, kMaxTicksParam, "mean CPU burst of a CPU-bound process"},
         {"io", 4, 1, kMaxTicksParam, "mean IO wait of an IO-bound process"},
         {"io_share", 50, 0, 100, "percent of processes that are IO-bound"},
         seed,
         cores}},
       mix},
      {{"tree",
        "a fork tree: each node computes, spawns fanout children, joins them",
        {{"depth", 3, 0, 16, "levels below the root"},
         {"fanout", 2, 1, 10, "children per inner node"},
         {"work", 4, 1, kMaxTicksParam, "compute ticks per node"},
         cores}},
       tree},
      {{"pipeline",
        "producer/consumer stages joined by bounded queues",
        {{"stages", 3, 2, 100, "processes in the chain"},
         {"items", 10, 1, kMaxNodes, "items the first stage makes"},
         {"work", 2, 1, kMaxTicksParam, "compute ticks per item and stage"},
         {"capacity", 2, 1, kMaxNodes, "capacity of each queue"},
         cores}},
       pipeline},
  };
  return kFamilies;
}

}  // namespace

const std::vector<GenFamily>& gen_families() {
  static const std::vector<GenFamily> kInfo = [] {
    std::vector<GenFamily> out;
    for (const auto& f : families()) out.push_back(f.info);
    return out;
  }();
  return kInfo;
}

std::string generate(const std::string& family, const std::map<std::string, std::int64_t>& params) {
  std::vector<std::string> names;
  for (const auto& f : families()) names.push_back(f.info.name);
  const Family* fam = nullptr;
  for (const auto& f : families())
    if (f.info.name == family) fam = &f;
  if (!fam) {
    std::string guess = closest_match(family, names);
    std::string msg = "unknown family \"" + family + "\"";
    if (!guess.empty()) msg += " (did you mean \"" + guess + "\"?)";
    msg += "; families:";
    for (const auto& n : names) msg += " " + n;
    throw std::invalid_argument(msg);
  }
  Params p;
  std::vector<std::string> known;
  for (const auto& gp : fam->info.params) {
    p[gp.name] = gp.default_value;
    known.push_back(gp.name);
  }
  for (const auto& [k, v] : params) {
    const std::string& name = k;  // clang 14 cannot capture a structured binding
    auto it = std::find_if(fam->info.params.begin(), fam->info.params.end(),
                           [&](const GenParam& g) { return g.name == name; });
    if (it == fam->info.params.end()) {
      std::string guess = closest_match(k, known);
      std::string msg = "gen " + family + ": unknown parameter \"" + k + "\"";
      if (!guess.empty()) msg += " (did you mean \"" + guess + "\"?)";
      msg += "; parameters:";
      for (const auto& n : known) msg += " " + n;
      throw std::invalid_argument(msg);
    }
    if (v < it->min || v > it->max)
      throw std::invalid_argument("gen " + family + ": --" + k + " must be from " +
                                  std::to_string(it->min) + " to " + std::to_string(it->max) +
                                  ", found " + std::to_string(v));
    p[k] = v;
  }
  json body = fam->build(p);
  json doc = {{"name", family}, {"description", "Generated by `" + describe(family, p) + "`."}};
  for (auto& [k, v] : body.items()) doc[k] = v;
  return doc.dump(2) + "\n";
}

}  // namespace mpsim
