#include "core/schedule/stages.h"

#include <algorithm>
#include <array>
#include <numeric>

#include "core/schedule/levels.h"
#include "core/schedule/linear_clustering.h"
#include "core/schedule/merge.h"

namespace ramiel::schedule {
namespace {

// A run of consecutive node indices [begin, end).
struct Segment {
  int32_t begin;
  int32_t end;
  int32_t size() const { return end - begin; }
};

// Segments between cut nodes; each cut node is a segment of its own.
std::vector<Segment> segments_of(const DataflowGraph& graph) {
  std::vector<Segment> segments;
  int32_t begin = 0;
  for (int32_t cut : cut_nodes(graph)) {
    if (cut > begin) segments.push_back({begin, cut});
    segments.push_back({cut, cut + 1});
    begin = cut + 1;
  }
  if (begin < graph.size()) segments.push_back({begin, graph.size()});
  return segments;
}

// The narrow workers' plan for one segment.
struct SegmentPlan {
  std::vector<int32_t> worker;  // per node of the segment, from its begin
  std::vector<int32_t> rank;    // the segment's nodes in execution order
  double makespan_us = 0;
};

// The clustering of schedule.h on the segment alone, or everything on one worker when that is
// no slower.
SegmentPlan plan_narrow(const DataflowGraph& graph, Segment segment,
                        const std::vector<double>& cost, int workers) {
  SegmentPlan plan;
  plan.worker.assign(static_cast<size_t>(segment.size()), 0);
  plan.rank.resize(static_cast<size_t>(segment.size()));
  std::iota(plan.rank.begin(), plan.rank.end(), segment.begin);
  for (int32_t v = segment.begin; v < segment.end; ++v) plan.makespan_us += cost[static_cast<size_t>(v)];
  if (segment.size() < 2 || workers < 2) return plan;

  DataflowGraphBuilder sub;
  for (int32_t v = segment.begin; v < segment.end; ++v) sub.add_node(cost[static_cast<size_t>(v)]);
  for (int32_t v = segment.begin; v < segment.end; ++v) {
    for (const Edge& e : graph.succ(v)) {
      if (e.node < segment.end) sub.add_edge(v - segment.begin, e.node - segment.begin, e.cost_us);
    }
  }
  StatusOr<DataflowGraph> part =
      DataflowGraph::from_builder(sub);  // a part of a valid graph is valid
  if (!part.ok()) return plan;
  const std::vector<double> bottom = bottom_levels(*part);
  const std::vector<int32_t> order = level_order(bottom);
  const LinearClusters linear = linear_clusters(*part, bottom, order);
  if (linear.count() < 2) return plan;
  const WorkerAssignment merged = merge_clusters(*part, order, linear, workers);
  if (merged.makespan_us >= plan.makespan_us) return plan;
  plan.worker = merged.worker_of;
  for (size_t i = 0; i < merged.rank.size(); ++i) plan.rank[i] = merged.rank[i] + segment.begin;
  plan.makespan_us = merged.makespan_us;
  return plan;
}

// Which narrow worker runs each of a plan's workers: the ones that exchange the most with the
// workers earlier segments used are matched first, so tensors stay where they were made.
std::vector<int32_t> match_workers(const DataflowGraph& graph, Segment segment,
                                   const SegmentPlan& plan, const std::vector<int32_t>& narrow_of,
                                   int workers) {
  const auto w = static_cast<size_t>(workers);
  std::vector<double> affinity(w * w, 0.0);  // [plan worker][narrow worker]
  for (int32_t v = segment.begin; v < segment.end; ++v) {
    for (const Edge& e : graph.pred(v)) {
      const int32_t k = e.node < segment.begin ? narrow_of[static_cast<size_t>(e.node)] : -1;
      if (k >= 0) {
        affinity[static_cast<size_t>(plan.worker[static_cast<size_t>(v - segment.begin)]) * w +
                 static_cast<size_t>(k)] += e.cost_us;
      }
    }
  }
  std::vector<int32_t> match(w, -1);
  std::vector<bool> taken(w, false);
  for (size_t round = 0; round < w; ++round) {
    double best = -1;
    size_t best_from = 0, best_to = 0;
    for (size_t from = 0; from < w; ++from) {
      if (match[from] >= 0) continue;
      for (size_t to = 0; to < w; ++to) {
        if (!taken[to] && affinity[from * w + to] > best) {
          best = affinity[from * w + to];
          best_from = from;
          best_to = to;
        }
      }
    }
    match[best_from] = static_cast<int32_t>(best_to);
    taken[best_to] = true;
  }
  return match;
}

}  // namespace

double cost_with_threads(const DataflowGraph& graph, int32_t v, int threads, int cores) {
  if (!graph.has_wide_costs() || threads <= 1 || cores <= 1) return graph.cost(v);
  if (threads >= cores) return graph.wide_cost(v);
  const double one = graph.cost(v);
  const double wide = graph.wide_cost(v);
  if (wide <= 0) return wide;
  const double speedup = 1 + (one / wide - 1) * (threads - 1) / static_cast<double>(cores - 1);
  return one / speedup;
}

std::vector<int32_t> cut_nodes(const DataflowGraph& graph) {
  // v is a cut node when nothing before it is read after it (so every earlier node feeds v)
  // and no later node is a source (so every later node descends from v: its inputs all come
  // from v or after it).
  int32_t last_source = 0;
  for (int32_t v = 0; v < graph.size(); ++v) {
    if (graph.pred(v).empty()) last_source = v;
  }
  std::vector<int32_t> cuts;
  int32_t reach = 0;  // the furthest index an earlier node's result is read at
  for (int32_t v = 0; v < graph.size(); ++v) {
    if (reach <= v && v >= last_source) cuts.push_back(v);
    const auto succ = graph.succ(v);
    reach = std::max(reach, succ.empty() ? graph.size() : succ.back().node);
  }
  return cuts;
}

Schedule staged_schedule(const DataflowGraph& graph, const ScheduleOptions& options,
                         ScheduleStats& stats) {
  const int cores = std::max(options.threads, 1);
  const int workers = options.workers;
  const int narrow_threads = std::max(1, cores / workers);
  std::vector<double> narrow_cost(static_cast<size_t>(graph.size()));
  for (int32_t v = 0; v < graph.size(); ++v) {
    narrow_cost[static_cast<size_t>(v)] =
        cost_with_threads(graph, v, narrow_threads, cores) * options.co_run_slowdown;
  }

  // Each segment's two options, then the cheapest sequence, switches between them included.
  const std::vector<Segment> segments = segments_of(graph);
  const size_t count = segments.size();
  std::vector<SegmentPlan> plans(count);
  std::vector<double> wide(count, 0.0);
  for (size_t s = 0; s < count; ++s) {
    for (int32_t v = segments[s].begin; v < segments[s].end; ++v) wide[s] += graph.wide_cost(v);
    plans[s] = plan_narrow(graph, segments[s], narrow_cost, workers);
  }
  // best[s][k]: the fastest way through segment s ending in kind k (0 wide, 1 narrow).
  std::vector<std::array<double, 2>> best(count);
  std::vector<std::array<int8_t, 2>> came_from(count);
  for (size_t s = 0; s < count; ++s) {
    const double own[2] = {wide[s], plans[s].makespan_us};
    for (int k = 0; k < 2; ++k) {
      if (s == 0) {
        best[s][k] = own[k];
        continue;
      }
      const double stay = best[s - 1][k];
      const double switch_over = best[s - 1][1 - k] + options.handoff_us;
      came_from[s][k] = static_cast<int8_t>(stay <= switch_over ? k : 1 - k);
      best[s][k] = own[k] + std::min(stay, switch_over);
    }
  }
  std::vector<int8_t> kind(count, 0);
  if (count > 0) {
    kind[count - 1] = best[count - 1][0] <= best[count - 1][1] ? 0 : 1;
    for (size_t s = count - 1; s > 0; --s) kind[s - 1] = came_from[s][kind[s]];
  }

  // Assembly: one global rank (segment by segment, each in its plan's order) that every
  // cluster follows, so no order can deadlock.
  const auto n = static_cast<size_t>(graph.size());
  std::vector<int32_t> narrow_of(n, -1);  // -1: the wide worker
  std::vector<int32_t> rank;
  rank.reserve(n);
  for (size_t s = 0; s < count; ++s) {
    const Segment segment = segments[s];
    if (kind[s] == 0) {
      for (int32_t v = segment.begin; v < segment.end; ++v) rank.push_back(v);
      ++stats.wide_segments;
      continue;
    }
    const std::vector<int32_t> match = match_workers(graph, segment, plans[s], narrow_of, workers);
    for (int32_t v : plans[s].rank) {
      narrow_of[static_cast<size_t>(v)] =
          match[static_cast<size_t>(plans[s].worker[static_cast<size_t>(v - segment.begin)])];
      rank.push_back(v);
    }
  }
  stats.segments = static_cast<int32_t>(count);

  // Clusters: the wide one (index `workers` while grouping) and the narrow ones, numbered by
  // their lowest node so the numbering is canonical.
  std::vector<std::vector<int32_t>> groups(static_cast<size_t>(workers) + 1);
  for (int32_t v : rank) {
    const int32_t k = narrow_of[static_cast<size_t>(v)];
    groups[static_cast<size_t>(k < 0 ? workers : k)].push_back(v);
  }
  std::vector<size_t> used;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (!groups[g].empty()) used.push_back(g);
  }
  std::sort(used.begin(), used.end(), [&](size_t a, size_t b) {
    return *std::min_element(groups[a].begin(), groups[a].end()) <
           *std::min_element(groups[b].begin(), groups[b].end());
  });
  Schedule schedule;
  schedule.cores = cores;
  schedule.co_run_slowdown = options.co_run_slowdown;
  schedule.cluster_of.assign(n, -1);
  for (size_t g : used) {
    const auto c = static_cast<int32_t>(schedule.clusters.size());
    const bool is_wide = g == static_cast<size_t>(workers);
    if (is_wide) schedule.wide_cluster = c;
    schedule.cluster_threads.push_back(is_wide ? cores : narrow_threads);
    for (int32_t v : groups[g]) schedule.cluster_of[static_cast<size_t>(v)] = c;
    schedule.clusters.push_back(std::move(groups[g]));
  }
  return schedule;
}

}  // namespace ramiel::schedule
