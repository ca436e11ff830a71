// What the code generator checks of a schedule before it trusts it: coverage and no deadlock.
#pragma once

#include <cstdint>
#include <vector>

#include "core/ir/graph.h"
#include "core/schedule/schedule.h"
#include "core/support/status.h"

namespace ramiel::codegen {

// Where each node runs, indexed by node id.
struct Placement {
  std::vector<int32_t> cluster_of;
  std::vector<int32_t> index_of;  // the node's index in the IndexedGraph
};

// INTERNAL unless the indexed graph holds exactly the graph's nodes and every node is in
// exactly one cluster.
StatusOr<Placement> place_nodes(const ir::Graph& graph, const schedule::IndexedGraph& indexed,
                                const schedule::Schedule& schedule);

// Every worker waits for a tensor just before the node that reads it, so a program can only
// hang if the data edges and each cluster's order together form a cycle: INTERNAL if they do.
Status check_deadlock_free(const schedule::IndexedGraph& indexed,
                           const schedule::Schedule& schedule, const Placement& placement);

}  // namespace ramiel::codegen
