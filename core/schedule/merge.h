// Merging linear clusters down to a number of workers, choosing by simulated makespan.
//
// Everything here works on rank positions (RankedSimulator) of one global rank, the level order
// (level_order in levels.h). That is the order in which list scheduling by bottom level takes
// nodes, and every worker runs its nodes in that order, so no placement can deadlock: merging
// two clusters interleaves them by global rank.
#pragma once

#include <cstdint>
#include <vector>

#include "core/schedule/dataflow_graph.h"
#include "core/schedule/linear_clustering.h"
#include "core/schedule/simulate.h"

namespace ramiel::schedule {

// A worker for every rank position, and the simulated makespan of that placement.
struct Placement {
  std::vector<int32_t> worker_at;
  double makespan_us = 0;
};

// List scheduling of whole groups (group_at: the group of each rank position, ids below
// `groups`) on `workers` workers: positions are taken in rank order; the first node of a group
// picks the worker where it can start earliest (transfers from other workers included; ties go
// to the worker idle for the shortest time, then the lowest index) and pins the rest of the
// group there. O((V + E) W).
Placement list_schedule(const RankedSimulator& ranked, const std::vector<int32_t>& group_at,
                        int32_t groups, int workers);

// Improves a placement by simulated makespan with a bounded number of simulations (at most 48,
// fewer on graphs so large that 48 would cost more than a few million node and edge visits):
// merges of two workers into one (all pairs when few are in use, else each with the worker it
// talks to most), kept when the makespan does not grow, the best merge first; then moves of
// the heaviest groups to other workers, kept when the makespan shrinks.
void refine_placement(RankedSimulator& ranked, const std::vector<int32_t>& group_at, int32_t groups,
                      int workers, Placement& placement);

// What merge_clusters placed as indivisible units.
enum class MergeUnit {
  kPaths,  // the linear clusters
  kNodes,  // single nodes: plain list scheduling, when keeping paths whole would cost time
};
const char* merge_unit_name(MergeUnit unit);

// Nodes mapped to workers, with the global rank every worker follows.
struct WorkerAssignment {
  std::vector<int32_t> worker_of;  // per node, in [0, workers)
  std::vector<int32_t> rank;       // every node once, in a topological order
  int workers = 0;
  double makespan_us = 0;  // simulate_ranked of the above
  int32_t groups = 0;      // units placed whole
  MergeUnit unit = MergeUnit::kPaths;
};

// The whole merge: list scheduling of both kinds of unit, then refinement of the better.
// Single nodes must beat paths by kNodesMargin (2%), because their prediction rests on more
// hand-offs, each a chance for the transfer model to be optimistic. Measured on 1500 random
// DAGs: single nodes win half the time, add 7% to the mean predicted speedup, and raise the
// share of cross-worker edges from a third to two fifths. (A third candidate, paths with the
// smallest folded into their heaviest neighbour, added 0.01% and was dropped.) O((V + E) W).
WorkerAssignment merge_clusters(const DataflowGraph& graph, const std::vector<int32_t>& order,
                                const LinearClusters& linear, int workers);

}  // namespace ramiel::schedule
