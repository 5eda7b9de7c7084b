#pragma once
// Private to sim/report: process pools in the reports (docs/json-output.md,
// semantics.md §13). Every part is empty when the scenario declares no pool,
// so the outputs of other scenarios are unchanged.
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "mpsim/model/result.hpp"

namespace mpsim::detail {

/// The "pools" and "tasks" sections of the text report.
void pools_text(std::ostringstream& out, const RunResult& r);
/// Adds "pools" and "tasks" to the JSON result.
void pools_json(nlohmann::ordered_json& j, const RunResult& r);
/// Per tick, what happened to tasks: "t1+" submitted, "t1>4" started on pid 4,
/// "t1<" finished, "t1!" failed (space-separated, in task order).
std::map<Tick, std::string> task_marks(const RunResult& r);

}  // namespace mpsim::detail
