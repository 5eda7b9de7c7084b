// A process's variables (mpsim/kernel/process.hpp): a few inline, the rest spilled.
#include "mpsim/kernel/process.hpp"

namespace mpsim {

namespace {

// Names are short: comparing in place beats a call to memcmp per variable.
bool same_name(const std::string& k, std::string_view name) {
  if (k.size() != name.size()) return false;
  std::size_t i = 0;
  while (i < k.size() && k[i] == name[i]) ++i;
  return i == k.size();
}

}  // namespace

// One body for find (const) and set (not): Self is Variables or const Variables.
template <typename Self>
auto* Variables::lookup(Self& self, std::string_view name) {
  for (std::uint32_t i = 0; i < self.used_; ++i)
    if (same_name(self.inline_[i].first, name)) return &self.inline_[i].second;
  if (self.used_ < kInline) return static_cast<decltype(&self.inline_[0].second)>(nullptr);  // nothing spilled
  for (auto& entry : self.more_)
    if (same_name(entry.first, name)) return &entry.second;
  return static_cast<decltype(&self.inline_[0].second)>(nullptr);
}

const Value* Variables::find(std::string_view name) const { return lookup(*this, name); }

void Variables::set(std::string_view name, Value v) {
  if (Value* old = lookup(*this, name)) {
    *old = std::move(v);
    return;
  }
  if (used_ < kInline) {
    inline_[used_++] = Entry(std::string(name), std::move(v));
    return;
  }
  more_.emplace_back(std::string(name), std::move(v));
}

}  // namespace mpsim
