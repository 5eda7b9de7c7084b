// The HTML report: everything a teacher puts on a slide, in one file that
// opens offline. The script only adds interaction (highlighting a run's chart
// from its table row) and marks the page ready for the browser test.
#include <map>
#include <sstream>

#include "mpsim/analysis/compare.hpp"
#include "mpsim/report/report.hpp"
#include "report/text_table.hpp"

namespace mpsim {

namespace {

using detail::xml_escape;
const auto& esc = xml_escape;  // short: it is on almost every line below

const char* kCss = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1150px;color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}tr.sel{background:#fff4c2}tr.cfg{cursor:pointer}
.note{color:#555}.words{background:#f6f8fa;padding:.6em 1em;border-left:4px solid #4e79a7}
ul.tree{list-style:none;padding-left:1.2em}ul.tree li:before{content:"\2514\2500 ";color:#999}
.gantt{overflow-x:auto}.hl{outline:3px solid #f2c744}
)css";

const char* kScript = R"js(
window.mpsimErrors = 0;
window.addEventListener('error', function () { window.mpsimErrors++; document.body.dataset.errors = window.mpsimErrors; });
document.addEventListener('DOMContentLoaded', function () {
  var rows = document.querySelectorAll('tr.cfg');
  rows.forEach(function (row) {
    row.addEventListener('click', function () {
      rows.forEach(function (r) { r.classList.remove('sel'); });
      row.classList.add('sel');
      document.querySelectorAll('.gantt-run').forEach(function (g) { g.classList.remove('hl'); });
      var target = document.getElementById('gantt-' + row.dataset.run);
      if (target) { target.classList.add('hl'); target.scrollIntoView({block: 'nearest'}); }
    });
  });
  document.body.dataset.errors = window.mpsimErrors;
  document.body.dataset.ready = '1';
});
)js";

std::string compare_table(const std::vector<CompareRow>& rows) {
  std::ostringstream o;
  o << "<table id=\"compare\"><tr><th>cores</th><th class=\"l\">policy</th><th>makespan</th><th>speedup</th>"
       "<th>efficiency</th><th>cpu util</th><th>io busy</th><th>turnaround mean</th><th>response mean</th>"
       "<th>wait mean</th><th>switches</th><th>max parallelism</th><th>avg concurrency</th><th>bound</th></tr>\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    const RunResult& r = row.result;
    double ta = 0, rs = 0, wt = 0;
    int n = 0;
    for (const auto& p : r.processes) {
      if (p.finish < 0) continue;
      ta += static_cast<double>(p.turnaround());
      rs += static_cast<double>(p.response());
      wt += static_cast<double>(p.wait);
      ++n;
    }
    double d = n ? n : 1;
    o << "<tr class=\"cfg\" data-run=\"" << i << "\"><td>" << row.config.cores << "</td><td class=\"l\">"
      << esc(row.policy_description) << "</td><td>" << r.makespan << "</td><td>" << detail::fixed(row.speedup(), 2)
      << "</td><td>" << detail::fixed(row.efficiency(), 2) << "</td><td>" << detail::fixed(100 * row.utilisation(), 1)
      << "%</td><td>" << r.io_busy << "</td><td>" << detail::fixed(ta / d, 2) << "</td><td>" << detail::fixed(rs / d, 2)
      << "</td><td>" << detail::fixed(wt / d, 2) << "</td><td>" << r.context_switches << "</td><td>"
      << r.max_parallelism << "</td><td>" << detail::fixed(r.average_concurrency(), 2) << "</td><td>"
      << detail::fixed(row.bound(), 1) << "</td></tr>\n";
  }
  o << "</table>\n";
  return o.str();
}

void tree_node(std::ostringstream& o, const RunResult& r, const std::map<Pid, std::vector<Pid>>& kids, Pid pid,
               const std::map<Pid, const ProcessResult*>& by_pid) {
  const ProcessResult& p = *by_pid.at(pid);
  o << "<li data-pid=\"" << pid << "\"><b>" << pid << " " << esc(p.name) << "</b> ";
  if (!p.started) o << "never started";
  else if (p.finish >= 0) o << "exit " << p.exit_code;
  if (p.daemon) o << ", daemon";
  if (p.orphaned_at >= 0) o << ", orphaned at " << p.orphaned_at;
  if (p.reaped_at >= 0)
    o << ", reaped by " << p.reaped_by << " at " << p.reaped_at << " (zombie " << p.reaped_at - p.finish << ")";
  if (!p.error.empty()) o << ", error: " << esc(p.error);
  auto it = kids.find(pid);
  if (it != kids.end()) {
    o << "<ul class=\"tree\">";
    for (Pid c : it->second) tree_node(o, r, kids, c, by_pid);
    o << "</ul>";
  }
  o << "</li>\n";
}

std::string process_tree(const RunResult& r) {
  std::map<Pid, std::vector<Pid>> kids;
  std::map<Pid, const ProcessResult*> by_pid;
  for (const auto& p : r.processes) {
    kids[p.original_parent].push_back(p.pid);
    by_pid[p.pid] = &p;
  }
  std::ostringstream o;
  o << "<ul class=\"tree\" id=\"tree\"><li><b>1 init</b><ul class=\"tree\">";
  for (Pid c : kids[kInitPid]) tree_node(o, r, kids, c, by_pid);
  o << "</ul></li></ul>\n";
  return o.str();
}

std::string outputs(const RunResult& r) {
  std::ostringstream o;
  o << "<table id=\"output\"><tr><th>tick</th><th>pid</th><th class=\"l\">text</th></tr>\n";
  for (const auto& l : r.prints)
    o << "<tr><td>" << l.tick << "</td><td>" << l.pid << "</td><td class=\"l\">" << esc(l.text) << "</td></tr>\n";
  o << "</table>\n";
  if (!r.errors.empty()) {
    o << "<h2>Runtime errors</h2><ul id=\"errors\">";
    for (const auto& e : r.errors) o << "<li>tick " << e.tick << ", pid " << e.pid << ": " << esc(e.message) << "</li>";
    o << "</ul>\n";
  }
  if (r.deadlock) {
    o << "<h2>Deadlock</h2><p id=\"deadlock\">At tick " << r.makespan << " no process can ever run again:</p><ul>";
    for (const auto& s : r.stuck)
      o << "<li>pid " << s.pid << " blocked on " << to_string(s.reason) << " " << esc(s.waits_for) << "</li>";
    o << "</ul>\n";
  }
  return o.str();
}

}  // namespace

std::string format_html_report(const Scenario& s, const std::vector<CompareRow>& rows) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mpsim: " << esc(s.name)
    << "</title><style>" << kCss << "</style><script>" << kScript << "</script></head><body>\n";
  o << "<h1>" << esc(s.name.empty() ? s.source : s.name) << "</h1>\n<p class=\"note\">" << esc(s.description) << "</p>\n";
  if (rows.empty()) return o.str() + "</body></html>\n";
  o << "<p class=\"note\">machine: " << esc(describe_machine(rows.front().result.machine)) << "</p>\n";
  o << "<h2>Concurrency vs parallelism</h2>\n" << compare_table(rows);
  std::string words = format_compare_text(rows);
  words = words.substr(words.find("\n\n") + 2);  // the bound and the plain words, after the table
  o << "<pre class=\"words\" id=\"words\">" << esc(words) << "</pre>\n";
  o << "<h2>Gantt charts</h2><p class=\"note\">Click a row of the table to find its chart.</p>\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string label = std::to_string(rows[i].config.cores) + " core(s), " + rows[i].policy_description;
    o << "<div class=\"gantt gantt-run\" id=\"gantt-" << i << "\">" << format_gantt_svg({&rows[i].result}, {label})
      << "</div>\n";
  }
  const RunResult& first = rows.front().result;
  o << "<h2>Process tree</h2><p class=\"note\">From the first configuration; edges are creation (fork) links.</p>\n"
    << process_tree(first);
  o << "<h2>Printed lines</h2>\n" << outputs(first);
  o << "</body></html>\n";
  return o.str();
}

}  // namespace mpsim
