// Loader + checker on arbitrary bytes: what `mpsim check` does with a file.
#include <exception>
#include <string>

#include "checks.hpp"
#include "mpsim/scenario/loader.hpp"

namespace mpsim::fuzz {

namespace {

const char* const kSource = "fuzz.json";

// A diagnostic is what exit 2 prints: it names the file, a JSON pointer ("" or
// starting with '/') and says something.
std::string check_diagnostic(const Diagnostic& d) {
  if (d.file != kSource) return "a diagnostic names file '" + d.file + "'";
  if (!d.path.empty() && d.path.front() != '/')
    return "a diagnostic has JSON path '" + d.path + "'";
  if (d.message.empty()) return "a diagnostic at '" + d.path + "' has no message";
  if (d.format().rfind(std::string(kSource) + ": ", 0) != 0)
    return "format() does not start with the file";
  return "";
}

}  // namespace

std::string check_load(std::string_view bytes) {
  LoadResult r;
  try {
    r = load_scenario_text(std::string(bytes), kSource);
  } catch (const std::exception& e) {
    return std::string("the loader threw instead of reporting: ") + e.what();
  }
  if (r.scenario && !r.errors.empty()) return "a scenario and diagnostics at once";
  if (!r.scenario && r.errors.empty()) return "neither a scenario nor a diagnostic";
  for (const Diagnostic& d : r.errors)
    if (std::string bad = check_diagnostic(d); !bad.empty()) return bad;
  return "";
}

}  // namespace mpsim::fuzz
