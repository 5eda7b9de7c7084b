#include "mpsim/model/diagnostics.hpp"

#include <algorithm>

namespace mpsim {

namespace {

// Control characters from a scenario (a NUL byte in a key, an escape
// sequence in a name) shown as \uXXXX: a message printed on the user's
// terminal must not be cut short or rewrite what the terminal shows.
std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out += c;
      continue;
    }
    static const char* hex = "0123456789abcdef";
    out += "\\u00";
    out += hex[u >> 4];
    out += hex[u & 15];
  }
  return out;
}

}  // namespace

std::string Diagnostic::format() const {
  std::string out = file + ": ";
  if (!path.empty()) out += path + ": ";
  return printable(out + message);
}

// Optimal string alignment distance: Levenshtein plus swaps of two neighbouring
// letters, the commonest typo ("cmopute"), counted as one edit.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // Allow roughly one typo per three letters, so "cors" finds "cores" but "x" finds nothing.
  std::size_t best = std::max<std::size_t>(1, word.size() / 3) + 1;
  std::string found;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best && d < word.size()) {  // keep at least one letter: "n" does not suggest "m"
      best = d;
      found = c;
    }
  }
  return found;
}

}  // namespace mpsim
