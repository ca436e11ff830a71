// Thousands of random DAGs: every schedule is checked by verify_schedule and, independently,
// by the checks below, which share no code with the scheduler or the verifier.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/schedule/random_dag.h"
#include "core/schedule/schedule.h"

namespace ramiel::schedule {
namespace {

constexpr double kEps = 1e-6;

// Program-order successor of each node (-1 for the last of its cluster).
std::vector<int32_t> next_in_cluster(const Schedule& s, size_t n) {
  std::vector<int32_t> next(n, -1);
  for (const auto& c : s.clusters) {
    for (size_t i = 1; i < c.size(); ++i) next[static_cast<size_t>(c[i - 1])] = c[i];
  }
  return next;
}

// A topological order of data + program-order edges by depth-first search, or empty when they
// have a cycle (the workers would deadlock).
std::vector<int32_t> combined_topological_order(const DataflowGraph& g, const Schedule& s) {
  const auto n = static_cast<size_t>(g.size());
  const std::vector<int32_t> next = next_in_cluster(s, n);
  enum : char { kNew, kOpen, kDone };
  std::vector<char> state(n, kNew);
  std::vector<int32_t> post;
  std::vector<std::pair<int32_t, size_t>> stack;  // node, next child to visit
  for (size_t root = 0; root < n; ++root) {
    if (state[root] != kNew) continue;
    stack.emplace_back(static_cast<int32_t>(root), 0);
    state[root] = kOpen;
    while (!stack.empty()) {
      auto& [v, child] = stack.back();
      const std::span<const Edge> succ = g.succ(v);
      int32_t w = -1;
      if (child < succ.size()) {
        w = succ[child].node;
      } else if (child == succ.size() && next[static_cast<size_t>(v)] >= 0) {
        w = next[static_cast<size_t>(v)];
      } else if (child >= succ.size()) {
        state[static_cast<size_t>(v)] = kDone;
        post.push_back(v);
        stack.pop_back();
        continue;
      }
      ++child;
      if (state[static_cast<size_t>(w)] == kOpen) return {};  // back edge: a cycle
      if (state[static_cast<size_t>(w)] == kNew) {
        state[static_cast<size_t>(w)] = kOpen;
        stack.emplace_back(w, 0);
      }
    }
  }
  std::reverse(post.begin(), post.end());
  return post;
}

// The makespan under the execution model, computed in the order found above.
double makespan_of(const DataflowGraph& g, const Schedule& s, const std::vector<int32_t>& order) {
  const auto n = static_cast<size_t>(g.size());
  std::vector<int32_t> prev(n, -1);
  for (const auto& c : s.clusters) {
    for (size_t i = 1; i < c.size(); ++i) prev[static_cast<size_t>(c[i])] = c[i - 1];
  }
  std::vector<double> finish(n, 0);
  double makespan = 0;
  for (int32_t v : order) {
    const auto vi = static_cast<size_t>(v);
    double start = prev[vi] >= 0 ? finish[static_cast<size_t>(prev[vi])] : 0;
    for (const Edge& e : g.pred(v)) {
      const auto p = static_cast<size_t>(e.node);
      start = std::max(start, finish[p] + (s.cluster_of[p] == s.cluster_of[vi] ? 0 : e.cost_us));
    }
    finish[vi] = start + g.cost(v);
    makespan = std::max(makespan, finish[vi]);
  }
  return makespan;
}

// Longest path; with `edges` false, compute only (a lower bound on any schedule's makespan).
double longest_path(const DataflowGraph& g, bool edges) {
  std::vector<double> end(static_cast<size_t>(g.size()), 0);
  double longest = 0;
  for (size_t v = 0; v < end.size(); ++v) {
    double start = 0;
    for (const Edge& e : g.pred(static_cast<int32_t>(v))) {
      start = std::max(start, end[static_cast<size_t>(e.node)] + (edges ? e.cost_us : 0));
    }
    end[v] = start + g.costs()[v];
    longest = std::max(longest, end[v]);
  }
  return longest;
}

struct Tally {
  int cases = 0;
  int parallel = 0;
  int fell_back = 0;
  double speedup_sum = 0;
};

void check_case(const DataflowGraph& g, const ScheduleOptions& options, Tally& tally) {
  SCOPED_TRACE("nodes " + std::to_string(g.size()) + ", workers " +
               std::to_string(options.workers) + ", min_speedup " +
               std::to_string(options.min_speedup));
  StatusOr<Schedule> result = schedule_graph(g, options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const Schedule& s = *result;
  ASSERT_TRUE(verify_schedule(g, s, options.workers).ok());
  ++tally.cases;
  tally.parallel += s.clusters.size() > 1 ? 1 : 0;
  tally.fell_back += s.stats.fell_back ? 1 : 0;
  tally.speedup_sum += s.speedup();

  // Every node in exactly one cluster, matching cluster_of; at most W non-empty clusters.
  const auto n = static_cast<size_t>(g.size());
  ASSERT_LE(s.clusters.size(), static_cast<size_t>(options.workers));
  ASSERT_EQ(s.cluster_of.size(), n);
  std::vector<int> seen(n, 0);
  for (size_t c = 0; c < s.clusters.size(); ++c) {
    ASSERT_FALSE(s.clusters[c].empty());
    for (int32_t v : s.clusters[c]) {
      ASSERT_TRUE(v >= 0 && static_cast<size_t>(v) < n);
      ++seen[static_cast<size_t>(v)];
      ASSERT_EQ(s.cluster_of[static_cast<size_t>(v)], static_cast<int32_t>(c));
    }
  }
  for (size_t v = 0; v < n; ++v) ASSERT_EQ(seen[v], 1) << "node " << v;

  // Cluster order respects dependencies.
  std::vector<size_t> position(n);
  for (const auto& c : s.clusters) {
    for (size_t i = 0; i < c.size(); ++i) position[static_cast<size_t>(c[i])] = i;
  }
  for (size_t v = 0; v < n; ++v) {
    for (const Edge& e : g.pred(static_cast<int32_t>(v))) {
      const auto p = static_cast<size_t>(e.node);
      if (s.cluster_of[p] == s.cluster_of[v]) {
        ASSERT_LT(position[p], position[v]);
      }
    }
  }

  // No deadlock: data + program-order edges are acyclic.
  const std::vector<int32_t> order = combined_topological_order(g, s);
  ASSERT_EQ(order.size(), n) << "the schedule deadlocks";

  // The reported times are right, never above serial, and above every lower bound.
  double serial = 0;
  for (double c : g.costs()) serial += c;
  EXPECT_NEAR(s.serial_us, serial, kEps * std::max(1.0, serial));
  EXPECT_NEAR(s.makespan_us, makespan_of(g, s, order), kEps * std::max(1.0, serial));
  EXPECT_NEAR(s.critical_path_us, longest_path(g, true), kEps * std::max(1.0, serial));
  EXPECT_LE(s.makespan_us, serial * (1 + kEps));
  EXPECT_GE(s.makespan_us * (1 + kEps), longest_path(g, false));
  if (!s.clusters.empty()) {
    EXPECT_GE(s.makespan_us * (1 + kEps), serial / static_cast<double>(s.clusters.size()));
  }
  if (s.clusters.size() > 1) {
    EXPECT_GE(s.speedup(), options.min_speedup);
  }

  // Deterministic.
  StatusOr<Schedule> again = schedule_graph(g, options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->clusters, s.clusters);
  EXPECT_EQ(again->makespan_us, s.makespan_us);
}

TEST(SchedulePropertyTest, ThousandsOfRandomDags) {
  std::mt19937_64 pick(2024);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(pick); };
  const int workers[] = {1, 2, 3, 4, 8};
  const double thresholds[] = {1.05, 1.0, 0.0};
  Tally tally;
  for (int i = 0; i < 3000; ++i) {
    RandomDagOptions o;
    o.seed = static_cast<uint64_t>(i) + 1;
    o.nodes = uniform(1, 300);
    // Wide, square-ish or deep graphs.
    const int shape = uniform(0, 3);
    o.layers = shape == 0 ? 0 : shape == 1 ? uniform(1, 4) : uniform(1, o.nodes);
    o.max_fan_in = uniform(1, 5);
    // Transfers from negligible to dominant against node costs.
    o.max_edge_us = std::pow(10.0, uniform(-1, 3));
    o.min_edge_us = o.max_edge_us / 100;
    o.min_node_us = uniform(0, 1) == 0 ? 0 : 1;  // zero-cost nodes included
    ScheduleOptions options;
    options.workers = workers[uniform(0, 4)];
    options.min_speedup = thresholds[uniform(0, 2)];
    check_case(random_dag(o), options, tally);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The property test means something only if both outcomes happen often.
  EXPECT_GT(tally.parallel, tally.cases / 3);
  EXPECT_GT(tally.fell_back, tally.cases / 50);
  std::printf("%d cases: %d parallel, %d fell back, mean predicted speedup %.3f\n", tally.cases,
              tally.parallel, tally.fell_back, tally.speedup_sum / tally.cases);
}

TEST(SchedulePropertyTest, ChainsAlwaysGiveOneCluster) {
  Tally tally;
  for (int i = 0; i < 200; ++i) {
    RandomDagOptions o;
    o.seed = static_cast<uint64_t>(i) + 7;
    o.nodes = 1 + i;
    o.layers = o.nodes;
    o.skip_probability = 0;
    const DataflowGraph g = random_dag(o);
    for (int w : {2, 4}) {
      StatusOr<Schedule> s = schedule_graph(g, {w, 1.0});
      ASSERT_TRUE(s.ok());
      EXPECT_EQ(s->clusters.size(), 1u);
      check_case(g, {w, 1.0}, tally);
    }
  }
}

}  // namespace
}  // namespace ramiel::schedule
