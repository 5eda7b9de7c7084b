// Burst prediction for SJF and SRTF. A scheduler cannot know the future, so
// mpsim follows the program from where the process stands, without running
// anything: it takes jumps and loops as they would go with the variables as
// they are now, and stops at the first compute. Blocking ops and exits end
// the search (a burst of 0: the process will leave the core at once).
#include "kernel/policies/queues.hpp"

namespace mpsim::policies {

namespace {

class VarsOnly : public EvalContext {
 public:
  explicit VarsOnly(const Process& p) : p_(p) {}
  std::optional<Value> variable(std::string_view n) const override {
    if (n == "pid") return Value{static_cast<std::int64_t>(p_.pid)};
    if (const Value* v = p_.vars.find(n)) return *v;
    return std::nullopt;
  }
  Value call(std::string_view, const std::vector<Value>&) const override {
    throw RuntimeError("not predictable");
  }

 private:
  const Process& p_;
};

}  // namespace

Tick predicted_burst(const Process& p) {
  if (p.remaining > 0) return p.remaining;
  VarsOnly ctx(p);
  std::int32_t pc = p.pc;
  for (int steps = 0; steps < 1000; ++steps) {
    const Instr& in = p.program->code[static_cast<std::size_t>(pc)];
    try {
      switch (in.op) {
        case OpCode::Compute: {
          Tick n = in.amount.eval_int(ctx, "compute");
          if (n > 0) return n;
          ++pc;
          continue;
        }
        case OpCode::Jump: pc = in.jump; continue;
        case OpCode::JumpIfFalse: pc = in.condition.eval_bool(ctx, "if") ? pc + 1 : in.jump; continue;
        case OpCode::RepeatInit: {  // a loop not entered yet: its count decides
          // (the RepeatNext right after it reads a counter not yet set)
          bool enters = in.amount.eval_int(ctx, "repeat") > 0;
          pc = enters ? pc + 2 : p.program->code[static_cast<std::size_t>(pc) + 1].jump;
          continue;
        }
        case OpCode::RepeatNext:
          pc = p.loop_counters[static_cast<std::size_t>(in.slot)] > 0 ? pc + 1 : in.jump;
          continue;
        case OpCode::Io: case OpCode::Sleep: case OpCode::Join: case OpCode::Acquire:
        case OpCode::Exit: case OpCode::End: case OpCode::Yield:
          return 0;
        default: ++pc; continue;
      }
    } catch (const RuntimeError&) {
      return 0;
    }
  }
  return 0;
}

}  // namespace mpsim::policies
