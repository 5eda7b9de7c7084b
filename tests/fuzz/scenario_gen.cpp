// The scenario generator of the structure-aware fuzz target (scenario_gen.hpp).
// Bounds that keep every run short, even tick by tick: at most 4 programs, of
// which program i spawns only programs j > i (finite process trees), at most 4
// process entries of at most 3 replicas, blocks nested at most 3 deep, loops
// of at most 4 rounds, durations mostly under 10 ticks and never over 100.
#include "scenario_gen.hpp"

#include <string>
#include <vector>

namespace mpsim::fuzz {

int Bytes::pick(int lo, int hi) {
  if (hi <= lo || pos_ >= data_.size()) return lo;
  auto span = static_cast<unsigned>(hi - lo) + 1;
  unsigned raw = static_cast<unsigned char>(data_[pos_++]);
  if (span > 256 && pos_ < data_.size()) raw = raw << 8 | static_cast<unsigned char>(data_[pos_++]);
  return lo + static_cast<int>(raw % span);
}

namespace {

std::string num(int v) {
  return std::to_string(v);
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

class Generator {
 public:
  explicit Generator(std::string_view bytes) : b_(bytes) {}

  std::string scenario() {
    cores_ = b_.chance(3) ? (b_.chance(50) ? 0 : 1025) : b_.pick(1, 4);
    programs_ = b_.pick(1, 4);
    std::string s = R"({"name": "fuzz", "machine": )" + machine();
    s += R"(, "files": {"f": {"k": 0, "s": "x"}}, "locks": ["m0", "m1"], "rlocks": ["r0"])";
    s += R"(, "semaphores": {"s0": {"value": )" + num(b_.pick(0, 2)) + R"(, "bounded": )" +
         (b_.chance(50) ? "true" : "false") + "}}";
    s += R"(, "events": ["e0"], "barriers": {"b0": {"parties": )" + num(b_.pick(1, 3)) + "}}";
    s += R"(, "conditions": {"c0": {"lock": "m0"}}, "queues": {"q0": {"capacity": )" +
         num(b_.chance(3) ? 0 : b_.pick(1, 3)) + "}}";
    s += R"(, "programs": {)";
    for (int i = 0; i < programs_; ++i) s += (i ? ", " : "") + program(i);
    return s + R"(}, "processes": [)" + processes() + "]}";
  }

 private:
  struct Block {
    int prog, depth;
    bool in_loop = false;
  };

  std::string machine() {
    std::string m = "{\"cores\": " + num(cores_) + ", \"scheduler\": " + scheduler();
    if (b_.chance(60)) m += ", \"context_switch\": " + num(b_.pick(0, 3));
    if (b_.chance(40))
      m += std::string(", \"switch_on_io\": ") + (b_.chance(50) ? "true" : "false");
    if (b_.chance(40))
      m += std::string(", \"io_completion\": ") + (b_.chance(50) ? "\"enqueue\"" : "\"preempt\"");
    if (b_.chance(40)) m += ", \"io_channels\": " + num(b_.pick(0, 3));
    if (b_.chance(40))
      m += std::string(", \"exit_semantics\": ") + (b_.chance(50) ? "\"posix\"" : "\"python\"");
    return m + "}";
  }

  // Quanta and slices: mostly 1..6, sometimes 0 or negative (to be rejected).
  std::string quantum() { return num(b_.chance(5) ? b_.pick(-1, 0) : b_.pick(1, 6)); }

  std::string scheduler() {
    switch (b_.pick(0, 7)) {
      case 0:
        return R"("fcfs")";
      case 1:
        return R"("sjf")";
      case 2:
        return R"("srtf")";
      case 3:
        return R"({"policy": "rr", "quantum": )" + quantum() + "}";
      case 4:
        return std::string(R"({"policy": "priority", "preemptive": )") +
               (b_.chance(50) ? "true" : "false") + ", \"aging\": " + num(b_.pick(0, 3)) + "}";
      case 5:
        return R"({"policy": "fair", "quantum": )" + quantum() + "}";
      case 6:
        return R"({"policy": "cfs", "sched_latency": )" + quantum() +
               ", \"min_granularity\": " + quantum() + "}";
      default:
        return mlfq();
    }
  }

  std::string mlfq() {
    int levels = b_.pick(1, 4);
    std::string s = R"({"policy": "mlfq", "levels": )" + num(levels);
    // The lists are one too short or long now and then: the loader must say so.
    int n = b_.chance(5) ? b_.pick(0, 5) : levels;
    s += b_.chance(50) ? ", \"quantum\": " + quantum() : ", \"quanta\": " + list(n);
    if (b_.chance(50))
      s += ", \"allotment\": " + num(b_.pick(0, 6));
    else
      s += ", \"allotments\": " + list(n);
    return s + ", \"boost\": " + num(b_.chance(50) ? 0 : b_.pick(1, 20)) + "}";
  }

  std::string list(int n) {
    std::string s = "[";
    for (int i = 0; i < n; ++i) s += (i ? ", " : "") + quantum();
    return s + "]";
  }

  std::string processes() {
    std::string s;
    int n = b_.pick(1, 4);
    for (int i = 0; i < n; ++i) {
      int count = b_.pick(1, 3);
      s += i ? ", " : "";
      s += R"({"name": "p)" + num(i) + (count > 1 ? "-{index}" : "") + R"(", "program": "p)" +
           num(b_.pick(0, programs_ - 1)) + "\"";
      if (count > 1 || b_.chance(5)) s += ", \"count\": " + num(count);
      if (b_.chance(50)) s += ", \"arrival\": " + num(b_.pick(0, 12));
      if (b_.chance(40)) s += ", \"priority\": " + num(b_.pick(0, 5));
      if (b_.chance(25)) s += ", \"nice\": " + num(b_.pick(-20, 19));
      if (b_.chance(20)) s += ", \"affinity\": " + affinity();
      if (b_.chance(8)) s += R"(, "daemon": true)";
      // Arguments may read only pid and index (a program's variables do not exist yet).
      if (b_.chance(20))
        s += std::string(R"(, "args": {"n": ")") + (b_.chance(50) ? "pid % 5" : "3") + "\"}";
      s += "}";
    }
    return s;
  }

  std::string affinity() {
    std::string s;
    int top = cores_ < 1 || cores_ > 4 ? 4 : cores_;
    for (int c = 0; c <= top; ++c)  // c == top: a core that does not exist, now and then
      if (b_.chance(c < top ? 50 : 3)) s += (s.empty() ? "" : ", ") + num(c);
    return "[" + (s.empty() && b_.chance(95) ? "0" : s) + "]";
  }

  std::string program(int i) {
    spawns_ = 0;
    return "\"p" + num(i) + "\": [" + ops(Block{i, 0, false}) + "]";
  }

  std::string ops(const Block& blk) {
    std::string s;
    int n = b_.pick(blk.depth == 0 ? 1 : 0, blk.depth == 0 ? 6 : 3);
    for (int k = 0; k < n; ++k) s += (k ? ", " : "") + op(blk);
    return s;
  }

  // An integer expression that stays small: durations and counts.
  std::string expr() {
    switch (b_.pick(0, 9)) {
      case 0:
        return "pid % 4";
      case 1:
        return "now % 3";
      case 2:
        return "min(x, 5)";  // x may be unset, a string or large: runtime errors
      case 3:
        return "abs(n) % 6";
      case 4:
        return "index + 1";  // only some processes have an index
      case 5:
        return "2 * (ppid % 3) - 1";
      case 6:
        return "max(1, 9 / (pid % 3))";  // division by zero for some pids
      default:
        return num(b_.pick(0, 5));
    }
  }

  std::string duration() {
    if (b_.chance(10)) return quoted(expr());
    if (b_.chance(3)) return num(b_.chance(50) ? -1 : b_.pick(20, 100));
    return num(b_.pick(0, 8));
  }

  std::string timeout() {
    return b_.chance(60) ? ", \"timeout\": " + num(b_.chance(3) ? -1 : b_.pick(0, 6)) : "";
  }

  std::string handle() { return "h" + num(b_.pick(0, 2)); }

  std::string condition() {
    switch (b_.pick(0, 4)) {
      case 0:
        return "pid % 2 == 0";
      case 1:
        return "is_alive(h0)";
      case 2:
        return "x > 3 || now > 5";
      case 3:
        return "exitcode(h1) == 0";
      default:
        return "name_of(h0) == 'p1-2'";
    }
  }

  std::string op(const Block& blk) {
    bool nest = blk.depth < 3;
    // Children only outside loops and at most 2 per program: a tree of at most 15 per root.
    bool can_spawn = blk.prog + 1 < programs_ && !blk.in_loop && spawns_ < 2;
    switch (b_.pick(0, 29)) {
      case 0:
      case 1:
      case 2:
        return R"({"compute": )" + duration() + "}";
      case 3:
        return R"({"io": )" + duration() + "}";
      case 4:
        return R"({"sleep": )" + duration() + "}";
      case 5:
        return b_.chance(50) ? R"("yield")" : R"({"yield": true})";
      case 6:
        return R"({"print": "{name} {pid} x={x} at {now}"})";
      case 7:
        return R"({"set": "x", "value": ")" + expr() + " + x\"}";
      case 8:
        return R"({"set": "x", "value": ")" + expr() + "\"}";
      case 9:
        if (!nest) return R"({"compute": 1})";
        return R"({"repeat": )" + (b_.chance(20) ? quoted(expr()) : num(b_.pick(0, 4))) +
               R"(, "do": [)" + ops(Block{blk.prog, blk.depth + 1, true}) + "]}";
      case 10:
        return nest ? while_op(blk) : R"("yield")";
      case 11: {
        if (!nest) return R"({"sleep": 1})";
        std::string s = R"({"if": ")" + condition() + R"(", "then": [)" +
                        ops(Block{blk.prog, blk.depth + 1, blk.in_loop}) + "]";
        if (b_.chance(50))
          s += R"(, "else": [)" + ops(Block{blk.prog, blk.depth + 1, blk.in_loop}) + "]";
        return s + "}";
      }
      case 12:
      case 13:
        if (!can_spawn) return R"({"io": 1})";
        ++spawns_;
        return R"({"spawn": "p)" + num(b_.pick(blk.prog + 1, programs_ - 1)) + R"(", "into": ")" +
               handle() + "\"" + (b_.chance(20) ? R"(, "daemon": true)" : "") +
               (b_.chance(20) ? R"(, "args": {"n": 3})" : "") + "}";
      case 14: {
        if (!can_spawn) return R"({"compute": 2})";
        ++spawns_;
        std::string h = handle();
        std::string s = R"({"create": "p)" + num(b_.pick(blk.prog + 1, programs_ - 1)) +
                        R"(", "into": ")" + h + "\"}";
        if (b_.chance(30)) s += R"(, {"set_daemon": ")" + h + R"(", "value": true})";
        return s + R"(, {"start": ")" + (b_.chance(90) ? h : handle()) + "\"}";
      }
      case 15:
      case 16:
        return R"({"join": ")" + handle() + "\"" + timeout() + "}";
      case 17:
        return R"({"terminate": ")" + handle() + "\"}";
      case 18:
        return R"({"kill": ")" + handle() + "\"}";
      case 19:
        switch (b_.pick(0, 2)) {
          case 0:
            return R"({"is_alive": ")" + handle() + R"(", "into": "x"})";
          case 1:
            return R"({"getpid": "x"})";
          default:
            return R"({"getppid": "x"})";
        }
      case 20:
        return R"({"exit": )" + num(b_.pick(-2, 3)) + "}";
      case 21:
        return b_.chance(50) ? R"({"read": "f.k", "into": "x"})"
                             : R"({"write": "f.k", "value": "x + 1"})";
      case 22: {
        std::string m = b_.chance(70) ? "m" + num(b_.pick(0, 1)) : "r0";
        std::string body = nest ? ops(Block{blk.prog, blk.depth + 1, blk.in_loop}) : "";
        // A release is sometimes missing or doubled: runtime errors, or held locks.
        std::string s = R"({"acquire": ")" + m + "\"" + timeout() + "}";
        if (!body.empty()) s += ", " + body;
        if (b_.chance(90)) s += R"(, {"release": ")" + m + "\"}";
        if (b_.chance(5)) s += R"(, {"release": ")" + m + "\"}";
        return s;
      }
      case 23:
        return R"({"acquire": "s0")" + timeout() + R"(, "into": "ok"}, {"release": "s0"})";
      case 24:
        switch (b_.pick(0, 2)) {
          case 0:
            return R"({"set_event": "e0"})";
          case 1:
            return R"({"clear_event": "e0"})";
          default:
            return R"({"wait": "e0")" + timeout() + "}";
        }
      case 25:
        return R"({"wait": "b0"})";  // a barrier wait takes no timeout
      case 26:
        return R"({"acquire": "m0"}, {"wait": "c0")" + timeout() + R"(}, {")" +
               (b_.chance(50) ? "notify" : "notify_all") + R"(": "c0"}, {"release": "m0"})";
      case 27:
        return R"({"put": "q0", "value": "pid")" + timeout() + R"(, "ok": "ok"})";
      case 28:
        return R"({"get": "q0", "into": "x")" + timeout() + R"(, "ok": "ok"})";
      default:
        return R"({"qsize": "q0", "into": "x"})";
    }
  }

  // A counted while loop: its own counter, so nothing inside can make it endless.
  std::string while_op(const Block& blk) {
    std::string w = "w" + num(blk.depth);
    std::string body = ops(Block{blk.prog, blk.depth + 1, true});
    return R"({"set": ")" + w + R"(", "value": "0"}, {"while": ")" + w + " < " +
           num(b_.pick(0, 3)) + R"(", "do": [)" + body + (body.empty() ? "" : ", ") +
           R"({"set": ")" + w + R"(", "value": ")" + w + " + 1\"}]}";
  }

  Bytes b_;
  int cores_ = 1;
  int programs_ = 1;
  int spawns_ = 0;  ///< spawn and create operations in the current program
};

}  // namespace

std::string generate_scenario(std::string_view bytes) {
  return Generator(bytes).scenario();
}

}  // namespace mpsim::fuzz
