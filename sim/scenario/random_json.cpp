// Resolving draw objects: checking their keys, then drawing with the stream
// named by their JSON pointer, so every draw is independent of the others.
#include "scenario/random_json.hpp"

#include <cmath>
#include <map>

#include "mpsim/scenario/random.hpp"

namespace mpsim::detail {

namespace {

// Rejection sampling for truncated distributions gives up after this many
// tries: a window that improbable is a mistake in the scenario.
constexpr int kMaxTries = 10000;
// Means and deviations stay far below 2^53, where doubles still hold every integer.
constexpr double kMaxReal = 1e15;

const std::vector<std::string>& distributions() {
  static const std::vector<std::string> kNames = {"uniform", "exponential", "normal", "choice",
                                                  "weights"};
  return kNames;
}

std::optional<double> real(const json& spec, const char* key, const std::string& path, Checker& chk,
                           double min_excl) {
  const std::string kp = child(path, key);
  if (!spec.contains(key)) {
    chk.error(path, std::string("missing key \"") + key + "\"");
    return std::nullopt;
  }
  const json& v = spec[key];
  if (!v.is_number()) {
    chk.error(kp, "expected a number, found " + describe(v));
    return std::nullopt;
  }
  double x = v.get<double>();
  if (!(x > min_excl) || x > kMaxReal) {
    chk.error(kp, std::string(min_excl < -kMaxReal ? "expected a number from -1e15 to 1e15"
                                                   : "expected a number above 0 and at most 1e15") +
                      ", found " + v.dump());
    return std::nullopt;
  }
  return x;
}

std::optional<std::int64_t> required_int(const json& spec, const char* key, const std::string& path,
                                         Checker& chk) {
  if (!spec.contains(key)) {
    chk.error(path, std::string("missing key \"") + key + "\"");
    return std::nullopt;
  }
  return chk.integer(spec[key], child(path, key), -static_cast<std::int64_t>(kMaxReal),
                     static_cast<std::int64_t>(kMaxReal));
}

// Draws `sample()` (a real number) until its rounding lands in [lo, hi].
template <class F>
std::optional<json> truncated(F sample, std::int64_t lo, std::int64_t hi, const std::string& path,
                              Checker& chk) {
  for (int i = 0; i < kMaxTries; ++i) {
    double x = sample();
    if (!(std::fabs(x) < 9e18)) continue;
    std::int64_t v = rng::round_half_away(x);
    if (v >= lo && v <= hi) return json(v);
  }
  chk.error(path, "no draw fell between min " + std::to_string(lo) + " and max " +
                      std::to_string(hi) + " in " + std::to_string(kMaxTries) +
                      " tries: widen the window or move the mean into it");
  return std::nullopt;
}

std::optional<std::pair<std::int64_t, std::int64_t>> window(const json& spec,
                                                            const std::string& path, Checker& chk,
                                                            bool required) {
  std::int64_t lo = 0, hi = static_cast<std::int64_t>(kMaxReal);
  if (required || spec.contains("min")) {
    auto v = required_int(spec, "min", path, chk);
    if (!v) return std::nullopt;
    lo = *v;
  }
  if (required || spec.contains("max")) {
    auto v = required_int(spec, "max", path, chk);
    if (!v) return std::nullopt;
    hi = *v;
  }
  if (lo > hi) {
    chk.error(child(path, "max"),
              "expected max >= min (" + std::to_string(lo) + "), found " + std::to_string(hi));
    return std::nullopt;
  }
  return std::make_pair(lo, hi);
}

std::optional<json> values(const json& spec, const std::string& path, Checker& chk) {
  if (!spec.contains("values")) {
    chk.error(path, "missing key \"values\": the values to pick from");
    return std::nullopt;
  }
  const json& v = spec["values"];
  if (!chk.is_array(v, child(path, "values"))) return std::nullopt;
  if (v.empty()) {
    chk.error(child(path, "values"), "expected at least one value");
    return std::nullopt;
  }
  for (std::size_t i = 0; i < v.size(); ++i)
    if (is_draw(v[i])) {
      chk.error(child(child(path, "values"), i), "a value to pick cannot itself be a draw");
      return std::nullopt;
    }
  return v;
}

std::optional<json> weights(const json& spec, const std::string& path, rng::SplitMix64& g,
                            Checker& chk) {
  auto vals = values(spec, path, chk);
  if (!spec.contains("weights")) {
    chk.error(path, "missing key \"weights\": one non-negative integer per value");
    return std::nullopt;
  }
  const json& w = spec["weights"];
  const std::string wp = child(path, "weights");
  if (!vals || !chk.is_array(w, wp)) return std::nullopt;
  if (w.size() != vals->size()) {
    chk.error(wp, "expected " + std::to_string(vals->size()) + " weights (one per value), found " +
                      std::to_string(w.size()));
    return std::nullopt;
  }
  std::vector<std::uint64_t> ws;
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    auto x = chk.integer(w[i], child(wp, i), 0, std::int64_t{1} << 40);
    if (!x) return std::nullopt;
    ws.push_back(static_cast<std::uint64_t>(*x));
    sum += ws.back();
  }
  if (sum == 0) {
    chk.error(wp, "expected at least one weight above 0");
    return std::nullopt;
  }
  return (*vals)[rng::weighted_index(g, ws)];
}

}  // namespace

bool is_draw(const json& v) {
  return v.is_object() && v.contains(kDrawKey);
}

std::optional<json> draw_value(const json& spec, std::uint64_t seed, const std::string& path,
                               Checker& chk) {
  auto name = chk.choice(spec[kDrawKey], child(path, kDrawKey), distributions(), "distribution");
  if (!name) return std::nullopt;
  static const std::map<std::string, std::vector<std::string>> kKeys = {
      {"uniform", {"min", "max"}},
      {"exponential", {"mean", "min", "max"}},
      {"normal", {"mean", "sd", "min", "max"}},
      {"choice", {"values"}},
      {"weights", {"values", "weights"}}};
  std::vector<std::string> allowed = kKeys.at(*name);
  allowed.insert(allowed.begin(), kDrawKey);
  std::size_t before = chk.count();
  chk.known_keys(spec, path, allowed);
  if (chk.count() != before) return std::nullopt;
  rng::SplitMix64 g = rng::stream(seed, path);
  if (*name == "uniform") {
    auto w = window(spec, path, chk, true);
    if (!w) return std::nullopt;
    return json(rng::uniform_int(g, w->first, w->second));
  }
  if (*name == "exponential") {
    auto mean = real(spec, "mean", path, chk, 0);
    auto w = window(spec, path, chk, false);
    if (!mean || !w) return std::nullopt;
    return truncated([&] { return rng::exponential(g, *mean); }, w->first, w->second, path, chk);
  }
  if (*name == "normal") {
    auto mean = real(spec, "mean", path, chk, -kMaxReal - 1);
    auto sd = real(spec, "sd", path, chk, 0);
    auto w = window(spec, path, chk, true);
    if (!mean || !sd || !w) return std::nullopt;
    return truncated([&] { return *mean + *sd * rng::standard_normal(g); }, w->first, w->second,
                     path, chk);
  }
  if (*name == "choice") {
    auto vals = values(spec, path, chk);
    if (!vals) return std::nullopt;
    return (*vals)[static_cast<std::size_t>(
        rng::uniform_int(g, 0, static_cast<std::int64_t>(vals->size()) - 1))];
  }
  return weights(spec, path, g, chk);
}

namespace {

// The JSON path of the value being visited, kept as the chain of its
// parents' steps and spelt out only for a draw: building every node's path
// string cost a third of loading 1000 listed processes (callgrind).
struct PathStep {
  const PathStep* up;
  const std::string* key;  ///< the object key, or null for an array index
  std::size_t index;
};

std::string spell(const PathStep* at) {
  if (!at) return "";
  std::string up = spell(at->up);
  return at->key ? child(up, *at->key) : child(up, at->index);
}

void resolve(json& v, const PathStep* at, std::uint64_t seed, Checker& chk) {
  if (is_draw(v)) {
    auto x = draw_value(v, seed, spell(at), chk);
    v = x ? *x : json(0);  // 0 after an error: the loader's other checks still run
    return;
  }
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      PathStep step{at, &it.key(), 0};
      resolve(it.value(), &step, seed, chk);
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      PathStep step{at, nullptr, i};
      resolve(v[i], &step, seed, chk);
    }
  }
}

}  // namespace

void resolve_draws(json& doc, Checker& chk) {
  if (!doc.is_object()) return;
  std::uint64_t seed = 0;
  if (doc.contains("seed")) {
    auto s = chk.integer(doc["seed"], "/seed", 0, INT64_MAX);
    if (!s) return;
    seed = static_cast<std::uint64_t>(*s);
  }
  resolve(doc, nullptr, seed, chk);
}

}  // namespace mpsim::detail
