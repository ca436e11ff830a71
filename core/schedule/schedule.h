// The scheduling decision: which worker (cluster) runs each node, in which order.
//
// Execution model (core/schedule/simulate.h): each cluster is run by one worker that executes
// its nodes in the cluster's order and waits for a cross-cluster input just before the node
// that needs it. A schedule is therefore valid iff the graph of data edges plus program-order
// edges (each node to the next node of its cluster) is acyclic: a cycle there is a deadlock.
// That is what "the cluster graph is acyclic" means here. The quotient graph of clusters (one
// vertex per cluster, an arc for every cross-cluster edge) may well have cycles and must be
// allowed to: a side branch that receives from the main chain and sends back to it is exactly
// the parallelism we want. Merging keeps validity by construction, since every cluster lists
// its nodes in the order of one global topological rank, and the verifier checks it anyway.
#pragma once

#include <cstdint>
#include <vector>

#include "core/schedule/dataflow_graph.h"
#include "core/support/status.h"

namespace ramiel::schedule {

struct ScheduleOptions {
  int workers = 2;  // at most this many narrow (concurrently running) clusters (>= 1)
  // Fall back to one cluster unless the predicted speedup over serial reaches this. The result
  // falls back whenever the prediction is slower than serial, whatever this says.
  double min_speedup = 1.05;
  // Cores of the machine: a wide cluster runs with this many intra-op threads. Staging (see
  // stages.h) happens when this is above 1 and the graph has wide costs.
  int threads = 1;
  // What switching between the wide worker and the narrow ones costs (one hand-off).
  double handoff_us = 0;
  // A staged schedule's narrow nodes take this many times their cost (see DeviceProfile).
  double co_run_slowdown = 1;
};

// What the scheduler did, for metadata and benchmarks (times are wall-clock, not output).
struct ScheduleStats {
  int32_t linear_clusters = 0;      // paths cut by linear clustering
  int32_t groups = 0;               // units merging placed whole (see MergeUnit in merge.h)
  const char* merge_unit = "";      // "paths" or "nodes"; "" when not merged
  double parallel_makespan_us = 0;  // best multi-cluster makespan found, before any fallback
  bool fell_back = false;           // parallel did not pay (see min_speedup): one cluster
  double levels_ms = 0;
  double clustering_ms = 0;
  double merging_ms = 0;
  double verify_ms = 0;
  int32_t segments = 0;       // staging: the graph's segments between cut nodes
  int32_t wide_segments = 0;  // ... of which the wide worker runs this many
};

struct Schedule {
  std::vector<int32_t> cluster_of;             // per node index
  std::vector<std::vector<int32_t>> clusters;  // node indices per cluster, in execution order
  // Intra-op threads of each cluster's worker, parallel to `clusters`. Empty means one thread
  // per worker.
  std::vector<int32_t> cluster_threads;
  // The wide cluster, or -1: it holds the stretches that run best with every core as intra-op
  // threads, its nodes cost their wide cost, and it never runs while another cluster does.
  int32_t wide_cluster = -1;
  // With a wide cluster: the other clusters' nodes cost this many times their cost (they run
  // beside each other; see ScheduleOptions::co_run_slowdown).
  double co_run_slowdown = 1;
  int32_t cores = 1;  // the machine's cores, which cluster_threads share out
  // The best serial run: the sum of wide costs when the graph has them and cores > 1, else of
  // costs.
  double serial_us = 0;
  double critical_path_us = 0;                 // longest path, node and edge costs
  double makespan_us = 0;                      // simulated run time of this schedule
  ScheduleStats stats;
  double speedup() const { return makespan_us > 0 ? serial_us / makespan_us : 1.0; }
};

// Bottom levels, linear clustering along critical paths, then merging down to at most
// options.workers clusters by simulated makespan, then the fallback to one cluster; the result
// has passed verify_schedule. Clusters are numbered by their lowest node index; an empty graph
// has no clusters. INVALID_ARGUMENT for bad options.
StatusOr<Schedule> schedule_graph(const DataflowGraph& graph, const ScheduleOptions& options);

// Checks every invariant: each node in exactly one cluster and cluster_of agreeing, no empty
// cluster, cluster order respects dependencies, no deadlock (see above), at most `max_clusters`
// narrow clusters (plus the wide one), the wide cluster never concurrent with another,
// serial_us the best serial time, makespan_us the simulated makespan and not above serial.
// INTERNAL naming the first broken invariant.
Status verify_schedule(const DataflowGraph& graph, const Schedule& schedule, int max_clusters);

// The serial program's time: every node one after another, with every core as intra-op threads
// (its wide cost) when the graph has wide costs and `cores` is above 1.
double serial_time_us(const DataflowGraph& graph, int cores);

// One cluster holding every node in index order: the serial program. With wide costs it is
// the wide cluster, run with `threads` intra-op threads.
Schedule serial_schedule(const DataflowGraph& graph, int threads = 1);

// The schedule's predictions again with other costs for the same nodes: a program's engines are
// chosen per cluster after scheduling, and a frozen cluster's nodes cost less. `serial` costs
// every node as the serial program runs it, `clustered` as its own cluster's engine does;
// serial_us, makespan_us (the serial time for one cluster) and critical_path_us are recomputed
// from them. INVALID_ARGUMENT when either graph's size is not the schedule's.
Status retime_schedule(const DataflowGraph& serial, const DataflowGraph& clustered,
                       Schedule& schedule);

// The cost each node has in `schedule`: its cost with its cluster's intra-op threads (the
// wide cost in the wide cluster, the one-thread cost on a one-thread worker, times the
// co-run slowdown beside a wide cluster).
std::vector<double> scheduled_costs(const DataflowGraph& graph, const Schedule& schedule);

}  // namespace ramiel::schedule
