// verify_schedule: the independent check of every schedule the scheduler returns.
#include <algorithm>
#include <cmath>
#include <string>

#include "core/schedule/schedule.h"
#include "core/schedule/simulate.h"

namespace ramiel::schedule {
namespace {

// Sums of many doubles depend on the order they were added in.
bool close(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

Status check_partition(const FlatGraph& graph, const Schedule& schedule, int max_clusters) {
  const auto n = static_cast<size_t>(graph.size());
  if (schedule.cluster_of.size() != n) {
    return internal_error("schedule: cluster_of has " + std::to_string(schedule.cluster_of.size()) +
                          " entries for " + std::to_string(n) + " nodes");
  }
  if (schedule.clusters.size() > static_cast<size_t>(std::max(max_clusters, 0))) {
    return internal_error("schedule: " + std::to_string(schedule.clusters.size()) +
                          " clusters, more than the " + std::to_string(max_clusters) + " allowed");
  }
  std::vector<bool> placed(n, false);
  for (size_t c = 0; c < schedule.clusters.size(); ++c) {
    if (schedule.clusters[c].empty()) {
      return internal_error("schedule: cluster " + std::to_string(c) + " is empty");
    }
    for (int32_t v : schedule.clusters[c]) {
      if (v < 0 || static_cast<size_t>(v) >= n) {
        return internal_error("schedule: cluster " + std::to_string(c) + " names node " +
                              std::to_string(v) + ", which does not exist");
      }
      if (placed[static_cast<size_t>(v)]) {
        return internal_error("schedule: node " + std::to_string(v) + " is in two places");
      }
      placed[static_cast<size_t>(v)] = true;
      if (schedule.cluster_of[static_cast<size_t>(v)] != static_cast<int32_t>(c)) {
        return internal_error("schedule: node " + std::to_string(v) + " is listed in cluster " +
                              std::to_string(c) + " but cluster_of says " +
                              std::to_string(schedule.cluster_of[static_cast<size_t>(v)]));
      }
    }
  }
  for (size_t v = 0; v < n; ++v) {
    if (!placed[v]) {
      return internal_error("schedule: node " + std::to_string(v) + " is in no cluster");
    }
  }
  return ok_status();
}

// A node must come after its predecessors that share its cluster.
Status check_cluster_order(const FlatGraph& graph, const Schedule& schedule) {
  std::vector<size_t> position(static_cast<size_t>(graph.size()));
  for (const std::vector<int32_t>& cluster : schedule.clusters) {
    for (size_t i = 0; i < cluster.size(); ++i) position[static_cast<size_t>(cluster[i])] = i;
  }
  for (int32_t v = 0; v < graph.size(); ++v) {
    for (const Edge& e : graph.pred(v)) {
      const auto p = static_cast<size_t>(e.node);
      if (schedule.cluster_of[p] == schedule.cluster_of[static_cast<size_t>(v)] &&
          position[p] > position[static_cast<size_t>(v)]) {
        return internal_error("schedule: node " + std::to_string(v) +
                              " runs before its input node " + std::to_string(e.node) +
                              " in cluster " + std::to_string(schedule.cluster_of[p]));
      }
    }
  }
  return ok_status();
}

}  // namespace

Status verify_schedule(const DataflowGraph& graph, const Schedule& schedule, int max_clusters) {
  StatusOr<FlatGraph> flat = FlatGraph::build(graph);
  if (!flat.ok()) return internal_error("schedule of an invalid " + flat.status().message());
  return verify_schedule(*flat, schedule, max_clusters);
}

Status verify_schedule(const FlatGraph& graph, const Schedule& schedule, int max_clusters) {
  RAMIEL_RETURN_IF_ERROR(check_partition(graph, schedule, max_clusters));
  RAMIEL_RETURN_IF_ERROR(check_cluster_order(graph, schedule));
  // Deadlock freedom, and the makespan the schedule claims.
  RAMIEL_ASSIGN_OR_RETURN(double makespan,
                          simulate_clusters(graph, schedule.cluster_of, schedule.clusters));
  double serial = 0;
  for (double c : graph.costs()) serial += c;
  if (!close(schedule.serial_us, serial)) {
    return internal_error("schedule: serial_us is " + std::to_string(schedule.serial_us) +
                          ", the node costs sum to " + std::to_string(serial));
  }
  if (!close(schedule.makespan_us, makespan)) {
    return internal_error("schedule: makespan_us is " + std::to_string(schedule.makespan_us) +
                          ", simulation gives " + std::to_string(makespan));
  }
  if (makespan > serial && !close(makespan, serial)) {
    return internal_error("schedule: makespan " + std::to_string(makespan) +
                          " us is above the serial " + std::to_string(serial) + " us");
  }
  return ok_status();
}

}  // namespace ramiel::schedule
