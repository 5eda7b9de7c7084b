#pragma once
// Loading the top-level declarations of synchronisation and IPC objects
// (locks, rlocks, semaphores, events, barriers, conditions, queues).
#include <string>
#include <vector>

#include "scenario/json_check.hpp"
#include "mpsim/model/scenario.hpp"

namespace mpsim::detail {

/// The top-level keys that declare objects, in SyncKind order.
const std::vector<std::string>& sync_object_keys();

/// Reads every declaration present in `doc` into `out` (kinds in SyncKind
/// order, each in file order). Names must be unique across all kinds, because
/// operations such as `acquire` and `wait` name an object without its kind.
void load_sync_objects(const json& doc, Checker& chk, std::vector<SyncObject>& out);

}  // namespace mpsim::detail
