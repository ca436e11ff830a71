// Merging linear clusters down to a number of workers, choosing by simulated makespan.
//
// Everything here works on rank positions (RankedSimulator) of one global rank, the level order
// (level_order in levels.h). That is the order in which list scheduling by bottom level takes
// nodes, and every worker runs its nodes in that order, so no placement can deadlock: merging
// two clusters interleaves them by global rank.
#pragma once

#include <cstdint>
#include <vector>

#include "core/schedule/dataflow.h"
#include "core/schedule/simulate.h"

namespace ramiel::schedule {

// Folds clusters too small to pay for their transfers: a cluster whose compute is below the
// cost of its edges to other clusters joins the neighbour it exchanges most with. Smallest
// clusters first, one pass, O(V + E) up to a sort of the clusters. Returns the group of each
// node (dense ids) and sets `*groups` to their number.
std::vector<int32_t> fold_small_clusters(const DataflowGraph& graph,
                                         const std::vector<std::vector<int32_t>>& clusters,
                                         int32_t* groups);

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

// Improves a placement by simulated makespan with a bounded number of simulations: merges of
// two workers into one (all pairs when few are in use, else each with the worker it talks to
// most), kept when the makespan does not grow, the best merge first; then moves of the
// heaviest groups to other workers, kept when the makespan shrinks.
void refine_placement(RankedSimulator& ranked, const std::vector<int32_t>& group_at, int32_t groups,
                      int workers, Placement& placement);

// What merge_clusters placed as indivisible units.
enum class MergeUnit {
  kPaths,        // the linear clusters
  kFoldedPaths,  // the linear clusters after fold_small_clusters
  kNodes,        // single nodes: plain list scheduling, when clusters would cost time
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

// The whole merge: list scheduling of the three kinds of unit, then refinement of the best.
// Paths win ties against folded paths; single nodes must beat both by kNodesMargin, because
// their prediction rests on more hand-offs (about 10% more cross-worker edges on random DAGs),
// each a chance for the transfer model to be optimistic. O((V + E) W + V log V).
WorkerAssignment merge_clusters(const DataflowGraph& graph, const std::vector<int32_t>& order,
                                const std::vector<std::vector<int32_t>>& linear, int workers);

}  // namespace ramiel::schedule
