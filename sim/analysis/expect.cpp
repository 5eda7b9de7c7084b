// Expectations are evaluated in a context that knows only the outcome: the
// final files, the printed lines, errors, deadlock and makespan.
#include "mpsim/analysis/expect.hpp"

#include <algorithm>

namespace mpsim {

namespace {

std::string text_arg(std::string_view f, const std::vector<Value>& args) {
  if (args.size() != 1) throw RuntimeError(std::string(f) + "() takes 1 argument");
  const auto* s = std::get_if<std::string>(&args[0]);
  if (!s) throw RuntimeError(std::string(f) + "() needs a string, got " + type_name(args[0]));
  return *s;
}

class OutcomeContext : public EvalContext {
 public:
  explicit OutcomeContext(const RunResult& r) : r_(r) {}

  std::optional<Value> variable(std::string_view n) const override {
    if (n == "deadlock") return Value{r_.deadlock};
    if (n == "no_deadlock") return Value{!r_.deadlock};
    if (n == "errors") return Value{static_cast<std::int64_t>(r_.errors.size())};
    if (n == "failed_asserts") return Value{static_cast<std::int64_t>(failed_asserts(r_))};
    if (n == "makespan") return Value{r_.makespan};
    return std::nullopt;
  }

  Value call(std::string_view f, const std::vector<Value>& args) const override {
    if (f == "file") return file(text_arg(f, args));
    if (f == "printed" || f == "printed_at") {
      std::string needle = text_arg(f, args);
      std::int64_t count = 0;
      for (std::size_t i = 0; i < r_.prints.size(); ++i) {
        if (r_.prints[i].text.find(needle) == std::string::npos) continue;
        if (f == "printed_at") return Value{static_cast<std::int64_t>(i)};
        ++count;
      }
      return Value{f == "printed_at" ? std::int64_t{-1} : count};
    }
    if (f == "exit_code") return exit_code(text_arg(f, args));
    if (f == "str" || f == "abs" || f == "min" || f == "max") return pure(f, args);
    throw RuntimeError(std::string(f) + "() cannot be used in an expect (no process is running)");
  }

 private:
  Value file(const std::string& key) const {
    auto dot = key.find('.');
    auto it = dot == std::string::npos ? r_.files.end() : r_.files.find(key.substr(0, dot));
    if (it == r_.files.end()) throw RuntimeError("file('" + key + "'): no such shared file");
    auto v = it->second.find(key.substr(dot + 1));
    if (v == it->second.end())
      throw RuntimeError("file('" + key + "'): the file has no key '" + key.substr(dot + 1) + "'");
    return v->second;
  }
  Value exit_code(const std::string& name) const {
    for (const ProcessResult& p : r_.processes) {
      if (p.name != name) continue;
      bool exited = p.state == ProcState::Zombie || p.state == ProcState::Reaped;
      if (!exited) throw RuntimeError("exit_code('" + name + "'): the process did not exit");
      return Value{p.exit_code};
    }
    throw RuntimeError("exit_code('" + name + "'): no process has that name");
  }
  static Value pure(std::string_view f, const std::vector<Value>& args) {
    if (f == "str" && args.size() == 1) return to_display(args[0]);
    auto num = [&](std::size_t i) {
      const auto* v = i < args.size() ? std::get_if<std::int64_t>(&args[i]) : nullptr;
      if (!v) throw RuntimeError(std::string(f) + "() needs ints");
      return *v;
    };
    if (f == "abs" && args.size() == 1 && num(0) != INT64_MIN)
      return Value{num(0) < 0 ? -num(0) : num(0)};
    if (f == "min" && args.size() == 2) return Value{std::min(num(0), num(1))};
    if (f == "max" && args.size() == 2) return Value{std::max(num(0), num(1))};
    throw RuntimeError(std::string(f) + "(): wrong arguments");
  }

  const RunResult& r_;
};

}  // namespace

std::vector<ExpectOutcome> check_expects(const std::vector<Expectation>& expects,
                                         const RunResult& r) {
  OutcomeContext ctx(r);
  std::vector<ExpectOutcome> out;
  for (const Expectation& e : expects) {
    ExpectOutcome o{e.source, false, ""};
    try {
      Value v = e.expr.eval(ctx);
      const bool* b = std::get_if<bool>(&v);
      o.ok = b && *b;
      o.value = b ? (*b ? "true" : "false") : "not a boolean: " + to_display(v);
    } catch (const RuntimeError& err) {
      o.value = err.what();
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::size_t failed_asserts(const RunResult& r) {
  return static_cast<std::size_t>(std::count_if(r.errors.begin(), r.errors.end(),
                                                [](const ErrorRecord& e) { return e.assertion; }));
}

bool violated(const std::vector<ExpectOutcome>& outcomes, const RunResult& r) {
  return failed_asserts(r) > 0 ||
         std::any_of(outcomes.begin(), outcomes.end(), [](const auto& o) { return !o.ok; });
}

std::string format_expects(const std::vector<ExpectOutcome>& outcomes, const RunResult& r) {
  std::string s = "expect\n";
  for (const ExpectOutcome& o : outcomes)
    s += std::string("  ") + (o.ok ? "ok      " : "FAILED  ") + o.source +
         (o.ok ? "" : "  (" + o.value + ")") + "\n";
  for (const ErrorRecord& e : r.errors)
    if (e.assertion)
      s += "  FAILED  assert in " + r.name_of(e.pid) + " at tick " + std::to_string(e.tick) + ": " +
           e.message + "\n";
  return s;
}

}  // namespace mpsim
