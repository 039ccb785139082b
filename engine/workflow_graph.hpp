// The DAG of one workflow: vertices are steps, edges are labelled next / then / else / timeout.
// This is the only header that includes Boost.Graph; everything else sees `WorkflowGraph`
// through a forward declaration in engine/program.hpp.
//
//   start ─► validate@7 ─► if@12 ──then──► score@13 ─► assign@14 ─┐
//                            │                                    ├─► end
//                            └──else──► score@18 ─► enroll@19 ────┘
//
// Vertex 0 is the synthetic `start`, the last vertex the synthetic `end`; steps lie between in
// source order. Edges carry their label, never a position: an `if` has exactly one Then and one
// Else edge (an `else if` arm is an `elif` vertex on the Else edge), a `wait up to` has Next
// (the event arrived) and Timeout, `stop` goes Next to `end`.
#pragma once

#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>

#include "engine/program.hpp"

namespace leadflow::engine {

enum class EdgeLabel : std::uint8_t { Next, Then, Else, Timeout };
inline constexpr std::size_t edge_label_count = 4;

// "next", "then", "else", "timeout".
inline const char* edge_label_name(EdgeLabel label) {
  switch (label) {
    case EdgeLabel::Next: return "next";
    case EdgeLabel::Then: return "then";
    case EdgeLabel::Else: return "else";
    case EdgeLabel::Timeout: return "timeout";
  }
  return "next";
}

struct StepEdge {
  EdgeLabel label = EdgeLabel::Next;
};

using StepGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Step, StepEdge>;
using StepIndex = std::uint32_t;
inline constexpr StepIndex no_step = 0xffffffffu;

class WorkflowGraph {
 public:
  StepIndex add_step(Step step) {
    auto v = static_cast<StepIndex>(boost::add_vertex(std::move(step), graph_));
    sealed_ = false;
    return v;
  }

  void add_edge(StepIndex from, StepIndex to, EdgeLabel label) {
    boost::add_edge(from, to, StepEdge{label}, graph_);
    sealed_ = false;
  }

  // Builds the successor table and the id index. False, with `error` set, when a vertex has two
  // out edges with the same label, an id repeats, the first vertex is not `start`, the last is
  // not `end`, or the graph has a cycle.
  bool seal(std::string* error = nullptr) {
    auto fail = [&](std::string message) {
      if (error) *error = std::move(message);
      return false;
    };
    const std::size_t n = size();
    if (n < 2 || graph_[0].kind != StepKind::Start || graph_[n - 1].kind != StepKind::End) {
      return fail("a workflow graph must start with `start` and end with `end`");
    }
    succ_.assign(n, {no_step, no_step, no_step, no_step});
    by_id_.clear();
    for (StepIndex v = 0; v < n; ++v) {
      if (!by_id_.emplace(graph_[v].id, v).second) return fail("duplicate node id `" + graph_[v].id + "`");
      for (auto [it, last] = boost::out_edges(v, graph_); it != last; ++it) {
        auto label = static_cast<std::size_t>(graph_[*it].label);
        if (succ_[v][label] != no_step) {
          return fail("node `" + graph_[v].id + "` has two `" + edge_label_name(graph_[*it].label) + "` edges");
        }
        succ_[v][label] = static_cast<StepIndex>(boost::target(*it, graph_));
      }
    }
    if (!is_acyclic()) return fail("the workflow graph has a cycle");
    sealed_ = true;
    return true;
  }

  bool sealed() const { return sealed_; }
  StepIndex start() const { return 0; }
  StepIndex end() const { return static_cast<StepIndex>(size() - 1); }
  std::size_t size() const { return boost::num_vertices(graph_); }
  std::size_t edge_count() const { return boost::num_edges(graph_); }
  const Step& step(StepIndex v) const { return graph_[v]; }

  // The vertex an edge with this label leads to, or no_step. Needs seal().
  StepIndex successor(StepIndex v, EdgeLabel label) const {
    return succ_[v][static_cast<std::size_t>(label)];
  }

  // The vertex with this node id, or no_step. Needs seal().
  StepIndex find(std::string_view id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? no_step : it->second;
  }

  bool is_acyclic() const {
    try {
      std::vector<StepGraph::vertex_descriptor> order;
      boost::topological_sort(graph_, std::back_inserter(order));
      return true;
    } catch (const boost::not_a_dag&) {
      return false;
    }
  }

  // Vertices so that every edge goes forward (start first). Empty when there is a cycle.
  std::vector<StepIndex> topological_order() const {
    std::vector<StepGraph::vertex_descriptor> order;
    try {
      boost::topological_sort(graph_, std::back_inserter(order));
    } catch (const boost::not_a_dag&) {
      return {};
    }
    return std::vector<StepIndex>(order.rbegin(), order.rend());
  }

  // Out edges of `v` as (label, target), in insertion order.
  std::vector<std::pair<EdgeLabel, StepIndex>> out_edges(StepIndex v) const {
    std::vector<std::pair<EdgeLabel, StepIndex>> out;
    for (auto [it, last] = boost::out_edges(v, graph_); it != last; ++it) {
      out.emplace_back(graph_[*it].label, static_cast<StepIndex>(boost::target(*it, graph_)));
    }
    return out;
  }

  // In edges of `v` as (label, source), in insertion order.
  std::vector<std::pair<EdgeLabel, StepIndex>> in_edges(StepIndex v) const {
    std::vector<std::pair<EdgeLabel, StepIndex>> in;
    for (auto [it, last] = boost::in_edges(v, graph_); it != last; ++it) {
      in.emplace_back(graph_[*it].label, static_cast<StepIndex>(boost::source(*it, graph_)));
    }
    return in;
  }

  const StepGraph& graph() const { return graph_; }

 private:
  StepGraph graph_;
  std::vector<std::array<StepIndex, edge_label_count>> succ_;
  std::map<std::string, StepIndex, std::less<>> by_id_;
  bool sealed_ = false;
};

}  // namespace leadflow::engine
