// The scheduling decision: which worker (cluster) runs each node, in which order.
#pragma once

#include <cstdint>
#include <vector>

#include "core/schedule/dataflow.h"
#include "core/support/status.h"

namespace ramiel::schedule {

struct ScheduleOptions {
  int workers = 2;  // at most this many clusters
  // Fall back to one cluster unless the predicted speedup over serial reaches this.
  double min_speedup = 1.05;
};

struct Schedule {
  std::vector<int32_t> cluster_of;             // per node index
  std::vector<std::vector<int32_t>> clusters;  // node indices per cluster, in execution order
  double serial_us = 0;         // sum of node costs
  double critical_path_us = 0;  // longest path, node and edge costs
  double makespan_us = 0;       // simulated run time of this schedule
  double speedup() const { return makespan_us > 0 ? serial_us / makespan_us : 1.0; }
};

// Linear clustering along critical paths, then merging down to options.workers clusters.
StatusOr<Schedule> schedule_graph(const DataflowGraph& graph, const ScheduleOptions& options);

// Checks every invariant: each node in exactly one cluster, cluster order respects dependencies,
// the cluster graph is acyclic, at most `max_clusters` clusters, makespan not above serial.
Status verify_schedule(const DataflowGraph& graph, const Schedule& schedule, int max_clusters);

}  // namespace ramiel::schedule
