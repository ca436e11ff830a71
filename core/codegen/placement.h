// What the code generator checks of a schedule before it trusts it: that it covers the graph.
// Whether it can run (no deadlock, sound costs) is verify_schedule's business, in schedule/.
#pragma once

#include <cstdint>
#include <vector>

#include "core/ir/graph.h"
#include "core/schedule/schedule.h"
#include "core/support/status.h"

namespace ramiel::codegen {

// Where each node runs.
struct Placement {
  std::vector<int32_t> cluster_of;  // by IR node id
};

// INTERNAL unless the snapshot holds exactly the graph's nodes and every node is in exactly
// one cluster.
StatusOr<Placement> place_nodes(const ir::Graph& graph, const schedule::DataflowGraph& dataflow,
                                const schedule::Schedule& schedule);

}  // namespace ramiel::codegen
