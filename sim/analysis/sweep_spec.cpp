// Reading a sweep spec: which scenario, which parameter points, which seeds;
// every mistake reported with the spec's file and JSON path.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis/sweep_impl.hpp"
#include "mpsim/scenario/gen.hpp"
#include "mpsim/scenario/loader.hpp"
#include "mpsim/scenario/random.hpp"
#include "scenario/random_json.hpp"

namespace mpsim {

using detail::child;
using detail::json;

SweepError::SweepError(std::vector<Diagnostic> d)
    : std::runtime_error(d.empty() ? "sweep error" : d.front().format()),
      diagnostics(std::move(d)) {}

namespace {

constexpr std::size_t kMaxRuns = 10000000;
const std::vector<std::string> kMachineParams = {"cores", "policy", "quantum", "context_switch"};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class SpecReader {
 public:
  SpecReader(SweepPlan::Impl& p, detail::Checker& chk, std::string dir)
      : p_(p), chk_(chk), dir_(std::move(dir)) {}

  void read(const json& doc) {
    if (!chk_.is_object(doc, "")) return;
    chk_.known_keys(
        doc, "",
        {"$schema", "name", "description", "scenario", "gen", "grid", "list", "sample", "seeds"});
    scenario(doc);
    if (chk_.count()) return;
    int kinds = doc.contains("grid") + doc.contains("list") + doc.contains("sample");
    std::vector<std::vector<SweepParam>> points;
    if (kinds > 1)
      chk_.error("", "expected at most one of \"grid\", \"list\" and \"sample\"");
    else if (doc.contains("grid"))
      points = grid(doc["grid"], "/grid");
    else if (doc.contains("list"))
      points = list(doc["list"], "/list");
    else if (doc.contains("sample"))
      points = sample(doc["sample"], "/sample");
    else
      points.emplace_back();  // one point: the scenario as it is
    std::vector<std::optional<std::int64_t>> seeds = {std::nullopt};
    if (doc.contains("seeds")) seeds = seed_list(doc["seeds"], "/seeds");
    if (chk_.count()) return;
    if (points.size() * seeds.size() > kMaxRuns) {
      chk_.error("", "the sweep has " + std::to_string(points.size() * seeds.size()) +
                         " runs; at most " + std::to_string(kMaxRuns) +
                         " are allowed: split it into several specs");
      return;
    }
    p_.has_seeds = doc.contains("seeds");
    for (const auto& pt : points)
      for (const auto& sd : seeds) p_.runs.push_back(SweepRun{p_.runs.size(), pt, sd});
  }

 private:
  void scenario(const json& doc) {
    if (doc.contains("scenario") == doc.contains("gen")) {
      chk_.error(
          "",
          "expected exactly one of \"scenario\" (a scenario file) and \"gen\" (a workload family)");
      return;
    }
    if (doc.contains("scenario")) {
      auto rel = chk_.string(doc["scenario"], "/scenario");
      if (!rel) return;
      std::filesystem::path path = std::filesystem::path(*rel).is_absolute()
                                       ? std::filesystem::path(*rel)
                                       : std::filesystem::path(dir_) / *rel;
      p_.scenario_source = path.lexically_normal().string();
      auto text = read_file(p_.scenario_source);
      if (!text) {
        chk_.error("/scenario", "cannot open the scenario file " + p_.scenario_source);
        return;
      }
      p_.hash_input += *text;
      try {
        p_.base_doc = json::parse(*text);
      } catch (const json::parse_error&) {
        chk_.error("/scenario", p_.scenario_source + " is not valid JSON (mpsim check " +
                                    p_.scenario_source + " says where)");
      }
      return;
    }
    const json& g = doc["gen"];
    if (!chk_.is_object(g, "/gen")) return;
    std::vector<std::string> families;
    for (const auto& f : gen_families()) families.push_back(f.name);
    if (!g.contains("family")) {
      chk_.error("/gen", "missing key \"family\": one of " + detail::join(families));
      return;
    }
    auto fam = chk_.choice(g["family"], "/gen/family", families, "family");
    if (!fam) return;
    p_.family = *fam;
    std::vector<std::string> allowed = {"family"};
    for (const auto& gp : family_params()) allowed.push_back(gp.name);
    chk_.known_keys(g, "/gen", allowed);
    for (const auto& gp : family_params())
      if (g.contains(gp.name))
        if (auto v = chk_.integer(g[gp.name], child("/gen", gp.name), gp.min, gp.max))
          p_.gen_params[gp.name] = *v;
    p_.scenario_source = "gen " + p_.family;
  }

  std::vector<GenParam> family_params() const {
    for (const auto& f : gen_families())
      if (f.name == p_.family) return f.params;
    return {};
  }

  // A parameter name: a machine setting, a JSON pointer into the scenario, or gen.NAME.
  bool name_ok(const std::string& name, const std::string& path) {
    if (std::find(kMachineParams.begin(), kMachineParams.end(), name) != kMachineParams.end())
      return true;
    if (name.rfind("gen.", 0) == 0) {
      std::vector<std::string> known;
      for (const auto& gp : family_params()) known.push_back(gp.name);
      if (p_.family.empty()) {
        chk_.error(path, "parameter \"" + name +
                             "\" needs a \"gen\" family, and this spec names a scenario file");
        return false;
      }
      if (std::find(known.begin(), known.end(), name.substr(4)) != known.end()) return true;
      chk_.error(path,
                 detail::unknown_name("parameter of gen " + p_.family, name.substr(4), known));
      return false;
    }
    if (!name.empty() && name[0] == '/') {
      try {
        json::json_pointer ptr(name);
        if (p_.family.empty() && !p_.base_doc.contains(ptr) &&
            !(p_.base_doc.contains(ptr.parent_pointer()) &&
              p_.base_doc[ptr.parent_pointer()].is_object())) {
          chk_.error(path,
                     "\"" + name + "\" points at nothing in " + p_.scenario_source +
                         " (a pointer must name a value, or a new key of an existing object)");
          return false;
        }
        return true;
      } catch (const json::exception&) {
        chk_.error(path, "\"" + name +
                             "\" is not a JSON pointer (RFC 6901: /key/0/key, ~1 for /, ~0 for ~)");
        return false;
      }
    }
    std::string guess = closest_match(name, kMachineParams);
    chk_.error(path,
               "unknown parameter \"" + name + "\"" +
                   (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") +
                   ": expected cores, policy, quantum, context_switch, a JSON pointer such as "
                   "/processes/0/count, or gen.NAME");
    return false;
  }

  // Machine settings have a type; scenario values are checked when the run loads.
  bool value_ok(const std::string& name, const json& v, const std::string& path) {
    if (detail::is_draw(v)) {
      chk_.error(path, "a draw belongs in \"sample\" (or in the scenario), not in a grid or list");
      return false;
    }
    if (name == "policy") return chk_.string(v, path).has_value();
    if (name == "cores") return chk_.integer(v, path, 1, kMaxCores).has_value();
    if (name == "quantum") return chk_.integer(v, path, 1, kMaxTicks).has_value();
    if (name == "context_switch") return chk_.integer(v, path, 0, kMaxTicks).has_value();
    if (name.rfind("gen.", 0) == 0) {
      for (const auto& gp : family_params())
        if (gp.name == name.substr(4)) return chk_.integer(v, path, gp.min, gp.max).has_value();
    }
    return true;
  }

  void add_name(const std::string& name) {
    if (std::find(p_.names.begin(), p_.names.end(), name) == p_.names.end())
      p_.names.push_back(name);
  }

  std::vector<std::vector<SweepParam>> grid(const json& g, const std::string& path) {
    if (!chk_.is_object(g, path)) return {};
    std::vector<std::vector<SweepParam>> points = {{}};
    for (const auto& [name, vals] : g.items()) {
      std::string np = child(path, name);
      if (!name_ok(name, np) || !chk_.is_array(vals, np)) continue;
      if (vals.empty()) {
        chk_.error(np, "expected at least one value");
        continue;
      }
      add_name(name);
      std::vector<std::vector<SweepParam>> next;
      for (const auto& pt : points)
        for (std::size_t i = 0; i < vals.size(); ++i) {
          if (!value_ok(name, vals[i], child(np, i))) return {};
          auto q = pt;
          q.push_back(SweepParam{name, vals[i].dump()});
          next.push_back(std::move(q));
        }
      points = std::move(next);
      if (points.size() > kMaxRuns) {
        chk_.error(path, "the grid has more than " + std::to_string(kMaxRuns) + " points");
        return {};
      }
    }
    return points;
  }

  // Points may name different parameters (quantum only for rr, say); a
  // parameter a point leaves out keeps the scenario's value, and its cell is empty.
  std::vector<std::vector<SweepParam>> list(const json& l, const std::string& path) {
    if (!chk_.is_array(l, path)) return {};
    if (l.empty()) chk_.error(path, "expected at least one point");
    std::vector<std::vector<SweepParam>> points;
    for (std::size_t i = 0; i < l.size(); ++i) {
      std::string ip = child(path, i);
      if (!chk_.is_object(l[i], ip)) continue;
      std::vector<SweepParam> pt;
      for (const auto& [name, v] : l[i].items()) {
        std::string np = child(ip, name);
        if (!name_ok(name, np) || !value_ok(name, v, np)) continue;
        add_name(name);
        pt.push_back(SweepParam{name, v.dump()});
      }
      points.push_back(std::move(pt));
    }
    return points;
  }

  // count points; each parameter's value k is a draw (its stream is named
  // /sample/params/NAME/k), an array (a uniform choice) or a constant.
  std::vector<std::vector<SweepParam>> sample(const json& s, const std::string& path) {
    if (!chk_.is_object(s, path)) return {};
    chk_.known_keys(s, path, {"count", "seed", "params"});
    std::optional<std::int64_t> count, seed = 0;
    if (!s.contains("count"))
      chk_.error(path, "missing key \"count\": how many points to draw");
    else
      count =
          chk_.integer(s["count"], child(path, "count"), 1, static_cast<std::int64_t>(kMaxRuns));
    if (s.contains("seed")) seed = chk_.integer(s["seed"], child(path, "seed"), 0, INT64_MAX);
    if (!s.contains("params")) chk_.error(path, "missing key \"params\": the parameters to draw");
    if (!count || !seed || !s.contains("params") ||
        !chk_.is_object(s["params"], child(path, "params")))
      return {};
    const json& params = s["params"];
    for (const auto& [name, spec] : params.items())
      if (name_ok(name, child(child(path, "params"), name))) add_name(name);
    if (chk_.count()) return {};
    std::vector<std::vector<SweepParam>> points;
    for (std::int64_t k = 0; k < *count; ++k) {
      std::vector<SweepParam> pt;
      for (const auto& [name, spec] : params.items()) {
        std::string np = child(child(child(path, "params"), name), static_cast<std::size_t>(k));
        json v = spec;
        if (spec.is_array()) v = {{detail::kDrawKey, "choice"}, {"values", spec}};
        if (detail::is_draw(v)) {
          auto d = detail::draw_value(v, static_cast<std::uint64_t>(*seed), np, chk_);
          if (!d) return {};
          v = *d;
        }
        if (!value_ok(name, v, np)) return {};
        pt.push_back(SweepParam{name, v.dump()});
      }
      points.push_back(std::move(pt));
    }
    return points;
  }

  std::vector<std::optional<std::int64_t>> seed_list(const json& s, const std::string& path) {
    std::vector<std::optional<std::int64_t>> out;
    if (s.is_number_integer()) {
      auto n = chk_.integer(s, path, 1, 1000000);
      for (std::int64_t i = 0; n && i < *n; ++i) out.emplace_back(i);
      return out;
    }
    if (!s.is_array() || s.empty()) {
      chk_.error(path,
                 "expected a count of seeds (0, 1, ... n-1) or a non-empty array of seeds, found " +
                     detail::describe(s));
      return out;
    }
    for (std::size_t i = 0; i < s.size(); ++i)
      if (auto v = chk_.integer(s[i], child(path, i), 0, INT64_MAX)) out.emplace_back(*v);
    return out;
  }

  SweepPlan::Impl& p_;
  detail::Checker& chk_;
  std::string dir_;
};

std::string hex16(std::uint64_t h) {
  static const char* kDigits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) s[static_cast<std::size_t>(i)] = kDigits[h & 15];
  return s;
}

}  // namespace

SweepPlan SweepPlan::parse(const std::string& text, const std::string& source,
                           const std::string& dir) {
  auto impl = std::make_shared<Impl>();
  impl->source = source;
  std::vector<Diagnostic> errors;
  detail::Checker chk(source, errors);
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    chk.error("", std::string("invalid JSON: ") + e.what());
    throw SweepError(errors);
  }
  impl->hash_input = "mpsim-sweep-1\n" + text + "\n";
  SpecReader(*impl, chk, dir).read(doc);
  if (!errors.empty()) throw SweepError(errors);
  impl->hash = hex16(rng::fnv1a64(impl->hash_input));
  SweepPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

SweepPlan SweepPlan::load(const std::string& path) {
  auto text = read_file(path);
  if (!text) throw SweepError({Diagnostic{path, "", "cannot open the file"}});
  std::string dir = std::filesystem::path(path).parent_path().string();
  return parse(*text, path, dir.empty() ? "." : dir);
}

const std::vector<std::string>& SweepPlan::param_names() const {
  return impl_->names;
}
const std::vector<SweepRun>& SweepPlan::runs() const {
  return impl_->runs;
}
bool SweepPlan::has_seeds() const {
  return impl_->has_seeds;
}
const std::string& SweepPlan::hash() const {
  return impl_->hash;
}

}  // namespace mpsim
