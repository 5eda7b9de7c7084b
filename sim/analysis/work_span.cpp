// Work/span from the event log. Each process is a chain of vertices cut at its
// synchronisation points; an edge carries the compute or inherent wait between
// two cuts. Spawn edges go from the parent's cut at the spawn to the child's
// first vertex, join edges from the child's exit vertex to the parent's cut at
// the reap. Vertices are created in time order, but the longest path is
// computed on a topological order from Boost.Graph so that later edge kinds
// cannot silently break that assumption. Messages (put -> get), events
// (set -> wake), barriers (every arrival -> every pass) and notifies are
// dependencies too; the order in which a lock or semaphore was granted is
// not (another order was possible), so it adds no edge.
#include "mpsim/analysis/work_span.hpp"

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
  // What ends the current wait: exit vertices of children reaped, puts,
  // sets, arrivals and notifies, each with the edge's label.
  std::vector<std::pair<Vertex, const char*>> incoming;
};

using ObjectKey = std::pair<std::int32_t, std::int32_t>;  // object, message id or barrier generation

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
      case EventKind::Sync: sync(e); break;
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
        if (tr.incoming.empty()) edge(tr.cur, v, t - tr.since, pid, "join timeout");
        else edge(tr.cur, v, 0, pid, "");  // program order; the join edges below carry the meaning
        break;
      default: edge(tr.cur, v, 0, pid, ""); break;
    }
    for (auto [from, what] : tr.incoming) edge(from, v, 0, pid, what);
    tr.incoming.clear();
    tr.cur = v;
  }

  // A dependency from `from` to `pid` at `t`: it ends a wait, or, when `pid`
  // did not wait, joins its chain right here.
  void depend(Pid pid, Vertex from, Tick t, const char* what) {
    Track& tr = track(pid);
    if (tr.state == ProcState::Blocked) {
      tr.incoming.emplace_back(from, what);
      return;
    }
    Vertex v = fresh();
    edge(cut(pid, t), v, 0, pid, "");
    edge(from, v, 0, pid, what);
    tr.cur = v;
  }

  void sync(const Event& e) {
    if (!tracks_.count(e.pid) || !track(e.pid).started) return;
    ObjectKey key{e.core, e.b};
    auto source = [&](std::map<ObjectKey, Vertex>& from, const char* what) {
      auto it = from.find(key);
      if (it != from.end()) depend(e.pid, it->second, e.tick, what);
    };
    switch (static_cast<SyncOp>(e.a)) {
      case SyncOp::Put: sent_[key] = cut(e.pid, e.tick); break;
      case SyncOp::Get: source(sent_, "message"); break;
      case SyncOp::Set:
      case SyncOp::Notify: signalled_[{e.core, 0}] = cut(e.pid, e.tick); break;
      case SyncOp::Wake:
      case SyncOp::Notified:
        key = {e.core, 0};
        source(signalled_, static_cast<SyncOp>(e.a) == SyncOp::Wake ? "event" : "notify");
        break;
      case SyncOp::Arrive: arrived_[key].push_back(cut(e.pid, e.tick)); break;
      case SyncOp::Pass:
        for (Vertex a : arrived_[key]) depend(e.pid, a, e.tick, "barrier");
        break;
      default: break;  // reads, writes and lock grants order nothing inherent
    }
  }

  void reap(Pid zombie, Pid reaper, Tick t) {
    if (reaper == kInitPid || !tracks_.count(zombie) || !track(zombie).exited) return;
    depend(reaper, track(zombie).exit, t, "join");  // a blocked join ends right after this
  }

  std::map<Pid, Track> tracks_;
  std::map<ObjectKey, Vertex> sent_, signalled_;
  std::map<ObjectKey, std::vector<Vertex>> arrived_;
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
