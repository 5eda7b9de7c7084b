#pragma once
/// Values held by process variables: 64-bit integers, booleans and strings.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>

namespace mpsim {

using Value = std::variant<std::int64_t, bool, std::string>;

/// "int", "bool" or "string": used in error messages.
const char* type_name(const Value& v);

/// The value as a user sees it in prints: 42, true, text (strings unquoted).
std::string to_display(const Value& v);

/// A failure of the running program (bad operand, division by zero, unknown
/// variable...). The machine ends the offending process with exit code 1.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mpsim
