// A failing schedule in words, and schedule files.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "mpsim/analysis/deadlock.hpp"
#include "mpsim/analysis/explore.hpp"
#include "mpsim/model/diagnostics.hpp"

namespace mpsim {

namespace {

std::string deviation_text(const Deviation& d, const ExploreResult& r) {
  const ChoiceRecord& p = r.points.at(static_cast<std::size_t>(d.step));
  std::string at = "tick " + std::to_string(d.tick) + ": ";
  std::string who = r.run.name_of(d.pid);
  switch (d.kind) {
    case ChoiceKind::Dispatch:
      return at + "core " + std::to_string(p.core) + " took " + who + " instead of " +
             r.run.name_of(p.pids[0]);
    case ChoiceKind::Continue:
      return at + who + " ran its operations before " + r.run.name_of(p.pids[0]);
    case ChoiceKind::Grant:
      return at + r.run.objects.at(static_cast<std::size_t>(p.object)) + " went to " + who +
             " instead of " + r.run.name_of(p.pids[0]);
    case ChoiceKind::Preempt:
      return at + who + " kept its core at the end of its slice";
    case ChoiceKind::Delay:
      return at + who + "'s io/sleep took " + std::to_string(d.option) + " tick(s) longer";
  }
  return at;
}

}  // namespace

std::string explain_violation(const ExploreResult& r) {
  std::string s;
  if (r.schedule.deviations.empty()) {
    s += "The default schedule already breaks it (no deviation needed).\n";
  } else {
    s += "Deviations from the default schedule (" + std::to_string(r.schedule.deviations.size()) +
         "):\n";
    for (const Deviation& d : r.schedule.deviations) s += "  " + deviation_text(d, r) + "\n";
  }
  std::string story;
  std::size_t shown = 0;
  for (const FileAccess& a : r.accesses) {
    if (shown++ == 12) {
      story += ", ...";
      break;
    }
    story += (story.empty() ? "" : ", ") + r.run.name_of(a.pid) + (a.write ? " wrote " : " read ") +
             a.value + (a.write ? " to " : " from ") + a.key + " at tick " + std::to_string(a.tick);
  }
  std::string broke;
  for (const ExpectOutcome& o : r.verdict.expects)
    if (!o.ok) broke += (broke.empty() ? "" : "; ") + o.source + " is " + o.value;
  for (const ErrorRecord& e : r.run.errors)
    if (e.assertion)
      broke += (broke.empty() ? "" : "; ") + r.run.name_of(e.pid) + " failed an assert at tick " +
               std::to_string(e.tick) + " (" + e.message + ")";
  s += "What happened: " + (story.empty() ? std::string("no shared file was touched") : story) +
       ": " + broke + ".\n";
  if (r.run.deadlock) {
    s += "Deadlock at tick " + std::to_string(r.run.makespan) + ":\n";
    for (const std::string& line : analyse_deadlock(r.run).explanations) s += "  " + line + "\n";
  }
  return s;
}

std::string schedule_json(const Schedule& s, const Scenario& sc) {
  nlohmann::ordered_json j;
  j["mpsim_schedule"] = 1;
  j["scenario"] = sc.name;
  j["cores"] = sc.machine.cores;
  j["policy"] = sc.machine.scheduler.policy;
  j["jitter"] = s.jitter;
  j["deviations"] = nlohmann::ordered_json::array();
  for (const Deviation& d : s.deviations)
    j["deviations"].push_back({{"step", d.step},
                               {"tick", d.tick},
                               {"kind", to_string(d.kind)},
                               {"pid", d.pid},
                               {"option", d.option}});
  return j.dump(2) + "\n";
}

namespace {

using ojson = nlohmann::ordered_json;

// Reads integer `key` of `obj` (at `path`) into `out`; false with `error` set otherwise.
bool int_field(const ojson& obj, const std::string& path, const char* key, std::int64_t min,
               std::int64_t& out, std::string& error) {
  if (!obj.contains(key)) {
    error = path + ": missing \"" + key + "\"";
    return false;
  }
  const ojson& v = obj[key];
  if (!v.is_number_integer() || v.get<std::int64_t>() < min) {
    error = path + "/" + key + ": expected an integer >= " + std::to_string(min) + ", found " +
            v.dump();
    return false;
  }
  out = v.get<std::int64_t>();
  return true;
}

bool known_keys(const ojson& obj, const std::string& path, const std::vector<std::string>& keys,
                std::string& error) {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
    std::string guess = closest_match(k, keys);
    error = path + "/" + k + ": unknown key \"" + k + "\"" +
            (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)");
    return false;
  }
  return true;
}

std::optional<ChoiceKind> kind_of(const std::string& k) {
  for (auto c : {ChoiceKind::Dispatch, ChoiceKind::Continue, ChoiceKind::Grant, ChoiceKind::Preempt,
                 ChoiceKind::Delay})
    if (k == to_string(c)) return c;
  return std::nullopt;
}

}  // namespace

std::optional<Schedule> parse_schedule(const std::string& text, const std::string& source,
                                       const Scenario& sc, std::string& error) {
  auto fail = [&](const std::string& msg) {
    error = source + ": " + msg;
    return std::nullopt;
  };
  ojson j = ojson::parse(text, nullptr, false);
  if (j.is_discarded()) return fail("not valid JSON");
  if (!j.is_object()) return fail("expected a schedule object (written by mpsim explore -o)");
  std::string e;
  if (!known_keys(j, "", {"mpsim_schedule", "scenario", "cores", "policy", "jitter", "deviations"},
                  e))
    return fail(e);
  std::int64_t version = 0, cores = 0, jitter = 0;
  if (!int_field(j, "", "mpsim_schedule", 1, version, e) ||
      !int_field(j, "", "cores", 1, cores, e) || !int_field(j, "", "jitter", 0, jitter, e))
    return fail(e);
  if (version != 1)
    return fail("/mpsim_schedule: version " + std::to_string(version) +
                " is not known (expected 1)");
  if (!j.contains("scenario") || !j["scenario"].is_string() ||
      j["scenario"].get<std::string>() != sc.name)
    return fail("/scenario: the schedule was recorded for scenario " +
                (j.contains("scenario") ? j["scenario"].dump() : "?") + ", not \"" + sc.name +
                "\"");
  if (cores != sc.machine.cores || !j.contains("policy") ||
      j["policy"] != sc.machine.scheduler.policy)
    return fail("the schedule was recorded on " + std::to_string(cores) + " core(s) with policy " +
                (j.contains("policy") ? j["policy"].dump() : "?") + ", this run has " +
                std::to_string(sc.machine.cores) + " with \"" + sc.machine.scheduler.policy +
                "\" (use the same --cores/--policy)");
  if (!j.contains("deviations") || !j["deviations"].is_array())
    return fail("/deviations: expected an array");
  Schedule s;
  s.jitter = jitter;
  std::int64_t last = -1;
  for (std::size_t i = 0; i < j["deviations"].size(); ++i) {
    const ojson& d = j["deviations"][i];
    std::string path = "/deviations/" + std::to_string(i);
    if (!d.is_object()) return fail(path + ": expected an object");
    if (!known_keys(d, path, {"step", "tick", "kind", "pid", "option"}, e)) return fail(e);
    Deviation dev;
    std::int64_t pid = 0, option = 0;
    if (!int_field(d, path, "step", 0, dev.step, e) ||
        !int_field(d, path, "tick", 0, dev.tick, e) || !int_field(d, path, "pid", 2, pid, e) ||
        !int_field(d, path, "option", 1, option, e))
      return fail(e);
    if (dev.step <= last)
      return fail(path + "/step: steps must increase (" + std::to_string(dev.step) + " after " +
                  std::to_string(last) + ")");
    last = dev.step;
    auto kind = d.contains("kind") && d["kind"].is_string() ? kind_of(d["kind"].get<std::string>())
                                                            : std::nullopt;
    if (!kind)
      return fail(path + "/kind: expected one of dispatch, continue, grant, preempt, delay");
    dev.kind = *kind;
    dev.pid = static_cast<Pid>(pid);
    dev.option = static_cast<std::int32_t>(option);
    s.deviations.push_back(dev);
  }
  return s;
}

}  // namespace mpsim
