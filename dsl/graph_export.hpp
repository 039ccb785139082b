// Export of one workflow's graph as Graphviz dot, a Mermaid flowchart or JSON (`leadflow graph`).
#pragma once

#include <iosfwd>
#include <string>

namespace leadflow::engine {
class Program;
}

namespace leadflow::dsl {

enum class GraphFormat { Dot, Mermaid, Json };

// Writes the graph of `workflow`; false (and nothing written) when the program has no such
// workflow. The output depends only on the program: byte-identical across runs.
//   Dot:     a `digraph` for `dot -Tsvg`; node ids are the stable step ids, labels the steps as
//            written (shortened); then/else/timeout edges are labelled, next edges are not.
//   Mermaid: `flowchart TD` with ids n0, n1, ... in vertex order.
//   Json:    {"workflow", "version", "nodes": [{"id", "kind", "line", "label"}],
//             "edges": [{"from", "to", "label"}]}, nodes in vertex order (start first, end
//            last), edges by source vertex, then label, then target.
bool export_graph(const engine::Program& program, const std::string& workflow, GraphFormat format,
                  std::ostream& out);

}  // namespace leadflow::dsl
