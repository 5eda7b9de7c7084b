#include "python/cleanup.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>

namespace mpsim::python::detail {

void kill_group_and_reap(pid_t leader) {
  if (leader > 0) ::kill(-leader, SIGKILL);
  int status = 0;
  while (::waitpid(-1, &status, 0) > 0 || errno == EINTR) {
  }
}

}  // namespace mpsim::python::detail
