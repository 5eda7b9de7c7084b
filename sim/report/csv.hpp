#pragma once
// CSV cells as RFC 4180 quotes them: only cells with a comma, quote or line
// break are quoted, with inner quotes doubled.
#include <string>

namespace mpsim::detail {

inline std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace mpsim::detail
