// A process's variables (mpsim/kernel/process.hpp): a few inline, the rest
// spilled; the inline scan is in the header.
#include "mpsim/kernel/process.hpp"

namespace mpsim {

const Value* Variables::find_spilled(std::string_view name, std::uint64_t key) const {
  for (const Spilled& s : more_)
    if (s.key == key && name_tail_equal(name, s.name)) return &s.value;
  return nullptr;
}

void Variables::set(std::string_view name, Value v) {
  std::uint64_t key = name_key(name);
  if (const Value* old = find(name, key)) {
    *const_cast<Value*>(old) = std::move(v);  // found in this (non-const) object
    return;
  }
  if (used_ < kInline) {
    keys_[used_] = key;
    inline_[used_++] = Entry(std::string(name), std::move(v));
    return;
  }
  more_.push_back(Spilled{key, std::string(name), std::move(v)});
}

}  // namespace mpsim
