// SVG Gantt chart. Lanes: one per core (coloured by process, switching
// hatched, idle empty) and one per process (coloured by state). When a pixel
// covers more than one tick, each pixel column shows what filled most of its
// ticks, so 10^5-tick runs stay legible and the file stays small.
#include <algorithm>
#include <map>
#include <sstream>

#include "analysis/intervals.hpp"
#include "analysis/migrations.hpp"
#include "mpsim/report/report.hpp"
#include "report/text_table.hpp"

namespace mpsim {

namespace {

constexpr int kLabelW = 170;
constexpr int kChartW = 900;
constexpr int kCoreH = 18;
constexpr int kProcH = 14;
constexpr int kGap = 4;
constexpr int kPalette = 10;

struct Segment {
  Tick start, end;
  std::string cls;    // CSS class: its colour
  std::string title;  // tooltip (exact mode only)
};

using detail::xml_escape;
const auto& esc = xml_escape;  // short: it is on almost every line below

class Chart {
 public:
  explicit Chart(Tick horizon) : horizon_(std::max<Tick>(horizon, 1)) {}

  double x(Tick t) const { return kLabelW + static_cast<double>(t) * kChartW / static_cast<double>(horizon_); }

  void lane(int y, int h, const std::string& label, const std::vector<Segment>& segs) {
    out_ << "<text class=\"lbl\" x=\"" << kLabelW - 6 << "\" y=\"" << y + h - 4 << "\">" << esc(label) << "</text>\n";
    if (horizon_ <= kChartW) exact(y, h, segs);
    else aggregated(y, h, segs);
  }

  void text(int x, int y, const std::string& cls, const std::string& s) {
    out_ << "<text class=\"" << cls << "\" x=\"" << x << "\" y=\"" << y << "\">" << esc(s) << "</text>\n";
  }

  void raw(const std::string& s) { out_ << s; }

  // A migration: a line from the lane of the core it left to the lane of the
  // one it got, ending in a dot there. Its style is written with the first
  // one, so charts without migrations are unchanged.
  void migration(Tick t, int y_from, int y_to, const std::string& title) {
    if (!mig_style_) out_ << "<style>.mig{stroke:#c00;stroke-width:1.5}.migdot{fill:#c00}</style>\n";
    mig_style_ = true;
    std::string xs = detail::fixed(x(t), 1);
    out_ << "<g><title>" << esc(title) << "</title><line class=\"mig\" x1=\"" << xs << "\" x2=\"" << xs
         << "\" y1=\"" << y_from << "\" y2=\"" << y_to << "\"/><circle class=\"migdot\" cx=\"" << xs
         << "\" cy=\"" << y_to << "\" r=\"2.5\"/></g>\n";
  }
  std::string str() const { return out_.str(); }

 private:
  void rect(double x0, double x1, int y, int h, const std::string& cls, const std::string& title) {
    out_ << "<rect class=\"" << cls << "\" x=\"" << detail::fixed(x0, 1) << "\" y=\"" << y << "\" width=\""
         << detail::fixed(std::max(x1 - x0, 0.5), 1) << "\" height=\"" << h << "\">";
    if (!title.empty()) out_ << "<title>" << esc(title) << "</title>";
    out_ << "</rect>\n";
  }

  void exact(int y, int h, const std::vector<Segment>& segs) {
    for (const auto& s : segs) rect(x(s.start), x(s.end), y, h, s.cls, s.title);
  }

  // One column per pixel; each shows the class that covered most of its ticks;
  // runs of equal columns become one rectangle.
  void aggregated(int y, int h, const std::vector<Segment>& segs) {
    std::vector<std::map<std::string, Tick>> cols(kChartW);
    for (const auto& s : segs) {
      for (Tick t = s.start; t < s.end;) {
        auto c = static_cast<std::size_t>(t * kChartW / horizon_);
        Tick col_end = (static_cast<Tick>(c) + 1) * horizon_ / kChartW;
        if (col_end <= t) col_end = t + 1;
        Tick upto = std::min(s.end, col_end);
        cols[std::min<std::size_t>(c, kChartW - 1)][s.cls] += upto - t;
        t = upto;
      }
    }
    std::string run_cls;
    int run_start = 0;
    for (int c = 0; c <= kChartW; ++c) {
      std::string cls;
      if (c < kChartW && !cols[static_cast<std::size_t>(c)].empty()) {
        const auto& m = cols[static_cast<std::size_t>(c)];
        cls = std::max_element(m.begin(), m.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
      }
      if (cls == run_cls) continue;
      if (!run_cls.empty()) rect(kLabelW + run_start, kLabelW + c, y, h, run_cls, "");
      run_cls = cls;
      run_start = c;
    }
  }

  Tick horizon_;
  std::ostringstream out_;
  bool mig_style_ = false;
};

std::string state_class(const detail::ProcInterval& i) {
  if (i.state == ProcState::Blocked) return std::string("b-") + to_string(i.reason);
  return std::string("s-") + to_string(i.state);
}

int section(Chart& ch, int y, const RunResult& r, const std::string& label) {
  std::map<Pid, std::size_t> idx;
  for (std::size_t i = 0; i < r.processes.size(); ++i) idx[r.processes[i].pid] = i;
  auto name = [&](Pid pid) { return idx.count(pid) ? r.processes[idx[pid]].name : std::to_string(pid); };
  detail::Intervals iv = detail::replay(r);
  ch.text(8, y + 14, "title", label + "  (makespan " + std::to_string(r.makespan) + ")");
  y += 22;
  for (std::size_t c = 0; c < iv.cores.size(); ++c) {
    std::vector<Segment> segs;
    for (const auto& i : iv.cores[c]) {
      std::string cls = i.status == CoreStatus::Switching ? "switch"
                        : i.status == CoreStatus::Held    ? "held"
                                                          : "p" + std::to_string(idx[i.pid] % kPalette);
      std::string what = i.status == CoreStatus::Running ? "" : std::string(to_string(i.status)) + " ";
      segs.push_back({i.start, i.end, cls, what + name(i.pid) + " [" + std::to_string(i.start) + ", " + std::to_string(i.end) + ")"});
    }
    ch.lane(y, kCoreH, "core " + std::to_string(c), segs);
    y += kCoreH + kGap;
  }
  int lanes_top = y - static_cast<int>(iv.cores.size()) * (kCoreH + kGap);
  auto mid = [&](CoreId c) { return lanes_top + static_cast<int>(c) * (kCoreH + kGap) + kCoreH / 2; };
  for (const auto& m : detail::migrations(r))
    ch.migration(m.tick, mid(m.from), mid(m.to),
                 name(m.pid) + " migrates from core " + std::to_string(m.from) + " to core " +
                     std::to_string(m.to) + " at " + std::to_string(m.tick));
  y += 4;
  for (std::size_t k = 0; k < iv.procs.size(); ++k) {
    if (!r.processes[k].started) continue;
    std::vector<Segment> segs;
    for (const auto& i : iv.procs[k])
      segs.push_back({i.start, i.end, state_class(i),
                      r.processes[k].name + ": " + state_class(i).substr(2) + " [" + std::to_string(i.start) + ", " + std::to_string(i.end) + ")"});
    ch.lane(y, kProcH, std::to_string(r.processes[k].pid) + " " + r.processes[k].name, segs);
    y += kProcH + 2;
  }
  return y + 12;
}

void axis(Chart& ch, int y, Tick horizon, std::int64_t tick_us) {
  ch.raw("<line class=\"axis\" x1=\"" + std::to_string(kLabelW) + "\" x2=\"" + std::to_string(kLabelW + kChartW) +
         "\" y1=\"" + std::to_string(y) + "\" y2=\"" + std::to_string(y) + "\"/>\n");
  Tick step = 1;  // 1, 2, 5, 10, 20, 50...: at most ~10 labels
  for (Tick mag = 1; horizon / step > 10; mag *= 10) {
    for (Tick m : {1, 2, 5}) {
      step = m * mag;
      if (horizon / step <= 10) break;
    }
  }
  for (Tick t = 0; t <= horizon; t += step) {
    int x = static_cast<int>(ch.x(t));
    ch.raw("<line class=\"axis\" x1=\"" + std::to_string(x) + "\" x2=\"" + std::to_string(x) + "\" y1=\"" +
           std::to_string(y) + "\" y2=\"" + std::to_string(y + 4) + "\"/>\n");
    ch.text(x - 4, y + 16, "tick", std::to_string(t));
    ch.text(x - 4, y + 28, "tick", detail::fixed(static_cast<double>(t * tick_us) / 1000.0, 1) + " ms");
  }
  ch.text(8, y + 16, "lbl2", "ticks");
  ch.text(8, y + 28, "lbl2", "real time");
}

const char* kStyle = R"svg(<style>
text{font:11px sans-serif;fill:#222}.lbl{text-anchor:end}.title{font-weight:bold;font-size:13px}.tick{font-size:10px;fill:#555}
.axis{stroke:#555;stroke-width:1}
.p0{fill:#4e79a7}.p1{fill:#f28e2b}.p2{fill:#59a14f}.p3{fill:#e15759}.p4{fill:#76b7b2}.p5{fill:#edc948}.p6{fill:#b07aa1}.p7{fill:#ff9da7}.p8{fill:#9c755f}.p9{fill:#bab0ac}
.switch{fill:url(#hatch)}.held{fill:#ddd;stroke:#999;stroke-width:0.5}
.s-running{fill:#2e9e44}.s-ready{fill:#f2c744}.s-zombie{fill:#888}.b-io{fill:#3a7bd5}.b-sleep{fill:#9cc3f0}.b-join{fill:#8e5cc2}.b-lock{fill:#d64545}.b-none{fill:#ccc}
</style>
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#444" stroke-width="2"/></pattern></defs>
)svg";

void legend(Chart& ch, int y) {
  const std::vector<std::pair<std::string, std::string>> items = {
      {"s-running", "running"}, {"s-ready", "ready"},   {"b-io", "blocked: io"},    {"b-sleep", "blocked: sleep"},
      {"b-join", "blocked: join"}, {"b-lock", "blocked: lock"}, {"s-zombie", "zombie"}, {"switch", "context switch"},
      {"held", "core kept during io"}};
  int x = kLabelW + 10;
  for (const auto& [cls, label] : items) {
    ch.raw("<rect class=\"" + cls + "\" x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) +
           "\" width=\"12\" height=\"12\"/>\n");
    ch.text(x + 16, y + 10, "", label);
    x += 20 + static_cast<int>(label.size()) * 6 + 10;
  }
  ch.text(8, y + 10, "lbl2", "core lanes: a colour per process");
}

}  // namespace

std::string format_gantt_svg(const std::vector<const RunResult*>& runs, const std::vector<std::string>& labels) {
  Tick horizon = 1;
  for (const RunResult* r : runs) horizon = std::max(horizon, r->makespan);
  Chart ch(horizon);
  int y = 8;
  for (std::size_t i = 0; i < runs.size(); ++i) y = section(ch, y, *runs[i], i < labels.size() ? labels[i] : "");
  axis(ch, y, horizon, runs.empty() ? 1000 : runs[0]->machine.tick_us);
  legend(ch, y + 40);
  int height = y + 62;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kLabelW + kChartW + 20 << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << kLabelW + kChartW + 20 << " " << height << "\">\n"
      << kStyle << ch.str() << "</svg>\n";
  return svg.str();
}

}  // namespace mpsim
