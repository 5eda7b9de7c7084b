// Rows and summaries of a sweep. The metrics are compare's (the same cells and
// JSON), so a sweep row and a compare row of the same run agree.
#include <nlohmann/json.hpp>

#include "mpsim/analysis/stats.hpp"
#include "mpsim/report/sweep.hpp"
#include "report/csv.hpp"
#include "report/text_table.hpp"

namespace mpsim {

namespace {

using json = nlohmann::ordered_json;

// A parameter's cell: strings without their JSON quotes, the rest as JSON.
std::string plain(const std::string& json_text) {
  json v = json::parse(json_text);
  return v.is_string() ? v.get<std::string>() : json_text;
}

// Numeric leaves of the metrics object, nested keys joined by '.'.
void flatten(const json& v, const std::string& prefix,
             std::vector<std::pair<std::string, double>>& out) {
  for (const auto& [k, x] : v.items()) {
    std::string name = prefix.empty() ? k : prefix + "." + k;
    if (x.is_object())
      flatten(x, name, out);
    else if (x.is_number())
      out.emplace_back(name, x.get<double>());
  }
}

struct Group {
  json params;
  std::vector<std::string> metric_names;
  std::vector<std::vector<double>> values;  // per metric, per run
};

// Every parameter name, in first appearance order (list points may differ).
std::vector<std::string> param_names(const std::vector<Group>& gs) {
  std::vector<std::string> names;
  for (const auto& g : gs)
    for (const auto& [k, v] : g.params.items())
      if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
  return names;
}

std::string param_cell(const json& params, const std::string& name) {
  if (!params.contains(name)) return "";
  const json& v = params[name];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::vector<Group> groups(const std::vector<std::string>& json_lines) {
  std::vector<Group> out;
  std::map<std::string, std::size_t> index;
  for (const auto& line : json_lines) {
    json j = json::parse(line);
    std::string key = j["params"].dump();
    auto [it, fresh] = index.emplace(key, out.size());
    if (fresh) out.push_back(Group{j["params"], {}, {}});
    Group& g = out[it->second];
    std::vector<std::pair<std::string, double>> m;
    flatten(j["metrics"], "", m);
    if (g.metric_names.empty()) {
      for (const auto& [n, x] : m) g.metric_names.push_back(n);
      g.values.resize(m.size());
    }
    for (std::size_t i = 0; i < m.size() && i < g.values.size(); ++i)
      g.values[i].push_back(m[i].second);
  }
  return out;
}

}  // namespace

std::string sweep_csv_header(const SweepPlan& plan) {
  std::string out = "run";
  for (const auto& n : plan.param_names()) out += "," + detail::csv_quote(n);
  out += ",seed";
  for (const auto& c : compare_csv_columns()) out += "," + c;
  return out;
}

std::string sweep_csv_row(const SweepPlan& plan, const SweepRun& run, const CompareRow& row) {
  std::string out = std::to_string(run.index);
  for (const auto& n : plan.param_names()) {
    std::string cell;
    for (const auto& p : run.params)
      if (p.name == n) cell = plain(p.value);
    out += "," + detail::csv_quote(cell);
  }
  out += "," + (run.seed ? std::to_string(*run.seed) : std::string());
  for (const auto& c : compare_csv_cells(row)) out += "," + detail::csv_quote(c);
  return out;
}

std::string sweep_json_line(const SweepRun& run, const CompareRow& row) {
  std::string params = "{";
  for (std::size_t i = 0; i < run.params.size(); ++i)
    params += (i ? "," : "") + json(run.params[i].name).dump() + ":" + run.params[i].value;
  params += "}";
  return "{\"run\":" + std::to_string(run.index) + ",\"params\":" + params +
         ",\"seed\":" + (run.seed ? std::to_string(*run.seed) : "null") +
         ",\"metrics\":" + compare_json_line(row) + "}";
}

std::string sweep_summary_csv(const std::vector<std::string>& json_lines) {
  auto gs = groups(json_lines);
  if (gs.empty()) return "";
  std::string out;
  const Group& first = gs.front();
  const auto names = param_names(gs);
  for (const auto& n : names) out += detail::csv_quote(n) + ",";
  out += "runs";
  for (const auto& m : first.metric_names) out += "," + m + "_mean," + m + "_ci95";
  out += "\n";
  for (const auto& g : gs) {
    std::string line;
    for (const auto& n : names) line += detail::csv_quote(param_cell(g.params, n)) + ",";
    line += std::to_string(g.values.empty() ? 0 : g.values[0].size());
    for (const auto& vals : g.values) {
      MeanCi ci = mean_ci(vals);
      line += "," + detail::fixed(ci.mean, 4) + "," +
              (ci.n < 2 ? std::string() : detail::fixed(ci.half, 4));
    }
    out += line + "\n";
  }
  return out;
}

std::string sweep_summary_text(const std::vector<std::string>& json_lines) {
  auto gs = groups(json_lines);
  if (gs.empty()) return "";
  const std::vector<std::string> shown = {"makespan", "speedup", "turnaround.mean",
                                          "response.mean"};
  const auto names = param_names(gs);
  std::vector<std::string> head = names;
  head.push_back("runs");
  for (const auto& m : shown) head.push_back(m);
  detail::Table t(head);
  for (const auto& g : gs) {
    std::vector<std::string> row;
    for (const auto& n : names) row.push_back(param_cell(g.params, n));
    row.push_back(std::to_string(g.values.empty() ? 0 : g.values[0].size()));
    for (const auto& m : shown) {
      auto it = std::find(g.metric_names.begin(), g.metric_names.end(), m);
      if (it == g.metric_names.end()) {
        row.push_back("-");
        continue;
      }
      MeanCi ci = mean_ci(g.values[static_cast<std::size_t>(it - g.metric_names.begin())]);
      row.push_back(detail::fixed(ci.mean, 2) +
                    (ci.n < 2 ? "" : " ± " + detail::fixed(ci.half, 2)));
    }
    t.add(row);
  }
  return t.render("") + "\n(mean ± 95 % half-width t(0.975, n-1)·s/√n over the runs of each row)\n";
}

}  // namespace mpsim
