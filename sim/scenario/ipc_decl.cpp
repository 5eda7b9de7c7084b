// `values`, `arrays` and `pipes`, e.g.
//   "values": {"counter": {"value": 0, "lock": true}},
//   "arrays": {"squares": {"length": 4}},
//   "pipes":  {"chan": {"duplex": false, "capacity": 2}}
#include "scenario/ipc_decl.hpp"

#include <algorithm>
#include <cctype>

namespace mpsim::detail {

namespace {

// Each element is one key of a shared file: real mode writes the whole file
// at every store, so arrays stay small.
constexpr std::int64_t kMaxArrayLength = 1000;
constexpr std::int64_t kMaxPipeCapacity = 1'000'000;
constexpr std::size_t kMaxName = 64;

class IpcLoader {
 public:
  IpcLoader(Checker& chk, Scenario& s) : chk_(chk), s_(s) {}

  void load(const json& doc) {
    each(doc, "values",
         [&](const std::string& n, const json& spec, const std::string& p) { value(n, spec, p); });
    each(doc, "arrays",
         [&](const std::string& n, const json& spec, const std::string& p) { array(n, spec, p); });
    each(doc, "pipes",
         [&](const std::string& n, const json& spec, const std::string& p) { pipe(n, spec, p); });
  }

 private:
  template <class F>
  void each(const json& doc, const char* key, F f) {
    if (!doc.contains(key)) return;
    std::string path = std::string("/") + key;
    const json& map = doc[key];
    if (!chk_.is_object(map, path)) return;
    for (const auto& [name, spec] : map.items()) {
      std::string sp = child(path, name);
      if (!chk_.is_object(spec, sp) || !free_name(name, sp)) continue;
      f(name, spec, sp);
    }
  }

  // Letters, digits, _ and -: the name is a file name in real mode and the
  // part before the dot of "NAME.lock" and "NAME.a".
  bool free_name(const std::string& name, const std::string& path) {
    bool ok = !name.empty() && name[0] != '-' && name.size() <= kMaxName &&
              std::all_of(name.begin(), name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
              });
    if (!ok) {
      chk_.error(path, "name \"" + name + "\" is not allowed: use 1 to " +
                           std::to_string(kMaxName) +
                           " letters, digits, _ and - (no dots or separators)");
      return false;
    }
    if (s_.files.count(name) || s_.shared.count(name) || pipe_named(name)) {
      chk_.error(path, "duplicate name \"" + name +
                           "\": files, values, arrays and pipes share one namespace");
      return false;
    }
    return true;
  }

  bool pipe_named(const std::string& name) const {
    return std::any_of(s_.pipes.begin(), s_.pipes.end(),
                       [&](const PipeSpec& p) { return p.name == name; });
  }

  std::optional<Value> element(const json& v, const std::string& path) {
    if (v.is_boolean()) return Value{v.get<bool>()};
    if (v.is_string()) return Value{v.get<std::string>()};
    if (v.is_number_integer()) {
      if (auto x = chk_.integer(v, path, INT64_MIN)) return Value{*x};
      return std::nullopt;
    }
    chk_.error(path, "expected an integer, true/false or a string, found " + describe(v));
    return std::nullopt;
  }

  void value(const std::string& name, const json& spec, const std::string& path) {
    chk_.known_keys(spec, path, {"value", "lock"});
    Value init{std::int64_t{0}};
    if (spec.contains("value")) {
      auto v = element(spec["value"], child(path, "value"));
      if (!v) return;
      init = *v;
    }
    SharedMemory m;
    m.type = init;
    if (!with_lock(name, spec, path, m)) return;
    s_.files[name]["value"] = init;
    s_.shared[name] = m;
  }

  void array(const std::string& name, const json& spec, const std::string& path) {
    chk_.known_keys(spec, path, {"length", "values", "lock"});
    std::vector<Value> init;
    if (spec.contains("length") == spec.contains("values")) {
      chk_.error(path,
                 "expected exactly one of \"length\" (that many zeros) or \"values\" (the initial "
                 "elements)");
      return;
    }
    if (spec.contains("length")) {
      auto n = chk_.integer(spec["length"], child(path, "length"), 1, kMaxArrayLength);
      if (!n) return;
      init.assign(static_cast<std::size_t>(*n), Value{std::int64_t{0}});
    } else {
      std::string vp = child(path, "values");
      const json& vs = spec["values"];
      if (!chk_.is_array(vs, vp)) return;
      if (vs.empty() || static_cast<std::int64_t>(vs.size()) > kMaxArrayLength) {
        chk_.error(vp, "expected 1 to " + std::to_string(kMaxArrayLength) + " elements, found " +
                           std::to_string(vs.size()));
        return;
      }
      for (std::size_t i = 0; i < vs.size(); ++i) {
        auto v = element(vs[i], child(vp, i));
        if (!v) return;
        if (i > 0 && v->index() != init[0].index()) {
          chk_.error(child(vp, i), std::string("expected every element to be ") +
                                       type_name(init[0]) + " like the first, found " +
                                       type_name(*v));
          return;
        }
        init.push_back(*v);
      }
    }
    SharedMemory m;
    m.array = true;
    m.length = static_cast<std::int64_t>(init.size());
    m.type = init[0];
    if (!with_lock(name, spec, path, m)) return;
    FileContent& f = s_.files[name];
    for (std::size_t i = 0; i < init.size(); ++i) f[std::to_string(i)] = init[i];
    s_.shared[name] = m;
  }

  // Python's Value and Array come with an RLock unless lock=False.
  bool with_lock(const std::string& name, const json& spec, const std::string& path,
                 SharedMemory& m) {
    bool lock = true;
    if (spec.contains("lock")) {
      auto b = chk_.boolean(spec["lock"], child(path, "lock"));
      if (!b) return false;
      lock = *b;
    }
    if (!lock) return true;
    m.lock = add_object(name + ".lock", SyncKind::RLock, 0, false, path);
    return m.lock >= 0;
  }

  void pipe(const std::string& name, const json& spec, const std::string& path) {
    chk_.known_keys(spec, path, {"duplex", "capacity"});
    PipeSpec p;
    p.name = name;
    if (spec.contains("duplex")) {
      auto b = chk_.boolean(spec["duplex"], child(path, "duplex"));
      if (!b) return;
      p.duplex = *b;
    }
    if (spec.contains("capacity")) {
      auto c = chk_.integer(spec["capacity"], child(path, "capacity"), 1, kMaxPipeCapacity);
      if (!c) return;
      p.capacity = *c;
    }
    for (const char* end :
         p.duplex ? std::vector<const char*>{"a", "b"} : std::vector<const char*>{"r"})
      if (add_object(name + "." + end, SyncKind::Queue, p.capacity, true, path) < 0) return;
    s_.pipes.push_back(p);
  }

  std::int32_t add_object(const std::string& name, SyncKind kind, std::int64_t value, bool pipe_end,
                          const std::string& path) {
    for (const SyncObject& o : s_.objects)
      if (o.name == name) {
        chk_.error(path, "duplicate name \"" + name + "\": it is already " + quoted(o) +
                             " (object names are shared by all kinds)");
        return -1;
      }
    SyncObject o{name, kind, value, false, -1, pipe_end};
    s_.objects.push_back(o);
    return static_cast<std::int32_t>(s_.objects.size() - 1);
  }

  Checker& chk_;
  Scenario& s_;
};

}  // namespace

const std::vector<std::string>& ipc_keys() {
  static const std::vector<std::string> kKeys = {"values", "arrays", "pipes"};
  return kKeys;
}

void load_ipc(const json& doc, Checker& chk, Scenario& s) {
  IpcLoader(chk, s).load(doc);
}

}  // namespace mpsim::detail
