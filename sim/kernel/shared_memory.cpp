// `load` and `store` on shared values and arrays (semantics.md §14). Both
// backends keep a value or array as the shared file of its name, so these are
// reads and writes of one file key: the race detector sees them, and the
// value's own rlock ("NAME.lock") orders them like any lock.
#include "kernel/runtime.hpp"

namespace mpsim::detail {

// "counter.value", or "squares.3" for element 3 of an array.
std::string Runtime::shared_key(const Instr& in, const EvalContext& ctx) {
  const SharedMemory& m = scenario().shared.at(in.object);
  if (!m.array) return in.object + ".value";
  std::int64_t i = in.handle.eval_int(ctx, "index");
  if (i < 0 || i >= m.length)
    throw RuntimeError("index " + std::to_string(i) + " out of range for array `" + in.object +
                       "` of " + std::to_string(m.length) + " elements (Python raises IndexError)");
  return in.object + "." + std::to_string(i);
}

Stop Runtime::load_shared(Process& p, const Instr& in, const EvalContext& ctx) {
  std::optional<Value> v = read_key(p, shared_key(in, ctx));
  p.vars.set(in.target, std::move(*v));  // every element exists from the start
  ++p.pc;
  return Stop::None;
}

void Runtime::store_shared(Process& p, const Instr& in, const EvalContext& ctx) {
  std::string key = shared_key(in, ctx);
  Value v = in.amount.eval(ctx);
  const SharedMemory& m = scenario().shared.at(in.object);
  if (v.index() != m.type.index())
    throw RuntimeError("store of " + std::string(type_name(v)) + " into " +
                       (m.array ? "array `" : "value `") + in.object + "` of " + type_name(m.type) +
                       " (Python raises TypeError)");
  write_key(p, key, std::move(v));
}

}  // namespace mpsim::detail
