#include "core/schedule/schedule.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/schedule/levels.h"
#include "core/schedule/linear_clustering.h"
#include "core/schedule/merge.h"
#include "core/schedule/simulate.h"
#include "core/schedule/stages.h"
#include "core/support/stopwatch.h"

namespace ramiel::schedule {
namespace {

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
  s.cluster_threads.assign(s.clusters.size(), std::max(1, s.cores / std::max(1, a.workers)));
  s.makespan_us = a.makespan_us;
}

// Whether a parallel schedule beats the serial one by enough to be worth its threads.
bool pays(double parallel_us, double serial_us, double min_speedup) {
  return parallel_us > 0 && parallel_us <= serial_us && serial_us / parallel_us >= min_speedup;
}

}  // namespace

double serial_time_us(const DataflowGraph& graph, int cores) {
  const bool wide = graph.has_wide_costs() && cores > 1;
  double total = 0;
  for (int32_t v = 0; v < graph.size(); ++v) total += wide ? graph.wide_cost(v) : graph.cost(v);
  return total;
}

Schedule serial_schedule(const DataflowGraph& graph, int threads) {
  Schedule s;
  s.cores = std::max(threads, 1);
  const bool wide = graph.has_wide_costs() && s.cores > 1;
  s.serial_us = serial_time_us(graph, s.cores);
  s.makespan_us = s.serial_us;
  s.cluster_of.assign(static_cast<size_t>(graph.size()), 0);
  if (graph.size() > 0) {
    s.clusters.emplace_back(static_cast<size_t>(graph.size()));
    std::iota(s.clusters[0].begin(), s.clusters[0].end(), 0);
    s.cluster_threads = {s.cores};
    if (wide) s.wide_cluster = 0;
  }
  return s;
}

std::vector<double> scheduled_costs(const DataflowGraph& graph, const Schedule& schedule) {
  std::vector<double> costs(static_cast<size_t>(graph.size()));
  for (int32_t v = 0; v < graph.size(); ++v) {
    const auto c = static_cast<size_t>(schedule.cluster_of[static_cast<size_t>(v)]);
    const int threads = c < schedule.cluster_threads.size() ? schedule.cluster_threads[c] : 1;
    const bool beside_others = schedule.wide_cluster >= 0 &&
                               static_cast<int32_t>(c) != schedule.wide_cluster;
    costs[static_cast<size_t>(v)] = cost_with_threads(graph, v, threads, schedule.cores) *
                                    (beside_others ? schedule.co_run_slowdown : 1.0);
  }
  return costs;
}

Status retime_schedule(const DataflowGraph& serial, const DataflowGraph& clustered,
                       Schedule& schedule) {
  const auto n = static_cast<int32_t>(schedule.cluster_of.size());
  if (serial.size() != n || clustered.size() != n) {
    return invalid_argument("retime_schedule: the graphs do not hold the schedule's nodes");
  }
  schedule.serial_us = serial_time_us(serial, schedule.cores);
  schedule.critical_path_us = critical_path_us(bottom_levels(clustered));
  if (schedule.clusters.size() <= 1) {
    schedule.makespan_us = schedule.serial_us;
    return ok_status();
  }
  const std::vector<double> costs = scheduled_costs(clustered, schedule);
  RAMIEL_ASSIGN_OR_RETURN(schedule.makespan_us, simulate_clusters(clustered, schedule.cluster_of,
                                                                  schedule.clusters, &costs));
  return ok_status();
}

StatusOr<Schedule> schedule_graph(const DataflowGraph& graph, const ScheduleOptions& options) {
  if (options.workers < 1) {
    return invalid_argument("schedule: workers must be at least 1, not " +
                            std::to_string(options.workers));
  }
  if (options.threads < 1) {
    return invalid_argument("schedule: threads must be at least 1, not " +
                            std::to_string(options.threads));
  }
  if (!std::isfinite(options.min_speedup) || options.min_speedup < 0) {
    return invalid_argument("schedule: min_speedup must be a finite non-negative number");
  }
  if (!std::isfinite(options.co_run_slowdown) || options.co_run_slowdown < 1) {
    return invalid_argument("schedule: co_run_slowdown must be a finite number of at least 1");
  }
  if (!std::isfinite(options.handoff_us) || options.handoff_us < 0) {
    return invalid_argument("schedule: handoff_us must be a finite non-negative number");
  }
  ScheduleStats stats;
  Stopwatch watch;
  const std::vector<double> bottom = bottom_levels(graph);
  const std::vector<int32_t> order = level_order(bottom);
  stats.levels_ms = watch.elapsed_ms();

  Schedule s = serial_schedule(graph, options.threads);
  stats.parallel_makespan_us = s.serial_us;
  if (graph.has_wide_costs() && options.threads > 1) {
    // Staged: the wide worker for what intra-op threads do best, narrow workers for the rest.
    watch.restart();
    Schedule staged = staged_schedule(graph, options, stats);
    stats.merging_ms = watch.elapsed_ms();
    const std::vector<double> costs = scheduled_costs(graph, staged);
    RAMIEL_ASSIGN_OR_RETURN(staged.makespan_us,
                            simulate_clusters(graph, staged.cluster_of, staged.clusters, &costs));
    staged.serial_us = s.serial_us;
    stats.parallel_makespan_us = staged.makespan_us;
    if (staged.clusters.size() > 1 && pays(staged.makespan_us, s.serial_us, options.min_speedup)) {
      s = std::move(staged);
    } else {
      stats.fell_back = staged.clusters.size() > 1;
    }
  } else {
    watch.restart();
    const LinearClusters linear = linear_clusters(graph, bottom, order);
    stats.linear_clusters = linear.count();
    stats.clustering_ms = watch.elapsed_ms();
    if (options.workers >= 2 && linear.count() >= 2) {
      watch.restart();
      const WorkerAssignment merged = merge_clusters(graph, order, linear, options.workers);
      stats.merging_ms = watch.elapsed_ms();
      stats.groups = merged.groups;
      stats.merge_unit = merge_unit_name(merged.unit);
      stats.parallel_makespan_us = merged.makespan_us;
      // Never slower than serial, and parallel only when the predicted gain is worth it.
      if (pays(merged.makespan_us, s.serial_us, options.min_speedup)) {
        fill_clusters(merged, s);
      } else {
        stats.fell_back = true;
      }
    }
  }
  s.critical_path_us = critical_path_us(bottom);

  watch.restart();
  if (Status verified = verify_schedule(graph, s, options.workers); !verified.ok()) {
    return verified.with_context("schedule_graph produced an invalid schedule");
  }
  stats.verify_ms = watch.elapsed_ms();
  s.stats = stats;
  return s;
}

}  // namespace ramiel::schedule
