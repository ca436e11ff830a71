// An If whose condition is a known constant becomes the branch it takes: the branch's nodes move
// into the enclosing graph (fold_constants calls it).
#pragma once

#include "core/ir/graph.h"

namespace ramiel::passes {

// Inlines `node` (an If) when its condition is a constant with contents; returns whether it did.
// The branch's nodes go right before the If, reading the If's captured inputs where the branch
// read its inputs; the If's outputs are replaced (keeping their names where the branch computed
// them) and the If is removed.
bool inline_constant_if(ir::Graph& graph, ir::Node* node);

}  // namespace ramiel::passes
