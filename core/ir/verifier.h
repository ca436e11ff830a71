// Structural checks of a Graph: consistent use lists, topological order, live references.
#pragma once

#include "core/ir/graph.h"
#include "core/support/status.h"

namespace ramiel::ir {

// OK, or an INTERNAL error naming the first broken invariant (a broken graph is a bug).
Status verify_graph(const Graph& graph);

}  // namespace ramiel::ir
