// WorkflowGraph: labelled successors, id lookup, and the checks seal() makes.
#include "engine/workflow_graph.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using leadflow::engine::EdgeLabel;
using leadflow::engine::no_step;
using leadflow::engine::Step;
using leadflow::engine::StepIndex;
using leadflow::engine::StepKind;
using leadflow::engine::WorkflowGraph;

namespace {

Step step(StepKind kind, std::string id, std::uint32_t line = 0) {
  Step s;
  s.kind = kind;
  s.id = std::move(id);
  s.line = line;
  s.label = leadflow::engine::step_kind_name(kind);
  return s;
}

//   start ─► if@2 ──then──► tag@3 ─┐
//              └──else──► wait@5 ──┼─► end
//                           └timeout► send@6 ┘
struct Sample {
  WorkflowGraph g;
  StepIndex start, branch, tag, wait, send, end;
  Sample() {
    start = g.add_step(step(StepKind::Start, "w/start", 1));
    branch = g.add_step(step(StepKind::If, "w/if@2", 2));
    tag = g.add_step(step(StepKind::Tag, "w/if@2/then/tag@3", 3));
    wait = g.add_step(step(StepKind::Wait, "w/if@2/else/wait@5", 5));
    send = g.add_step(step(StepKind::Send, "w/if@2/else/wait@5/timeout/send@6", 6));
    end = g.add_step(step(StepKind::End, "w/end", 8));
    g.add_edge(start, branch, EdgeLabel::Next);
    g.add_edge(branch, tag, EdgeLabel::Then);
    g.add_edge(branch, wait, EdgeLabel::Else);
    g.add_edge(tag, end, EdgeLabel::Next);
    g.add_edge(wait, end, EdgeLabel::Next);
    g.add_edge(wait, send, EdgeLabel::Timeout);
    g.add_edge(send, end, EdgeLabel::Next);
  }
};

}  // namespace

TEST_CASE("a sealed graph answers successors by label", "[engine][graph]") {
  Sample s;
  std::string error;
  REQUIRE(s.g.seal(&error));
  CHECK(error.empty());
  CHECK(s.g.start() == s.start);
  CHECK(s.g.end() == s.end);
  CHECK(s.g.successor(s.start, EdgeLabel::Next) == s.branch);
  CHECK(s.g.successor(s.branch, EdgeLabel::Then) == s.tag);
  CHECK(s.g.successor(s.branch, EdgeLabel::Else) == s.wait);
  CHECK(s.g.successor(s.branch, EdgeLabel::Next) == no_step);
  CHECK(s.g.successor(s.wait, EdgeLabel::Next) == s.end);
  CHECK(s.g.successor(s.wait, EdgeLabel::Timeout) == s.send);
  CHECK(s.g.successor(s.end, EdgeLabel::Next) == no_step);
}

TEST_CASE("steps are found by their stable id", "[engine][graph]") {
  Sample s;
  REQUIRE(s.g.seal());
  CHECK(s.g.find("w/if@2/else/wait@5/timeout/send@6") == s.send);
  CHECK(s.g.step(s.g.find("w/if@2")).kind == StepKind::If);
  CHECK(s.g.find("w/if@3") == no_step);
}

TEST_CASE("a workflow graph is acyclic and its topological order starts at start", "[engine][graph]") {
  Sample s;
  REQUIRE(s.g.seal());
  CHECK(s.g.is_acyclic());
  std::vector<StepIndex> order = s.g.topological_order();
  REQUIRE(order.size() == s.g.size());
  CHECK(order.front() == s.start);
  CHECK(order.back() == s.end);
  auto pos = [&](StepIndex v) { return std::find(order.begin(), order.end(), v) - order.begin(); };
  for (StepIndex v = 0; v < s.g.size(); ++v) {
    for (const auto& [label, to] : s.g.out_edges(v)) CHECK(pos(v) < pos(to));
  }
}

TEST_CASE("in edges list every way into a step", "[engine][graph]") {
  Sample s;
  REQUIRE(s.g.seal());
  auto in = s.g.in_edges(s.end);
  CHECK(in.size() == 3);
  CHECK(s.g.edge_count() == 7);
}

TEST_CASE("seal rejects a cycle", "[engine][graph]") {
  Sample s;
  s.g.add_edge(s.send, s.wait, EdgeLabel::Else);
  std::string error;
  CHECK_FALSE(s.g.seal(&error));
  CHECK(error == "the workflow graph has a cycle");
  CHECK_FALSE(s.g.is_acyclic());
  CHECK(s.g.topological_order().empty());
}

TEST_CASE("seal rejects two edges with one label out of a step", "[engine][graph]") {
  Sample s;
  s.g.add_edge(s.branch, s.send, EdgeLabel::Then);
  std::string error;
  CHECK_FALSE(s.g.seal(&error));
  CHECK(error == "node `w/if@2` has two `then` edges");
}

TEST_CASE("seal rejects duplicate ids and a graph without start and end", "[engine][graph]") {
  WorkflowGraph g;
  g.add_step(step(StepKind::Start, "w/start"));
  g.add_step(step(StepKind::Tag, "w/tag@1"));
  g.add_step(step(StepKind::Tag, "w/tag@1"));
  g.add_step(step(StepKind::End, "w/end"));
  std::string error;
  CHECK_FALSE(g.seal(&error));
  CHECK(error == "duplicate node id `w/tag@1`");

  WorkflowGraph bare;
  bare.add_step(step(StepKind::Tag, "w/tag@1"));
  CHECK_FALSE(bare.seal(&error));
  CHECK(error == "a workflow graph must start with `start` and end with `end`");
}

TEST_CASE("edge labels have their output names", "[engine][graph]") {
  CHECK(std::string(leadflow::engine::edge_label_name(EdgeLabel::Next)) == "next");
  CHECK(std::string(leadflow::engine::edge_label_name(EdgeLabel::Then)) == "then");
  CHECK(std::string(leadflow::engine::edge_label_name(EdgeLabel::Else)) == "else");
  CHECK(std::string(leadflow::engine::edge_label_name(EdgeLabel::Timeout)) == "timeout");
}
