#pragma once
// Private to sim/python: the argv and environment an interpreter is started
// with, as execve wants them.
#include <string>
#include <vector>

namespace mpsim::python::detail {

/// Owns the strings and the null-terminated pointer arrays. The environment
/// is `env` plus the variables mpsim passes through (PATH, HOME, LANG,
/// LC_ALL, TERM), nothing else of mpsim's own.
class ExecArgs {
 public:
  ExecArgs(std::vector<std::string> argv, std::vector<std::string> env);
  ExecArgs(const ExecArgs&) = delete;
  ExecArgs& operator=(const ExecArgs&) = delete;
  [[nodiscard]] const char* path() const { return argv_.front().c_str(); }
  [[nodiscard]] char* const* argv() const { return cargv_.data(); }
  [[nodiscard]] char* const* envp() const { return cenv_.data(); }

 private:
  std::vector<std::string> argv_, env_;
  std::vector<char*> cargv_, cenv_;
};

}  // namespace mpsim::python::detail
