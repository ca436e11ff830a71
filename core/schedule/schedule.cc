#include "core/schedule/schedule.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/schedule/levels.h"
#include "core/schedule/linear_clustering.h"
#include "core/schedule/merge.h"
#include "core/support/stopwatch.h"

namespace ramiel::schedule {
namespace {

double total_cost(const DataflowGraph& graph) {
  double sum = 0;
  for (double c : graph.node_cost_us) sum += c;  // in index order, as the verifier sums
  return sum;
}

// The clusters of an assignment: each worker's nodes in the global rank's order, empty workers
// dropped, numbered by their lowest node index so the numbering is canonical.
void fill_clusters(const WorkerAssignment& a, Schedule& s) {
  std::vector<std::vector<int32_t>> by_worker(static_cast<size_t>(a.workers));
  for (int32_t v : a.rank)
    by_worker[static_cast<size_t>(a.worker_of[static_cast<size_t>(v)])].push_back(v);
  std::vector<std::vector<int32_t>> clusters;
  for (std::vector<int32_t>& nodes : by_worker) {
    if (!nodes.empty()) clusters.push_back(std::move(nodes));
  }
  std::sort(clusters.begin(), clusters.end(), [](const auto& x, const auto& y) {
    return *std::min_element(x.begin(), x.end()) < *std::min_element(y.begin(), y.end());
  });
  s.cluster_of.assign(a.worker_of.size(), -1);
  for (size_t c = 0; c < clusters.size(); ++c) {
    for (int32_t v : clusters[c]) s.cluster_of[static_cast<size_t>(v)] = static_cast<int32_t>(c);
  }
  s.clusters = std::move(clusters);
  s.makespan_us = a.makespan_us;
}

}  // namespace

Schedule serial_schedule(const DataflowGraph& graph) {
  Schedule s;
  s.serial_us = total_cost(graph);
  s.makespan_us = s.serial_us;
  s.cluster_of.assign(static_cast<size_t>(graph.size()), 0);
  if (graph.size() > 0) {
    s.clusters.emplace_back(static_cast<size_t>(graph.size()));
    std::iota(s.clusters[0].begin(), s.clusters[0].end(), 0);
  }
  return s;
}

StatusOr<Schedule> schedule_graph(const DataflowGraph& graph, const ScheduleOptions& options) {
  if (options.workers < 1) {
    return invalid_argument("schedule: workers must be at least 1, not " +
                            std::to_string(options.workers));
  }
  if (!std::isfinite(options.min_speedup) || options.min_speedup < 0) {
    return invalid_argument("schedule: min_speedup must be a finite non-negative number");
  }
  ScheduleStats stats;
  Stopwatch watch;
  RAMIEL_ASSIGN_OR_RETURN(const FlatGraph flat, FlatGraph::build(graph));
  stats.flatten_ms = watch.elapsed_ms();

  watch.restart();
  const std::vector<double> bottom = bottom_levels(flat);
  const std::vector<int32_t> order = level_order(bottom);
  stats.levels_ms = watch.elapsed_ms();

  watch.restart();
  const LinearClusters linear = linear_clusters(flat, bottom, order);
  stats.linear_clusters = linear.count();
  stats.clustering_ms = watch.elapsed_ms();

  Schedule s = serial_schedule(graph);
  s.critical_path_us = critical_path_us(bottom);
  stats.parallel_makespan_us = s.serial_us;
  if (options.workers >= 2 && linear.count() >= 2) {
    watch.restart();
    const WorkerAssignment merged = merge_clusters(flat, order, linear, options.workers);
    stats.merging_ms = watch.elapsed_ms();
    stats.groups = merged.groups;
    stats.merge_unit = merge_unit_name(merged.unit);
    stats.parallel_makespan_us = merged.makespan_us;
    // Never slower than serial, and parallel only when the predicted gain is worth it.
    const bool pays = merged.makespan_us > 0 && merged.makespan_us <= s.serial_us &&
                      s.serial_us / merged.makespan_us >= options.min_speedup;
    if (pays) {
      fill_clusters(merged, s);
    } else {
      stats.fell_back = true;
    }
  }

  watch.restart();
  if (Status verified = verify_schedule(flat, s, options.workers); !verified.ok()) {
    return verified.with_context("schedule_graph produced an invalid schedule");
  }
  stats.verify_ms = watch.elapsed_ms();
  s.stats = stats;
  return s;
}

}  // namespace ramiel::schedule
