// Staged scheduling: intra-op parallelism where it pays, inter-op parallelism where it pays more.
//
// At batch 1 neither kind of parallelism suffices alone: a network's stem and joins are chains
// that only intra-op threads can speed up, while its branchy modules keep several one-thread
// workers busy better than intra-op threads keep two cores busy on small kernels. The graph is
// cut at its cut nodes (every path passes through them, so nothing can overlap them) into
// segments; each segment runs either on the wide worker (one worker, every core as an intra-op
// thread) or on the narrow workers (the clustering of schedule.h, one thread each), whichever
// a dynamic program over the segments finds faster, switches between the two included. The
// stages need no barrier: the wide cluster's nodes are ordered against every narrow node by the
// data edges through the cut nodes, so the two kinds never run at the same time.
#pragma once

#include <cstdint>
#include <vector>

#include "core/schedule/dataflow_graph.h"
#include "core/schedule/schedule.h"

namespace ramiel::schedule {

// The nodes every other node is an ancestor or a descendant of, in index order: all nodes
// before a cut node are its ancestors, all after it its descendants. A node without
// successors counts as read at the end (it is a graph output). O(V + E).
std::vector<int32_t> cut_nodes(const DataflowGraph& graph);

// A node's cost on a worker with `threads` intra-op threads out of `cores`: its cost at one,
// its wide cost at all, the speedup interpolated linearly in between.
double cost_with_threads(const DataflowGraph& graph, int32_t v, int threads, int cores);

// The staged schedule for options.workers narrow workers and options.threads cores, before any
// fallback (the caller compares it with serial) and before its times are filled in. Needs wide
// costs. Fills the stage fields of `stats`.
Schedule staged_schedule(const DataflowGraph& graph, const ScheduleOptions& options,
                         ScheduleStats& stats);

}  // namespace ramiel::schedule
