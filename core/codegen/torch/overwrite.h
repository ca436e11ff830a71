// Which tensors a node may overwrite with its result (an in-place op), provably safely.
//
// Computing a result in its input's storage saves an allocation (and the page faults of fresh
// memory) per node. It is safe only when nothing else can see that storage: the tensor is a
// node's output that the node's emitter made fresh (never a view or an alias of another tensor,
// a graph input or a constant), its one reader is the node that overwrites it, it is not a
// graph output, and it never crosses workers (a tensor handed to another worker is shared by
// reference in thread mode and must stay as sent).
#pragma once

#include <vector>

#include "core/codegen/placement.h"
#include "core/ir/graph.h"

namespace ramiel::codegen {

// By value id: whether the value's one reader may overwrite it.
std::vector<bool> overwritable_values(const ir::Graph& graph, const Placement& placement);

}  // namespace ramiel::codegen
