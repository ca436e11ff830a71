#include "core/schedule/merge.h"

#include <algorithm>
#include <numeric>

namespace ramiel::schedule {
namespace {

// Simulations refine_placement may run: each costs O(V + E), so this bounds refinement to a
// constant multiple of one simulation whatever the graph and the worker count.
constexpr int kMaxRefineSimulations = 48;
// ... and on large graphs to about this many node and edge visits in all (but at least
// kMinRefineSimulations): moving one of the heaviest groups among tens of thousands changes
// little, and refinement must not dominate the compile time of a 100k-node graph.
constexpr double kRefineVisits = 4e6;
constexpr int kMinRefineSimulations = 8;
// Groups refine_placement tries to move, heaviest first.
constexpr int kMoveCandidates = 8;
// All worker pairs are tried for merging up to this many workers in use.
constexpr int kAllPairsWorkers = 8;
// How much shorter a single-node placement's makespan must be to win over paths. On random
// DAGs, 2% keeps 99.9% of the mean predicted speedup and drops a tenth of the hand-offs.
constexpr double kNodesMargin = 0.02;

// A change must shorten the makespan by more than rounding noise to be kept.
bool improves(double candidate, double current) {
  return candidate < current * (1 - 1e-12);
}
// Merging two workers is kept even when it only keeps the makespan: fewer workers means fewer
// threads and hand-offs for the same predicted time.
bool no_worse(double candidate, double current) {
  return candidate <= current * (1 + 1e-12);
}

// Refinement state: the placement being improved and the simulations left.
struct Refinement {
  RankedSimulator& sim;
  int workers;
  Placement& placement;
  int budget;

  double simulate(const std::vector<int32_t>& trial) {
    --budget;
    return sim.makespan(trial, workers);
  }
};

// Merges pairs of workers while that does not lengthen the makespan, the best pair first.
void merge_workers(Refinement& r) {
  const auto w_count = static_cast<size_t>(r.workers);
  std::vector<int32_t>& worker_at = r.placement.worker_at;
  std::vector<int32_t> trial(worker_at.size());
  while (r.budget > 0) {
    // Traffic between workers, to pick partners when many are in use.
    std::vector<double> traffic(w_count * w_count, 0.0);
    std::vector<bool> in_use(w_count, false);
    for (int32_t i = 0; i < r.sim.size(); ++i) {
      const auto wi = static_cast<size_t>(worker_at[static_cast<size_t>(i)]);
      in_use[wi] = true;
      for (int32_t k = r.sim.pred_begin(i); k < r.sim.pred_end(i); ++k) {
        const auto wp = static_cast<size_t>(worker_at[static_cast<size_t>(r.sim.pred_position(k))]);
        if (wp != wi) {
          traffic[wi * w_count + wp] += r.sim.pred_cost(k);
          traffic[wp * w_count + wi] += r.sim.pred_cost(k);
        }
      }
    }
    std::vector<size_t> used;
    for (size_t w = 0; w < w_count; ++w) {
      if (in_use[w]) used.push_back(w);
    }
    if (used.size() < 2) return;

    std::vector<std::pair<size_t, size_t>> pairs;  // (into, from)
    if (used.size() <= static_cast<size_t>(kAllPairsWorkers)) {
      for (size_t i = 0; i < used.size(); ++i) {
        for (size_t j = i + 1; j < used.size(); ++j) pairs.emplace_back(used[i], used[j]);
      }
    } else {
      for (size_t from : used) {
        size_t best = from;
        for (size_t into : used) {
          if (into != from &&
              (best == from || traffic[from * w_count + into] > traffic[from * w_count + best])) {
            best = into;
          }
        }
        pairs.emplace_back(std::min(best, from), std::max(best, from));
      }
      std::sort(pairs.begin(), pairs.end());
      pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    }

    double best_makespan = 0;
    std::vector<int32_t> best_worker_at;
    for (const auto& [into, from] : pairs) {
      if (r.budget <= 0) break;
      for (size_t i = 0; i < trial.size(); ++i) {
        trial[i] =
            static_cast<size_t>(worker_at[i]) == from ? static_cast<int32_t>(into) : worker_at[i];
      }
      const double makespan = r.simulate(trial);
      if (best_worker_at.empty() || improves(makespan, best_makespan)) {
        best_makespan = makespan;
        best_worker_at = trial;
      }
    }
    if (best_worker_at.empty() || !no_worse(best_makespan, r.placement.makespan_us)) return;
    worker_at = std::move(best_worker_at);
    r.placement.makespan_us = best_makespan;
  }
}

// Moves the heaviest groups, each to the worker that shortens the makespan most, if any.
void move_groups(Refinement& r, const std::vector<int32_t>& group_at, int32_t groups) {
  std::vector<double> weight(static_cast<size_t>(groups), 0.0);
  for (int32_t i = 0; i < r.sim.size(); ++i) {
    weight[static_cast<size_t>(group_at[static_cast<size_t>(i)])] += r.sim.cost(i);
  }
  std::vector<int32_t> heaviest(static_cast<size_t>(groups));
  std::iota(heaviest.begin(), heaviest.end(), 0);
  const size_t keep = std::min<size_t>(heaviest.size(), kMoveCandidates);
  std::partial_sort(heaviest.begin(), heaviest.begin() + static_cast<ptrdiff_t>(keep),
                    heaviest.end(), [&](int32_t x, int32_t y) {
                      const double wx = weight[static_cast<size_t>(x)];
                      const double wy = weight[static_cast<size_t>(y)];
                      return wx > wy || (wx == wy && x < y);
                    });
  heaviest.resize(keep);
  // Positions of the candidates only: a list per group would mean an allocation per node when
  // the groups are single nodes.
  std::vector<int32_t> slot(static_cast<size_t>(groups), -1);
  for (size_t k = 0; k < keep; ++k)
    slot[static_cast<size_t>(heaviest[k])] = static_cast<int32_t>(k);
  std::vector<std::vector<int32_t>> positions(keep);
  for (int32_t i = 0; i < r.sim.size(); ++i) {
    const int32_t k = slot[static_cast<size_t>(group_at[static_cast<size_t>(i)])];
    if (k >= 0) positions[static_cast<size_t>(k)].push_back(i);
  }

  std::vector<int32_t>& worker_at = r.placement.worker_at;
  std::vector<int32_t> trial = worker_at;
  for (size_t k = 0; k < keep; ++k) {
    const std::vector<int32_t>& group = positions[k];
    const int32_t home = worker_at[static_cast<size_t>(group.front())];
    int32_t best_worker = home;
    for (int32_t w = 0; w < r.workers && r.budget > 0; ++w) {
      if (w == home) continue;
      for (int32_t i : group) trial[static_cast<size_t>(i)] = w;
      const double makespan = r.simulate(trial);
      if (improves(makespan, r.placement.makespan_us)) {
        r.placement.makespan_us = makespan;
        best_worker = w;
      }
    }
    for (int32_t i : group) {
      trial[static_cast<size_t>(i)] = best_worker;
      worker_at[static_cast<size_t>(i)] = best_worker;
    }
  }
}

}  // namespace

const char* merge_unit_name(MergeUnit unit) {
  switch (unit) {
    case MergeUnit::kPaths:
      return "paths";
    case MergeUnit::kNodes:
      return "nodes";
  }
  return "?";
}

Placement list_schedule(const RankedSimulator& ranked, const std::vector<int32_t>& group_at,
                        int32_t groups, int workers) {
  const auto n = static_cast<size_t>(ranked.size());
  const auto w_count = static_cast<size_t>(workers);
  Placement placement;
  placement.worker_at.assign(n, -1);
  std::vector<int32_t> worker_of_group(static_cast<size_t>(groups), -1);
  std::vector<double> finish(n, 0.0);
  std::vector<double> free_at(w_count, 0.0);
  std::vector<double> ready_on(w_count);

  for (size_t i = 0; i < n; ++i) {
    const auto pos = static_cast<int32_t>(i);
    int32_t& pinned = worker_of_group[static_cast<size_t>(group_at[i])];
    double start;
    if (pinned >= 0) {
      start = free_at[static_cast<size_t>(pinned)];
      for (int32_t k = ranked.pred_begin(pos); k < ranked.pred_end(pos); ++k) {
        const auto p = static_cast<size_t>(ranked.pred_position(k));
        start = std::max(
            start, finish[p] + (placement.worker_at[p] == pinned ? 0.0 : ranked.pred_cost(k)));
      }
    } else {
      // The group's first node: the earliest start over all workers; on a tie, the worker
      // that has been idle least (best fit), then the lowest index.
      std::fill(ready_on.begin(), ready_on.end(), 0.0);
      for (int32_t k = ranked.pred_begin(pos); k < ranked.pred_end(pos); ++k) {
        const auto p = static_cast<size_t>(ranked.pred_position(k));
        for (size_t w = 0; w < w_count; ++w) {
          const bool local = placement.worker_at[p] == static_cast<int32_t>(w);
          ready_on[w] = std::max(ready_on[w], finish[p] + (local ? 0.0 : ranked.pred_cost(k)));
        }
      }
      size_t best = 0;
      start = std::max(free_at[0], ready_on[0]);
      for (size_t w = 1; w < w_count; ++w) {
        const double s = std::max(free_at[w], ready_on[w]);
        if (s < start || (s == start && free_at[w] > free_at[best])) {
          best = w;
          start = s;
        }
      }
      pinned = static_cast<int32_t>(best);
    }
    finish[i] = start + ranked.cost(pos);
    free_at[static_cast<size_t>(pinned)] = finish[i];
    placement.worker_at[i] = pinned;
    placement.makespan_us = std::max(placement.makespan_us, finish[i]);
  }
  return placement;
}

void refine_placement(RankedSimulator& ranked, const std::vector<int32_t>& group_at, int32_t groups,
                      int workers, Placement& placement) {
  if (workers < 2 || ranked.size() == 0) return;
  const double visits_per_simulation =
      static_cast<double>(ranked.size()) + static_cast<double>(ranked.num_edges());
  const int budget = std::clamp(static_cast<int>(kRefineVisits / visits_per_simulation),
                                kMinRefineSimulations, kMaxRefineSimulations);
  Refinement r{ranked, workers, placement, budget};
  merge_workers(r);
  move_groups(r, group_at, groups);
}

WorkerAssignment merge_clusters(const DataflowGraph& graph, const std::vector<int32_t>& order,
                                const LinearClusters& linear, int workers) {
  RankedSimulator ranked(graph, order);
  const auto n = static_cast<size_t>(graph.size());

  struct Candidate {
    MergeUnit unit;
    std::vector<int32_t> group_at;
    int32_t groups;
    Placement placement;
  };
  auto make = [&](MergeUnit unit, const std::vector<int32_t>& group_of, int32_t groups) {
    Candidate c{unit, std::vector<int32_t>(n), groups, {}};
    for (size_t i = 0; i < n; ++i) {
      c.group_at[i] = group_of[static_cast<size_t>(ranked.node_at(static_cast<int32_t>(i)))];
    }
    c.placement = list_schedule(ranked, c.group_at, groups, workers);
    return c;
  };

  Candidate best = make(MergeUnit::kPaths, linear.path_of, linear.count());
  std::vector<int32_t> single(n);
  std::iota(single.begin(), single.end(), 0);
  Candidate nodes = make(MergeUnit::kNodes, single, static_cast<int32_t>(n));
  if (nodes.placement.makespan_us < best.placement.makespan_us * (1 - kNodesMargin)) {
    best = std::move(nodes);
  }
  refine_placement(ranked, best.group_at, best.groups, workers, best.placement);

  WorkerAssignment a;
  a.worker_of.resize(n);
  for (size_t i = 0; i < n; ++i) {
    a.worker_of[static_cast<size_t>(ranked.node_at(static_cast<int32_t>(i)))] =
        best.placement.worker_at[i];
  }
  a.rank = order;
  a.workers = workers;
  a.makespan_us = best.placement.makespan_us;
  a.groups = best.groups;
  a.unit = best.unit;
  return a;
}

}  // namespace ramiel::schedule
