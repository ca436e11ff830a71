// Node cloning: duplicates cheap producers so each consumer can have its own copy instead of
// waiting for a transfer from another worker.
#pragma once

#include "core/passes/pass.h"

namespace ramiel::passes {

// Bounds that keep cloning small and predictable.
inline constexpr int kMaxClonesPerNode = 8;
inline constexpr int kMaxReplicationDepth = 6;

// Walks nodes in reverse topological order. A node with one output read by several consumer
// nodes is cloned, one copy for each consumer after the first (at most kMaxClonesPerNode),
// when its replication cost is below the output's transfer cost. The replication cost of a
// value is 0 for graph inputs and constants (every worker has them); for a node's output it is
// the node's cost plus its inputs' replication costs, and infinite when that is not below the
// output's own transfer cost, the chain is deeper than kMaxReplicationDepth, or the node must
// not be duplicated (random, control-flow and sequence ops, Dropout). Cheap producers of a
// cloned node therefore get their own consumers and are cloned when the walk reaches them.
// Does nothing for one worker, or when context lacks node_cost_us or transfer_cost_us. Counts
// "cloned".
StatusOr<bool> clone_nodes(ir::Graph& graph, PassContext& context);

}  // namespace ramiel::passes
