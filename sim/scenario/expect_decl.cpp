// `expect`: a list of expression strings, each checked like any expression,
// plus a check that it names only the outcome variables (a process's
// variables are gone at the end of a run).
#include "scenario/expect_decl.hpp"

#include <algorithm>

#include "mpsim/scenario/loader.hpp"

namespace mpsim::detail {

const std::vector<std::string>& expect_variables() {
  static const std::vector<std::string> kVars = {"deadlock", "no_deadlock", "errors",
                                                 "failed_asserts", "makespan"};
  return kVars;
}

const std::vector<std::string>& expect_functions() {
  static const std::vector<std::string> kFuncs = {"file", "printed", "printed_at", "exit_code"};
  return kFuncs;
}

std::optional<Expectation> expectation(const std::string& src, const std::string& path,
                                       Checker& chk) {
  auto e = chk.expression(src, path, expect_functions());
  if (!e) return std::nullopt;
  const auto& known = expect_variables();
  for (const auto& v : e->variables()) {
    if (std::find(known.begin(), known.end(), v) != known.end()) continue;
    chk.error(path,
              "unknown name \"" + v + "\" in expect \"" + src + "\"" +
                  (closest_match(v, known).empty()
                       ? ""
                       : " (did you mean \"" + closest_match(v, known) + "\"?)") +
                  "; an expect may use " + join(known) +
                  ", file('f.key'), printed('text'), printed_at('text') and exit_code('process')");
    return std::nullopt;
  }
  return Expectation{src, *e, path};
}

void load_expects(const json& doc, Checker& chk, std::vector<Expectation>& out) {
  if (!doc.contains("expect")) return;
  const json& list = doc["expect"];
  if (!chk.is_array(list, "/expect")) return;
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string path = child("/expect", i);
    auto src = chk.string(list[i], path);
    if (!src) continue;
    if (auto e = expectation(*src, path, chk)) out.push_back(std::move(*e));
  }
}

}  // namespace mpsim::detail

namespace mpsim {

std::optional<Expectation> parse_expect(const std::string& src, const std::string& where,
                                        std::vector<Diagnostic>& errors) {
  detail::Checker chk(where, errors);
  return detail::expectation(src, "", chk);
}

}  // namespace mpsim
