// Work/span from the event log. Each process is a chain of vertices cut at its
// synchronisation points; an edge carries the compute or inherent wait between
// two cuts. Spawn edges go from the parent's cut at the spawn to the child's
// first vertex, join edges from the child's exit vertex to the parent's cut at
// the reap. Vertices are created in time order, but the longest path is
// computed on a topological order from Boost.Graph so that later edge kinds
// (locks, queues) cannot silently break that assumption.
#include "mpsim/analysis.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>
#include <map>

namespace mpsim {

namespace {

struct EdgeInfo {
  Tick weight = 0;
  Pid pid = kNoPid;
  std::string what;
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, EdgeInfo>;
using Vertex = Graph::vertex_descriptor;

struct Track {
  Vertex cur = 0;
  bool started = false;
  ProcState state = ProcState::New;
  BlockReason reason = BlockReason::None;
  Tick since = 0;         // tick the current state began
  Tick compute = 0;       // compute since `cur`
  Tick io_started = -1;   // io service start (after any device queue)
  bool exited = false;
  Vertex exit = 0;
  std::vector<Vertex> joined;  // exit vertices of children reaped while blocked in join
};

class DagBuilder {
 public:
  Graph g;

  void on_event(const Event& e) {
    switch (e.kind) {
      case EventKind::Spawn: spawn(e.pid, e.b, e.tick); break;
      case EventKind::State: state(e.pid, static_cast<ProcState>(e.a), static_cast<BlockReason>(e.b), e.tick); break;
      case EventKind::Io:
        if (e.pid != kNoPid) track(e.pid).io_started = e.tick;
        break;
      case EventKind::Reap: reap(e.pid, e.b, e.tick); break;
      default: break;
    }
  }

 private:
  Track& track(Pid pid) { return tracks_[pid]; }

  Vertex fresh() { return boost::add_vertex(g); }

  void edge(Vertex from, Vertex to, Tick w, Pid pid, std::string what) {
    boost::add_edge(from, to, EdgeInfo{w, pid, std::move(what)}, g);
  }

  // Ends the process's current segment at `t` and starts a new vertex.
  Vertex cut(Pid pid, Tick t) {
    Track& tr = track(pid);
    if (tr.state == ProcState::Running) {
      tr.compute += t - tr.since;
      tr.since = t;
    }
    if (tr.compute > 0) {
      Vertex v = fresh();
      edge(tr.cur, v, tr.compute, pid, "compute");
      tr.cur = v;
      tr.compute = 0;
    }
    return tr.cur;
  }

  void spawn(Pid child, Pid parent, Tick t) {
    Vertex start = fresh();
    if (parent != kInitPid && tracks_.count(parent) && track(parent).started)
      edge(cut(parent, t), start, 0, parent, "spawn");
    Track& tr = track(child);
    tr.cur = start;
    tr.started = true;
    tr.since = t;
  }

  void state(Pid pid, ProcState st, BlockReason why, Tick t) {
    Track& tr = track(pid);
    if (tr.state == ProcState::Running) tr.compute += t - tr.since;
    if (tr.state == ProcState::Blocked) unblock(pid, t);
    tr.state = st;
    tr.reason = why;
    tr.since = t;
    if (st == ProcState::Blocked) {
      cut(pid, t);
      tr.io_started = -1;
    }
    if (st == ProcState::Zombie) {
      tr.exit = cut(pid, t);
      tr.exited = true;
    }
  }

  // The wait that just ended becomes an edge: inherent waits carry their
  // length; a join carries 0 plus an edge from each child reaped.
  void unblock(Pid pid, Tick t) {
    Track& tr = track(pid);
    Vertex v = fresh();
    switch (tr.reason) {
      case BlockReason::Io: {
        Tick start = tr.io_started >= 0 ? tr.io_started : tr.since;
        edge(tr.cur, v, t - start, pid, "io");
        break;
      }
      case BlockReason::Sleep: edge(tr.cur, v, t - tr.since, pid, "sleep"); break;
      case BlockReason::Join:
        if (tr.joined.empty()) edge(tr.cur, v, t - tr.since, pid, "join timeout");
        else edge(tr.cur, v, 0, pid, "");  // program order; the join edges below carry the meaning
        for (Vertex c : tr.joined) edge(c, v, 0, pid, "join");
        tr.joined.clear();
        break;
      default: edge(tr.cur, v, 0, pid, ""); break;
    }
    tr.cur = v;
  }

  void reap(Pid zombie, Pid reaper, Tick t) {
    if (reaper == kInitPid || !tracks_.count(zombie) || !track(zombie).exited) return;
    Track& r = track(reaper);
    if (r.state == ProcState::Blocked) {
      r.joined.push_back(track(zombie).exit);  // the join wait ends right after this
    } else {
      Vertex v = fresh();
      edge(cut(reaper, t), v, 0, reaper, "");
      edge(track(zombie).exit, v, 0, reaper, "join");
      r.cur = v;
    }
  }

  std::map<Pid, Track> tracks_;
};

}  // namespace

double WorkSpan::bound(int cores) const {
  double by_work = static_cast<double>(work) / static_cast<double>(std::max(cores, 1));
  return std::max(by_work, static_cast<double>(span));
}

WorkSpan work_span(const RunResult& r) {
  WorkSpan ws;
  for (const auto& p : r.processes) ws.work += p.cpu;
  DagBuilder b;
  for (const Event& e : r.events) b.on_event(e);
  const Graph& g = b.g;
  std::vector<Vertex> order;
  boost::topological_sort(g, std::back_inserter(order));  // reverse topological order
  std::reverse(order.begin(), order.end());
  std::vector<Tick> dist(boost::num_vertices(g), 0);
  std::vector<std::optional<Graph::edge_descriptor>> via(boost::num_vertices(g));
  for (Vertex u : order) {
    for (auto [it, end] = boost::out_edges(u, g); it != end; ++it) {
      Vertex v = boost::target(*it, g);
      Tick d = dist[u] + g[*it].weight;
      if (d > dist[v] || (d == dist[v] && !via[v] && g[*it].weight > 0)) {
        dist[v] = d;
        via[v] = *it;
      }
    }
  }
  if (dist.empty()) return ws;
  Vertex end = static_cast<Vertex>(std::max_element(dist.begin(), dist.end()) - dist.begin());
  ws.span = dist[end];
  for (Vertex v = end; via[v]; v = boost::source(*via[v], g)) {
    const EdgeInfo& info = g[*via[v]];
    if (!info.what.empty()) ws.critical_path.push_back(PathStep{info.pid, info.what, info.weight});
  }
  std::reverse(ws.critical_path.begin(), ws.critical_path.end());
  return ws;
}

}  // namespace mpsim
