#include "python/exec_args.hpp"

#include <cstdlib>

namespace mpsim::python::detail {

ExecArgs::ExecArgs(std::vector<std::string> argv, std::vector<std::string> env)
    : argv_(std::move(argv)), env_(std::move(env)) {
  for (const char* keep : {"PATH", "HOME", "LANG", "LC_ALL", "TERM"})
    if (const char* v = std::getenv(keep)) env_.push_back(std::string(keep) + "=" + v);
  for (auto& a : argv_) cargv_.push_back(a.data());
  for (auto& e : env_) cenv_.push_back(e.data());
  cargv_.push_back(nullptr);
  cenv_.push_back(nullptr);
}

}  // namespace mpsim::python::detail
