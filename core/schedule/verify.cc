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

Status check_partition(const DataflowGraph& graph, const Schedule& schedule, int max_clusters) {
  const auto n = static_cast<size_t>(graph.size());
  if (schedule.cluster_of.size() != n) {
    return internal_error("schedule: cluster_of has " + std::to_string(schedule.cluster_of.size()) +
                          " entries for " + std::to_string(n) + " nodes");
  }
  const size_t narrow = schedule.clusters.size() - (schedule.wide_cluster >= 0 ? 1 : 0);
  if (narrow > static_cast<size_t>(std::max(max_clusters, 0))) {
    return internal_error("schedule: " + std::to_string(narrow) + " narrow clusters, more than the " +
                          std::to_string(max_clusters) + " allowed");
  }
  if (!schedule.cluster_threads.empty() &&
      schedule.cluster_threads.size() != schedule.clusters.size()) {
    return internal_error("schedule: cluster_threads does not give one count per cluster");
  }
  for (int32_t threads : schedule.cluster_threads) {
    if (threads < 1) return internal_error("schedule: a cluster has no intra-op thread");
  }
  if (schedule.wide_cluster < -1 ||
      schedule.wide_cluster >= static_cast<int32_t>(schedule.clusters.size())) {
    return internal_error("schedule: wide_cluster names no cluster");
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
        return internal_error("schedule: " + graph.node_label(v) + " is in two places");
      }
      placed[static_cast<size_t>(v)] = true;
      if (schedule.cluster_of[static_cast<size_t>(v)] != static_cast<int32_t>(c)) {
        return internal_error("schedule: " + graph.node_label(v) + " is listed in cluster " +
                              std::to_string(c) + " but cluster_of says " +
                              std::to_string(schedule.cluster_of[static_cast<size_t>(v)]));
      }
    }
  }
  for (size_t v = 0; v < n; ++v) {
    if (!placed[v]) {
      return internal_error("schedule: " + graph.node_label(static_cast<int32_t>(v)) +
                            " is in no cluster");
    }
  }
  return ok_status();
}

// A node must come after its predecessors that share its cluster.
Status check_cluster_order(const DataflowGraph& graph, const Schedule& schedule) {
  std::vector<size_t> position(static_cast<size_t>(graph.size()));
  for (const std::vector<int32_t>& cluster : schedule.clusters) {
    for (size_t i = 0; i < cluster.size(); ++i) position[static_cast<size_t>(cluster[i])] = i;
  }
  for (int32_t v = 0; v < graph.size(); ++v) {
    for (const Edge& e : graph.pred(v)) {
      const auto p = static_cast<size_t>(e.node);
      if (schedule.cluster_of[p] == schedule.cluster_of[static_cast<size_t>(v)] &&
          position[p] > position[static_cast<size_t>(v)]) {
        return internal_error("schedule: " + graph.node_label(v) + " runs before its input " +
                              graph.node_label(e.node) + " in cluster " +
                              std::to_string(schedule.cluster_of[p]));
      }
    }
  }
  return ok_status();
}

// The wide cluster uses every core, so no other cluster's node may run beside any of its nodes:
// each narrow node must come after or before every wide node through data and program-order
// edges. The wide nodes form a chain (their program order), so it suffices that the wide nodes
// below a narrow node and those above it together are all of them. O(V + E).
Status check_wide_alone(const DataflowGraph& graph, const Schedule& schedule) {
  if (schedule.wide_cluster < 0) return ok_status();
  const std::vector<int32_t>& wide = schedule.clusters[static_cast<size_t>(schedule.wide_cluster)];
  const auto n = static_cast<size_t>(graph.size());
  std::vector<int32_t> wide_position(n, -1);
  for (size_t i = 0; i < wide.size(); ++i) wide_position[static_cast<size_t>(wide[i])] = static_cast<int32_t>(i);
  // A topological order of data plus program-order edges: the deadlock check passed, so
  // Kahn's algorithm over both finds one.
  std::vector<int32_t> prev(n, -1), next(n, -1);
  for (const std::vector<int32_t>& cluster : schedule.clusters) {
    for (size_t i = 1; i < cluster.size(); ++i) {
      prev[static_cast<size_t>(cluster[i])] = cluster[i - 1];
      next[static_cast<size_t>(cluster[i - 1])] = cluster[i];
    }
  }
  std::vector<int32_t> waiting(n), order, ready;
  for (size_t v = 0; v < n; ++v) {
    waiting[v] = static_cast<int32_t>(graph.pred(static_cast<int32_t>(v)).size()) + (prev[v] >= 0);
    if (waiting[v] == 0) ready.push_back(static_cast<int32_t>(v));
  }
  while (!ready.empty()) {
    const int32_t v = ready.back();
    ready.pop_back();
    order.push_back(v);
    auto release = [&](int32_t u) {
      if (--waiting[static_cast<size_t>(u)] == 0) ready.push_back(u);
    };
    for (const Edge& e : graph.succ(v)) release(e.node);
    if (next[static_cast<size_t>(v)] >= 0) release(next[static_cast<size_t>(v)]);
  }
  if (order.size() != n) return internal_error("schedule deadlocks");
  // below[v]: how many wide nodes precede v (the last wide ancestor's position + 1); above[v]:
  // the position of the first wide descendant (wide.size() when none).
  const auto count = static_cast<int32_t>(wide.size());
  std::vector<int32_t> below(n, 0), above(n, count);
  for (int32_t v : order) {
    const auto vi = static_cast<size_t>(v);
    for (const Edge& e : graph.pred(v)) below[vi] = std::max(below[vi], below[static_cast<size_t>(e.node)]);
    if (prev[vi] >= 0) below[vi] = std::max(below[vi], below[static_cast<size_t>(prev[vi])]);
    if (wide_position[vi] >= 0) below[vi] = wide_position[vi] + 1;
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const auto vi = static_cast<size_t>(*it);
    for (const Edge& e : graph.succ(*it)) above[vi] = std::min(above[vi], above[static_cast<size_t>(e.node)]);
    if (next[vi] >= 0) above[vi] = std::min(above[vi], above[static_cast<size_t>(next[vi])]);
    if (wide_position[vi] >= 0) above[vi] = wide_position[vi];
  }
  for (size_t v = 0; v < n; ++v) {
    if (wide_position[v] < 0 && below[v] != above[v]) {
      return internal_error("schedule: " + graph.node_label(static_cast<int32_t>(v)) +
                            " could run beside the wide cluster's " +
                            graph.node_label(wide[static_cast<size_t>(below[v])]));
    }
  }
  return ok_status();
}

}  // namespace

Status verify_schedule(const DataflowGraph& graph, const Schedule& schedule, int max_clusters) {
  RAMIEL_RETURN_IF_ERROR(check_partition(graph, schedule, max_clusters));
  RAMIEL_RETURN_IF_ERROR(check_cluster_order(graph, schedule));
  // Deadlock freedom, and the makespan the schedule claims.
  const std::vector<double> costs = scheduled_costs(graph, schedule);
  RAMIEL_ASSIGN_OR_RETURN(double makespan,
                          simulate_clusters(graph, schedule.cluster_of, schedule.clusters, &costs));
  RAMIEL_RETURN_IF_ERROR(check_wide_alone(graph, schedule));
  const double serial = serial_time_us(graph, schedule.cores);
  if (!close(schedule.serial_us, serial)) {
    return internal_error("schedule: serial_us is " + std::to_string(schedule.serial_us) +
                          ", the best serial run takes " + std::to_string(serial));
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
