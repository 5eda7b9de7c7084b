// The wait-for graph: process -> object ("waits for"), object -> process
// ("held by"), process -> child ("joins"). A deadlock that is a circular wait
// shows up as a cycle; a wait on something nobody can ever provide (a lock
// whose holder died, a barrier short of parties) has no cycle, and the
// explanation says why instead.
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/graph/hawick_circuits.hpp>
#include <map>
#include <set>
#include <sstream>

#include "mpsim/analysis/deadlock.hpp"

namespace mpsim {

namespace {

struct Node {
  std::string name;
  bool process = true;
};
struct Link {
  std::string label;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, Node, Link>;
using Vertex = Graph::vertex_descriptor;

class WaitForGraph {
 public:
  explicit WaitForGraph(const RunResult& r) : r_(r) {
    for (const auto& p : r.processes) by_pid_[p.pid] = &p;
    for (const auto& s : r.stuck) stuck_[s.pid] = &s;
    for (const auto& s : r.stuck) add(s);
  }

  std::string name(Pid pid) const {
    auto it = by_pid_.find(pid);
    return it == by_pid_.end() ? "pid " + std::to_string(pid) : it->second->name;
  }

  // "which exited at tick 12 without releasing it" / "which is itself blocked on ..."
  std::string fate(Pid pid, const std::string& what) const {
    auto it = by_pid_.find(pid);
    if (it == by_pid_.end()) return "";
    const ProcessResult& p = *it->second;
    if (p.finish >= 0) {
      std::string how = p.exit_code == -15 ? "was terminated" : p.exit_code == -9 ? "was killed" : "exited";
      return ", which " + how + " at tick " + std::to_string(p.finish) + " without releasing " + what;
    }
    auto s = stuck_.find(pid);
    if (s != stuck_.end()) return ", which is itself blocked waiting for " + s->second->waits_for;
    return "";
  }

  std::string explain(const StuckProcess& s) const {
    std::string who = name(s.pid);
    if (s.reason == BlockReason::Join) {
      std::string line = who + " waits to join " + name(s.child) + " (pid " + std::to_string(s.child) + ")";
      auto c = stuck_.find(s.child);
      return c == stuck_.end() ? line : line + ", which is itself blocked waiting for " + c->second->waits_for;
    }
    std::string line = who + " waits for " + s.waits_for;
    if (s.holders.empty()) return line + nobody_can(s.reason, s.object.starts_with("pipe end "));
    bool semaphore = s.reason == BlockReason::Semaphore;
    if (!semaphore && s.holders.size() == 1 && s.holders[0] == s.pid)
      return line + ", which it holds itself: " + s.object + " is not recursive";
    line += semaphore ? ", whose units are held by " : ", held by ";
    for (std::size_t i = 0; i < s.holders.size(); ++i) {
      Pid h = s.holders[i];
      line += (i ? " and " : "") + (h == s.pid ? "itself" : name(h) + fate(h, semaphore ? "them" : "it"));
    }
    return line;
  }

  // Objects nobody holds: what would have ended the wait, and why it cannot come.
  static std::string nobody_can(BlockReason why, bool pipe) {
    const char* what = pipe                            ? "send or receive"
                       : why == BlockReason::Event     ? "set it"
                       : why == BlockReason::Barrier   ? "arrive"
                       : why == BlockReason::Condition ? "notify it"
                       : why == BlockReason::Queue     ? "put or get"
                                                       : nullptr;
    return what ? std::string("; no process can ") + what + ": every live process is blocked" : "";
  }

  std::vector<std::vector<std::string>> cycles() const {
    std::vector<std::vector<std::string>> out;
    Collector c{&out};
    boost::hawick_unique_circuits(g_, c);
    return out;
  }

  std::string dot() const {
    std::ostringstream o;
    boost::write_graphviz(
        o, g_,
        [&](std::ostream& os, Vertex v) {
          os << "[label=\"" << escape(g_[v].name) << "\", shape=" << (g_[v].process ? "ellipse" : "box") << "]";
        },
        [&](std::ostream& os, Graph::edge_descriptor e) { os << "[label=\"" << g_[e].label << "\"]"; });
    return o.str();
  }

 private:
  struct Collector {
    std::vector<std::vector<std::string>>* out;
    template <typename Path>
    void cycle(const Path& p, const Graph& g) {
      std::vector<std::string> names;
      for (auto v : p) names.push_back(g[v].name);
      if (out->size() < 100) out->push_back(std::move(names));
    }
  };

  static std::string escape(const std::string& s) {
    std::string o;
    for (char c : s) o += c == '"' ? std::string("\\\"") : std::string(1, c);
    return o;
  }

  Vertex vertex(const std::string& key, const std::string& label, bool process) {
    auto it = vertices_.find(key);
    if (it != vertices_.end()) return it->second;
    Vertex v = boost::add_vertex(Node{label, process}, g_);
    vertices_[key] = v;
    return v;
  }

  Vertex process(Pid pid) { return vertex("p" + std::to_string(pid), name(pid), true); }

  void add(const StuckProcess& s) {
    Vertex waiter = process(s.pid);
    if (s.reason == BlockReason::Join) {
      boost::add_edge(waiter, process(s.child), Link{"joins"}, g_);
      return;
    }
    Vertex obj = vertex("o" + s.object, s.object, false);
    boost::add_edge(waiter, obj, Link{"waits for"}, g_);
    for (Pid h : s.holders) {
      if (held_.insert({s.object, h}).second) boost::add_edge(obj, process(h), Link{"held by"}, g_);
    }
  }

  const RunResult& r_;
  Graph g_;
  std::map<std::string, Vertex> vertices_;
  std::map<Pid, const ProcessResult*> by_pid_;
  std::map<Pid, const StuckProcess*> stuck_;
  std::set<std::pair<std::string, Pid>> held_;
};

std::string fate_label(const ProcessResult& p) {
  std::string l = std::to_string(p.pid) + " " + p.name;
  if (!p.started) return l + "\\nnever started";
  if (p.finish >= 0) l += "\\nexit " + std::to_string(p.exit_code);
  if (p.exit_code == -15 && p.finish >= 0) l += p.daemon ? " (daemon, terminated)" : " (terminated)";
  else if (p.exit_code == -9 && p.finish >= 0) l += " (killed)";
  else if (p.daemon) l += " (daemon)";
  if (p.reaped_at >= 0)
    l += "\\nreaped by " + std::to_string(p.reaped_by) + " at " + std::to_string(p.reaped_at) + ", zombie for " +
         std::to_string(p.reaped_at - p.finish);
  else if (p.finish >= 0) l += "\\nzombie at the end";
  else l += "\\n" + std::string(to_string(p.state)) + " at the end";
  return l;
}

}  // namespace

DeadlockReport analyse_deadlock(const RunResult& r) {
  DeadlockReport rep;
  if (!r.deadlock) return rep;
  WaitForGraph g(r);
  for (const auto& s : r.stuck) rep.explanations.push_back(g.explain(s));
  rep.cycles = g.cycles();
  rep.dot = g.dot();
  return rep;
}

std::string process_tree_dot(const RunResult& r) {
  struct TreeNode {
    std::string label;
  };
  struct TreeEdge {
    bool adoption;
  };
  using Tree = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, TreeNode, TreeEdge>;
  Tree t;
  std::map<Pid, Tree::vertex_descriptor> v;
  v[kInitPid] = boost::add_vertex(TreeNode{"1 init"}, t);
  for (const auto& p : r.processes) v[p.pid] = boost::add_vertex(TreeNode{fate_label(p)}, t);
  for (const auto& p : r.processes) {
    if (v.count(p.original_parent)) boost::add_edge(v[p.original_parent], v[p.pid], TreeEdge{false}, t);
    if (p.orphaned_at >= 0) boost::add_edge(v[kInitPid], v[p.pid], TreeEdge{true}, t);
  }
  std::ostringstream o;
  boost::write_graphviz(
      o, t, [&](std::ostream& os, Tree::vertex_descriptor d) { os << "[label=\"" << t[d].label << "\", shape=box]"; },
      [&](std::ostream& os, Tree::edge_descriptor e) {
        if (t[e].adoption) os << "[style=dashed, label=\"adopted\"]";
      });
  return o.str();
}

}  // namespace mpsim
