#pragma once
// Loading the top-level declarations of shared memory and pipes (`values`,
// `arrays`, `pipes`; docs/semantics.md §14). A value or array becomes the
// shared file of its name plus, with `lock`, an rlock "NAME.lock"; a pipe
// becomes one queue object per receiving end.
#include <string>
#include <vector>

#include "mpsim/model/scenario.hpp"
#include "scenario/json_check.hpp"

namespace mpsim::detail {

/// The top-level keys this loader reads.
const std::vector<std::string>& ipc_keys();

/// Reads `values`, `arrays` and `pipes` of `doc` into `s` (after its files
/// and synchronisation objects, which their names must not collide with).
void load_ipc(const json& doc, Checker& chk, Scenario& s);

}  // namespace mpsim::detail
