#pragma once
// Draw objects in scenario JSON: {"$random": "uniform", "min": 1, "max": 9}
// anywhere a value goes, replaced by a value drawn from the scenario's `seed`
// before the loader checks the document (docs/semantics.md §10).
#include <cstdint>
#include <optional>
#include <string>

#include "scenario/json_check.hpp"

namespace mpsim::detail {

/// The key that marks an object as a draw.
inline constexpr const char* kDrawKey = "$random";

bool is_draw(const json& v);

/// Reads the optional top-level "seed" (default 0) and replaces every draw in
/// `doc` by its value; each problem is reported with its JSON path.
void resolve_draws(json& doc, Checker& chk);

/// The value of the draw object `spec` at `path` (also its stream's name)
/// under `seed`; nullopt after reporting what is wrong.
std::optional<json> draw_value(const json& spec, std::uint64_t seed, const std::string& path,
                               Checker& chk);

}  // namespace mpsim::detail
