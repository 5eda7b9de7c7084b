// Compiling the operations on shared values, arrays and pipes (semantics.md §14):
//   {"load": "counter", "into": "v"}        {"store": "squares", "index": "i", "value": "i * i"}
//   {"send": "chan.a", "value": "x"}        {"recv": "chan.b", "into": "x", "ok": "open"}
//   {"poll": "chan.b", "into": "ready", "timeout": 5}     {"close": "chan.a"}
#include <algorithm>

#include "mpsim/scenario/loader.hpp"
#include "scenario/compile.hpp"

namespace mpsim::detail {

namespace {

std::int32_t object_index(const CompileEnv& env, const std::string& name) {
  for (std::size_t i = 0; i < env.objects.size(); ++i)
    if (env.objects[i].name == name) return static_cast<std::int32_t>(i);
  return -1;
}

class IpcCompiler {
 public:
  IpcCompiler(Instr& in, const json& op, const std::string& path, const CompileEnv& env,
              Checker& chk)
      : in_(in), op_(op), path_(path), env_(env), chk_(chk) {}

  void shared(const std::string& name) {
    std::string apath = child(path_, name);
    auto s = chk_.string(op_.at(name), apath);
    if (!s) return;
    const SharedMemory* m = find_shared(*s, apath);
    if (!m) return;
    in_.object = *s;
    if (m->array != op_.contains("index")) {
      chk_.error(path_, m->array
                            ? "\"" + name + "\" of array `" + *s + "` needs an \"index\" (0 to " +
                                  std::to_string(m->length - 1) + ")"
                            : "\"" + name + "\" of value `" + *s +
                                  "` takes no \"index\" (it is not an array)");
      return;
    }
    if (m->array) index(*m);
    if (in_.op == OpCode::Load) {
      if (!op_.contains("into"))
        chk_.error(path_, "\"load\" needs \"into\": the variable to read into");
      else
        in_.target = chk_.variable(op_["into"], child(path_, "into")).value_or("");
    } else if (!op_.contains("value")) {
      chk_.error(path_, "\"store\" needs a \"value\"");
    } else if (auto e = chk_.value(op_["value"], child(path_, "value"))) {
      in_.amount = *e;
    }
  }

  void pipe(const std::string& name) {
    std::string apath = child(path_, name);
    auto s = chk_.string(op_.at(name), apath);
    if (!s) return;
    auto ends = end_queues(*s, apath);
    if (!ends) return;
    auto [recv_q, send_q] = *ends;
    in_.object = *s;
    if (in_.op == OpCode::Send) {
      if (send_q < 0) return wrong_direction(*s, apath, "receives only; send on", "w");
      in_.obj = send_q;
      in_.other = recv_q;
      if (!op_.contains("value"))
        chk_.error(path_, "\"send\" needs a \"value\": the message");
      else if (auto e = chk_.value(op_["value"], child(path_, "value")))
        in_.amount = *e;
      return;
    }
    if (in_.op != OpCode::ClosePipe && recv_q < 0)
      return wrong_direction(*s, apath, "sends only; " + name + " on", "r");
    in_.obj = recv_q;
    in_.other = send_q;
    if (op_.contains("into"))
      in_.target = chk_.variable(op_["into"], child(path_, "into")).value_or("");
    if (op_.contains("ok")) in_.flag = chk_.variable(op_["ok"], child(path_, "ok")).value_or("");
    if (in_.op == OpCode::Poll) {
      if (!op_.contains("into"))
        chk_.error(path_, "\"poll\" needs \"into\": the variable to store the answer in");
      if (op_.contains("timeout")) {
        in_.has_timeout = true;
        auto e = chk_.amount(op_["timeout"], child(path_, "timeout"), 0, kMaxTicks);
        in_.timeout = e ? *e : Expr::constant(0);
      }
    }
  }

 private:
  const SharedMemory* find_shared(const std::string& s, const std::string& apath) {
    if (env_.shared) {
      auto it = env_.shared->find(s);
      if (it != env_.shared->end()) return &it->second;
    }
    std::vector<std::string> known;
    if (env_.shared)
      for (const auto& [n, m] : *env_.shared) known.push_back(n);
    chk_.error(apath, unknown_name("value or array", s, known));
    return nullptr;
  }

  void index(const SharedMemory& m) {
    std::string ip = child(path_, "index");
    auto e = chk_.amount(op_["index"], ip, 0);
    if (!e) return;
    in_.handle = *e;
    const json& raw = op_["index"];
    if (raw.is_number_integer() && raw.get<std::int64_t>() >= m.length)
      chk_.error(ip, "expected an index from 0 to " + std::to_string(m.length - 1) +
                         " (the array has " + std::to_string(m.length) + " elements), found " +
                         std::to_string(raw.get<std::int64_t>()));
  }

  // "NAME.END" -> (queue the end receives from, queue it sends into); -1 for none.
  std::optional<std::pair<std::int32_t, std::int32_t>> end_queues(const std::string& s,
                                                                  const std::string& apath) {
    std::vector<std::string> all;
    if (env_.pipes)
      for (const PipeSpec& p : *env_.pipes) {
        std::string a = p.name + (p.duplex ? ".a" : ".r"), b = p.name + (p.duplex ? ".b" : ".w");
        all.push_back(a);
        all.push_back(b);
        if (s == a) return std::pair{object_index(env_, a), p.duplex ? object_index(env_, b) : -1};
        if (s == b) return std::pair{p.duplex ? object_index(env_, b) : -1, object_index(env_, a)};
      }
    chk_.error(apath, unknown_name("pipe end", s, all));
    return std::nullopt;
  }

  void wrong_direction(const std::string& s, const std::string& apath, const std::string& what,
                       const char* end) {
    std::string pipe = s.substr(0, s.rfind('.'));
    chk_.error(apath, "`" + s + "` is an end of one-way pipe `" + pipe + "` that " + what + " `" +
                          pipe + "." + end + "`");
  }

  Instr& in_;
  const json& op_;
  const std::string& path_;
  const CompileEnv& env_;
  Checker& chk_;
};

}  // namespace

void compile_ipc_op(Instr& in, const std::string& name, const json& op, const std::string& path,
                    const CompileEnv& env, Checker& chk) {
  IpcCompiler c(in, op, path, env, chk);
  if (in.op == OpCode::Load || in.op == OpCode::Store)
    c.shared(name);
  else
    c.pipe(name);
}

}  // namespace mpsim::detail
