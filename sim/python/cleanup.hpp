#pragma once
// Private to sim/python: the one way a Python run ends its processes.
#include <sys/types.h>

namespace mpsim::python::detail {

/// Kills the process group led by `leader` (if > 0) and reaps every child of
/// mpsim: the group's leader and, mpsim being their subreaper, every Python
/// process orphaned on the way. Returns when none is left.
void kill_group_and_reap(pid_t leader);

}  // namespace mpsim::python::detail
