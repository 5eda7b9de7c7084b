#pragma once
// Private to sim/report: how per-core run queues are shown (text and JSON).
// Nothing here is written unless machine.queues is "per_core", so the reports
// of every other run stay byte for byte what they were.
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "mpsim/model/result.hpp"

namespace mpsim::detail {

/// ", per-core queues (placement last, balance every 10 above 1, steal every 1)".
std::string describe_queues(const MachineConfig& m);
/// The "multi-core" section of the text report.
void multicore_text(std::ostringstream& out, const RunResult& r);
/// `machine.queues` and `machine.per_core`, added to the machine object.
void add_queues_json(nlohmann::ordered_json& machine, const MachineConfig& m);
/// The "multicore" object of the JSON report.
nlohmann::ordered_json multicore_json(const RunResult& r);

}  // namespace mpsim::detail
