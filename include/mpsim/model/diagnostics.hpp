#pragma once
/// Errors in user input: each names the file, the JSON path and what was expected.
#include <string>
#include <vector>

namespace mpsim {

struct Diagnostic {
  std::string file;
  std::string path;  ///< JSON pointer, "" for the whole document
  std::string message;
  /// "file: /json/path: message"
  [[nodiscard]] std::string format() const;
};

/// The closest candidate within a small edit distance, or "" (for "did you mean").
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

/// Edit distance (insertions, deletions, substitutions and swaps of adjacent
/// letters each count 1), used for suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace mpsim
