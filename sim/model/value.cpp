#include "mpsim/model/value.hpp"

namespace mpsim {

const char* type_name(const Value& v) {
  switch (v.index()) {
    case 0: return "int";
    case 1: return "bool";
    default: return "string";
  }
}

std::string to_display(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return std::get<std::string>(v);
}

}  // namespace mpsim
