// Graph export: dot, Mermaid and JSON renderings of a workflow graph, byte-stable.
#include "dsl/graph_export.hpp"

#include <ostream>
#include <string>
#include <string_view>

#include "engine/program.hpp"
#include "engine/value.hpp"
#include "engine/workflow_graph.hpp"

namespace leadflow::dsl {

namespace {

using engine::StepIndex;
using engine::StepKind;
using engine::WorkflowGraph;

// A dot double-quoted string: only `"` and `\` need escaping; line breaks become spaces so a
// label stays one line.
std::string dot_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n':
      case '\r': out += ' '; break;
      default: out += c;
    }
  }
  out += '"';
  return out;
}

// Mermaid node text inside quotes: characters Mermaid could read as markup become entity codes.
std::string mermaid_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "#quot;"; break;
      case '#': out += "#35;"; break;
      case '<': out += "#lt;"; break;
      case '>': out += "#gt;"; break;
      case '`': out += "#96;"; break;
      case '\n':
      case '\r': out += ' '; break;
      default: out += c;
    }
  }
  out += '"';
  return out;
}

const char* dot_shape(StepKind kind) {
  switch (kind) {
    case StepKind::Start: return "circle";
    case StepKind::End: return "doublecircle";
    case StepKind::If:
    case StepKind::ElseIf: return "diamond";
    case StepKind::Wait: return "hexagon";
    case StepKind::Stop: return "octagon";
    default: return "box";
  }
}

void write_dot(const engine::Workflow& w, const WorkflowGraph& g, std::ostream& out) {
  out << "digraph " << dot_quote(w.name) << " {\n";
  out << "  node [shape=box, fontname=\"Helvetica\"];\n";
  out << "  edge [fontname=\"Helvetica\"];\n";
  for (StepIndex v = 0; v < g.size(); ++v) {
    const engine::Step& s = g.step(v);
    out << "  " << dot_quote(s.id) << " [label=" << dot_quote(s.label);
    const char* shape = dot_shape(s.kind);
    if (std::string_view(shape) != "box") out << ", shape=" << shape;
    out << "];\n";
  }
  for (StepIndex v = 0; v < g.size(); ++v) {
    for (const auto& [label, to] : g.out_edges(v)) {
      out << "  " << dot_quote(g.step(v).id) << " -> " << dot_quote(g.step(to).id);
      if (label != engine::EdgeLabel::Next) out << " [label=" << dot_quote(engine::edge_label_name(label)) << "]";
      out << ";\n";
    }
  }
  out << "}\n";
}

void write_mermaid(const engine::Workflow& w, const WorkflowGraph& g, std::ostream& out) {
  out << "flowchart TD\n";
  out << "  %% workflow " << w.name << "\n";
  for (StepIndex v = 0; v < g.size(); ++v) {
    const engine::Step& s = g.step(v);
    const std::string text = mermaid_quote(s.label);
    out << "  n" << v;
    switch (s.kind) {
      case StepKind::Start:
      case StepKind::End: out << "([" << text << "])"; break;
      case StepKind::If:
      case StepKind::ElseIf: out << "{" << text << "}"; break;
      case StepKind::Wait: out << "{{" << text << "}}"; break;
      case StepKind::Stop: out << "((" << text << "))"; break;
      default: out << "[" << text << "]"; break;
    }
    out << "\n";
  }
  for (StepIndex v = 0; v < g.size(); ++v) {
    for (const auto& [label, to] : g.out_edges(v)) {
      out << "  n" << v << " -->";
      if (label != engine::EdgeLabel::Next) out << "|" << engine::edge_label_name(label) << "|";
      out << " n" << to << "\n";
    }
  }
}

void write_json(const engine::Program& p, const engine::Workflow& w, const WorkflowGraph& g, std::ostream& out) {
  std::string s;
  s += "{\n  \"workflow\": ";
  engine::append_json_string(s, w.name);
  s += ",\n  \"version\": ";
  engine::append_json_string(s, p.version);
  s += ",\n  \"nodes\": [";
  for (StepIndex v = 0; v < g.size(); ++v) {
    const engine::Step& step = g.step(v);
    s += v == 0 ? "\n    " : ",\n    ";
    s += "{\"id\": ";
    engine::append_json_string(s, step.id);
    s += ", \"kind\": ";
    engine::append_json_string(s, engine::step_kind_name(step.kind));
    s += ", \"line\": " + std::to_string(step.line) + ", \"label\": ";
    engine::append_json_string(s, step.label);
    s += "}";
  }
  s += g.size() ? "\n  ],\n  \"edges\": [" : "],\n  \"edges\": [";
  bool first = true;
  for (StepIndex v = 0; v < g.size(); ++v) {
    for (const auto& [label, to] : g.out_edges(v)) {
      s += first ? "\n    " : ",\n    ";
      first = false;
      s += "{\"from\": ";
      engine::append_json_string(s, g.step(v).id);
      s += ", \"to\": ";
      engine::append_json_string(s, g.step(to).id);
      s += ", \"label\": ";
      engine::append_json_string(s, engine::edge_label_name(label));
      s += "}";
    }
  }
  s += first ? "]\n}\n" : "\n  ]\n}\n";
  out << s;
}

}  // namespace

bool export_graph(const engine::Program& program, const std::string& workflow, GraphFormat format,
                  std::ostream& out) {
  const engine::Workflow* w = program.workflow(workflow);
  if (!w || !w->graph) return false;
  switch (format) {
    case GraphFormat::Dot: write_dot(*w, *w->graph, out); break;
    case GraphFormat::Mermaid: write_mermaid(*w, *w->graph, out); break;
    case GraphFormat::Json: write_json(program, *w, *w->graph, out); break;
  }
  return true;
}

}  // namespace leadflow::dsl
