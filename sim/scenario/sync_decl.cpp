// Object declarations. Lists name objects that have no settings; maps give
// each object its settings, e.g. "semaphores": {"slots": {"value": 2}}.
#include "scenario/sync_decl.hpp"

#include <algorithm>

#include "mpsim/scenario/loader.hpp"

namespace mpsim::detail {

namespace {

constexpr std::int64_t kMaxObjectValue = 1'000'000'000;

class DeclLoader {
 public:
  DeclLoader(Checker& chk, std::vector<SyncObject>& out) : chk_(chk), out_(out) {}

  void load(const json& doc) {
    names(doc, "locks", SyncKind::Lock);
    names(doc, "rlocks", SyncKind::RLock);
    settings(doc, "semaphores", SyncKind::Semaphore, {"value", "bounded"});
    names(doc, "events", SyncKind::Event);
    settings(doc, "barriers", SyncKind::Barrier, {"parties"});
    settings(doc, "conditions", SyncKind::Condition, {"lock"});
    settings(doc, "queues", SyncKind::Queue, {"capacity"});
  }

 private:
  void names(const json& doc, const char* key, SyncKind kind) {
    if (!doc.contains(key)) return;
    std::string path = std::string("/") + key;
    const json& list = doc[key];
    if (!chk_.is_array(list, path)) return;
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto name = chk_.string(list[i], child(path, i));
      if (name) add(*name, kind, child(path, i));
    }
  }

  void settings(const json& doc, const char* key, SyncKind kind, const std::vector<std::string>& allowed) {
    if (!doc.contains(key)) return;
    std::string path = std::string("/") + key;
    const json& map = doc[key];
    if (!chk_.is_object(map, path)) return;
    for (const auto& [name, spec] : map.items()) {
      std::string sp = child(path, name);
      if (!chk_.is_object(spec, sp)) continue;
      chk_.known_keys(spec, sp, allowed);
      SyncObject* o = add(name, kind, sp);
      if (o) configure(*o, spec, sp);
    }
  }

  void configure(SyncObject& o, const json& spec, const std::string& path) {
    auto num = [&](const char* key, std::int64_t min, std::int64_t fallback, bool required) {
      if (!spec.contains(key)) {
        if (required) chk_.error(path, std::string("missing key \"") + key + "\"");
        return fallback;
      }
      return chk_.integer(spec[key], child(path, key), min, kMaxObjectValue).value_or(fallback);
    };
    switch (o.kind) {
      case SyncKind::Semaphore:
        o.value = num("value", 0, 1, false);  // Python's default is 1
        if (spec.contains("bounded")) o.bounded = chk_.boolean(spec["bounded"], child(path, "bounded")).value_or(false);
        break;
      case SyncKind::Barrier: o.value = num("parties", 1, 1, true); break;
      case SyncKind::Queue: o.value = num("capacity", 1, 0, false); break;
      case SyncKind::Condition: o.lock = condition_lock(spec, path); break;
      default: break;
    }
  }

  // A condition's lock must be declared (in "locks" or "rlocks", which load first).
  std::int32_t condition_lock(const json& spec, const std::string& path) {
    if (!spec.contains("lock")) {
      chk_.error(path, "missing key \"lock\": the lock or rlock this condition waits with");
      return -1;
    }
    auto name = chk_.string(spec["lock"], child(path, "lock"));
    if (!name) return -1;
    std::vector<std::string> locks;
    for (std::size_t i = 0; i < out_.size(); ++i) {
      if (out_[i].kind != SyncKind::Lock && out_[i].kind != SyncKind::RLock) continue;
      if (out_[i].name == *name) return static_cast<std::int32_t>(i);
      locks.push_back(out_[i].name);
    }
    chk_.error(child(path, "lock"), unknown_name("lock", *name, locks));
    return -1;
  }

  SyncObject* add(const std::string& name, SyncKind kind, const std::string& path) {
    if (name.empty()) {
      chk_.error(path, "expected a non-empty name");
      return nullptr;
    }
    auto same = std::find_if(out_.begin(), out_.end(), [&](const SyncObject& o) { return o.name == name; });
    if (same != out_.end()) {
      chk_.error(path, "duplicate name \"" + name + "\": it is already " + (same->kind == SyncKind::Event ? "an " : "a ") + to_string(same->kind) +
                           " (object names are shared by all kinds)");
      return nullptr;
    }
    out_.push_back(SyncObject{name, kind, 0, false, -1});
    return &out_.back();
  }

  Checker& chk_;
  std::vector<SyncObject>& out_;
};

}  // namespace

const std::vector<std::string>& sync_object_keys() {
  static const std::vector<std::string> kKeys = {"locks",    "rlocks",     "semaphores", "events",
                                                 "barriers", "conditions", "queues"};
  return kKeys;
}

void load_sync_objects(const json& doc, Checker& chk, std::vector<SyncObject>& out) {
  DeclLoader(chk, out).load(doc);
}

}  // namespace mpsim::detail
