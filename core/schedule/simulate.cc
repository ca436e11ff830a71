#include "core/schedule/simulate.h"

#include <algorithm>
#include <string>

namespace ramiel::schedule {
namespace {

// When every input of `v` has arrived on `worker`.
double inputs_ready(const DataflowGraph& graph, int32_t v, const std::vector<int32_t>& worker_of,
                    int32_t worker, const std::vector<double>& finish) {
  double ready = 0;
  for (const Edge& e : graph.pred(v)) {
    const auto p = static_cast<size_t>(e.node);
    ready = std::max(ready, finish[p] + (worker_of[p] == worker ? 0.0 : e.cost_us));
  }
  return ready;
}

}  // namespace

double simulate_ranked(const DataflowGraph& graph, const std::vector<int32_t>& worker_of,
                       int workers, const std::vector<int32_t>& order,
                       std::vector<double>* finish) {
  std::vector<double> local_finish;
  std::vector<double>& done = finish != nullptr ? *finish : local_finish;
  done.assign(static_cast<size_t>(graph.size()), 0.0);
  std::vector<double> free_at(static_cast<size_t>(workers), 0.0);
  double makespan = 0;
  for (int32_t v : order) {
    const int32_t w = worker_of[static_cast<size_t>(v)];
    const double start =
        std::max(free_at[static_cast<size_t>(w)], inputs_ready(graph, v, worker_of, w, done));
    const double end = start + graph.cost(v);
    done[static_cast<size_t>(v)] = end;
    free_at[static_cast<size_t>(w)] = end;
    makespan = std::max(makespan, end);
  }
  return makespan;
}

RankedSimulator::RankedSimulator(const DataflowGraph& graph, const std::vector<int32_t>& rank)
    : node_at_(rank) {
  const size_t n = rank.size();
  std::vector<int32_t> position_of(n);
  for (size_t i = 0; i < n; ++i)
    position_of[static_cast<size_t>(rank[i])] = static_cast<int32_t>(i);
  cost_.resize(n);
  pred_begin_.reserve(n + 1);
  pred_pos_.reserve(graph.num_edges());
  pred_cost_.reserve(graph.num_edges());
  for (size_t i = 0; i < n; ++i) {
    cost_[i] = graph.cost(rank[i]);
    pred_begin_.push_back(static_cast<int32_t>(pred_pos_.size()));
    for (const Edge& e : graph.pred(rank[i])) {
      pred_pos_.push_back(position_of[static_cast<size_t>(e.node)]);
      pred_cost_.push_back(e.cost_us);
    }
  }
  pred_begin_.push_back(static_cast<int32_t>(pred_pos_.size()));
  done_.resize(n);
}

double RankedSimulator::makespan(const std::vector<int32_t>& worker_at, int workers) {
  free_at_.assign(static_cast<size_t>(workers), 0.0);
  double makespan = 0;
  const size_t n = node_at_.size();
  for (size_t i = 0; i < n; ++i) {
    const int32_t w = worker_at[i];
    double start = free_at_[static_cast<size_t>(w)];
    for (int32_t k = pred_begin_[i]; k < pred_begin_[i + 1]; ++k) {
      const Done& p = done_[static_cast<size_t>(pred_pos_[static_cast<size_t>(k)])];
      start =
          std::max(start, p.finish + (p.worker == w ? 0.0 : pred_cost_[static_cast<size_t>(k)]));
    }
    done_[i] = {start + cost_[i], w};
    free_at_[static_cast<size_t>(w)] = done_[i].finish;
    makespan = std::max(makespan, done_[i].finish);
  }
  return makespan;
}

StatusOr<double> simulate_clusters(const DataflowGraph& graph,
                                   const std::vector<int32_t>& cluster_of,
                                   const std::vector<std::vector<int32_t>>& clusters,
                                   const std::vector<double>* costs) {
  // Kahn's algorithm over data edges plus program-order edges; a node runs once its data
  // predecessors and its program-order predecessor (the node before it in its cluster) ran.
  const auto n = static_cast<size_t>(graph.size());
  std::vector<int32_t> next_in_cluster(n, -1);
  std::vector<int32_t> prev_in_cluster(n, -1);
  for (const std::vector<int32_t>& cluster : clusters) {
    for (size_t i = 1; i < cluster.size(); ++i) {
      next_in_cluster[static_cast<size_t>(cluster[i - 1])] = cluster[i];
      prev_in_cluster[static_cast<size_t>(cluster[i])] = cluster[i - 1];
    }
  }
  std::vector<int32_t> waiting(n);
  std::vector<int32_t> runnable;
  for (size_t v = 0; v < n; ++v) {
    waiting[v] = static_cast<int32_t>(graph.pred(static_cast<int32_t>(v)).size()) +
                 (prev_in_cluster[v] >= 0 ? 1 : 0);
    if (waiting[v] == 0) runnable.push_back(static_cast<int32_t>(v));
  }
  std::vector<double> finish(n, 0.0);
  double makespan = 0;
  size_t ran = 0;
  auto release = [&](int32_t v) {
    if (--waiting[static_cast<size_t>(v)] == 0) runnable.push_back(v);
  };
  while (!runnable.empty()) {
    const int32_t v = runnable.back();
    runnable.pop_back();
    ++ran;
    const auto vi = static_cast<size_t>(v);
    const int32_t prev = prev_in_cluster[vi];
    const double start = std::max(prev >= 0 ? finish[static_cast<size_t>(prev)] : 0.0,
                                  inputs_ready(graph, v, cluster_of, cluster_of[vi], finish));
    finish[vi] = start + (costs != nullptr ? (*costs)[vi] : graph.cost(v));
    makespan = std::max(makespan, finish[vi]);
    for (const Edge& e : graph.succ(v)) release(e.node);
    if (next_in_cluster[vi] >= 0) release(next_in_cluster[vi]);
  }
  if (ran < n) {
    size_t stuck = 0;
    while (waiting[stuck] == 0) ++stuck;
    return internal_error("schedule deadlocks: " + graph.node_label(static_cast<int32_t>(stuck)) +
                          " waits on a cycle of data and cluster-order edges");
  }
  return makespan;
}

}  // namespace ramiel::schedule
