// Staged scheduling: cut nodes, the wide/narrow choice per segment, and its invariants on
// random DAGs with wide costs (checked independently of the verifier).
#include "core/schedule/stages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/schedule/random_dag.h"
#include "core/schedule/schedule.h"
#include "tests/schedule/test_graphs.h"

namespace ramiel::schedule {
namespace {

using testing::snapshot;

TEST(CutNodesTest, DiamondsAndChains) {
  // 0 -> {1, 2} -> 3 -> 4, and 4 -> 5 with 2 -> 5 skipping over 3 and 4.
  DataflowGraphBuilder g;
  for (int i = 0; i < 6; ++i) g.add_node(1);
  g.add_edge(0, 1, 1);
  g.add_edge(0, 2, 1);
  g.add_edge(1, 3, 1);
  g.add_edge(2, 3, 1);
  g.add_edge(3, 4, 1);
  g.add_edge(4, 5, 1);
  EXPECT_EQ(cut_nodes(snapshot(g)), (std::vector<int32_t>{0, 3, 4, 5}));
  g.add_edge(2, 5, 1);
  EXPECT_EQ(cut_nodes(snapshot(g)), (std::vector<int32_t>{0, 5}));
}

TEST(CutNodesTest, ALaterSourceBlocksEarlierCuts) {
  // 0 -> 2 <- 1: node 1 reads only graph inputs, so node 0 orders nothing against it.
  DataflowGraphBuilder g;
  for (int i = 0; i < 4; ++i) g.add_node(1);
  g.add_edge(0, 2, 1);
  g.add_edge(1, 2, 1);
  g.add_edge(2, 3, 1);
  EXPECT_EQ(cut_nodes(snapshot(g)), (std::vector<int32_t>{2, 3}));
}

TEST(CutNodesTest, AnEarlyGraphOutputBlocksCuts) {
  // Node 1 has no successor: a graph output, read at the very end.
  DataflowGraphBuilder g;
  for (int i = 0; i < 4; ++i) g.add_node(1);
  g.add_edge(0, 1, 1);
  g.add_edge(0, 2, 1);
  g.add_edge(2, 3, 1);
  EXPECT_EQ(cut_nodes(snapshot(g)), (std::vector<int32_t>{0}));
}

// A stem that intra-op threads speed up well (wide 600 of 1000 us), then a module of two
// branches of small ops that gain nothing from threads, then a join and a tail like the stem.
DataflowGraphBuilder stem_module_tail_edges() {
  DataflowGraphBuilder g;
  const int32_t stem = g.add_node(1000, 600);
  const int32_t a1 = g.add_node(300, 300);
  const int32_t a2 = g.add_node(300, 300);
  const int32_t b1 = g.add_node(300, 300);
  const int32_t b2 = g.add_node(300, 300);
  const int32_t join = g.add_node(10, 10);
  const int32_t tail = g.add_node(1000, 600);
  g.add_edge(stem, a1, 5);
  g.add_edge(a1, a2, 5);
  g.add_edge(stem, b1, 5);
  g.add_edge(b1, b2, 5);
  g.add_edge(a2, join, 5);
  g.add_edge(b2, join, 5);
  g.add_edge(join, tail, 5);
  return g;
}
DataflowGraph stem_module_tail() {
  return snapshot(stem_module_tail_edges());
}

TEST(StagedScheduleTest, WideStemAndTailNarrowBranches) {
  ScheduleOptions options;
  options.workers = 2;
  options.threads = 2;
  options.handoff_us = 5;
  auto s = schedule_graph(stem_module_tail(), options);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  ASSERT_EQ(s->clusters.size(), 3u);
  ASSERT_GE(s->wide_cluster, 0);
  const auto& wide = s->clusters[static_cast<size_t>(s->wide_cluster)];
  EXPECT_EQ(wide, (std::vector<int32_t>{0, 5, 6}));  // stem, join, tail
  EXPECT_EQ(s->cluster_threads[static_cast<size_t>(s->wide_cluster)], 2);
  // The two branches on the two one-thread workers.
  EXPECT_EQ(s->cluster_of[1], s->cluster_of[2]);
  EXPECT_EQ(s->cluster_of[3], s->cluster_of[4]);
  EXPECT_NE(s->cluster_of[1], s->cluster_of[3]);
  // Serial with all cores: 600 + 4 * 300 + 10 + 600 = 2410. Staged: 600, hand-off 5, branches
  // 600 (one of them also waits 5 for its input), 5 to the join, 10, 600.
  EXPECT_DOUBLE_EQ(s->serial_us, 2410);
  EXPECT_DOUBLE_EQ(s->makespan_us, 600 + 5 + 600 + 5 + 10 + 600);
  EXPECT_TRUE(verify_schedule(stem_module_tail(), *s, 2).ok());
}

TEST(StagedScheduleTest, CoRunSlowdownStretchesNarrowWorkAndCanMakeItNotPay) {
  ScheduleOptions options;
  options.workers = 2;
  options.threads = 2;
  options.handoff_us = 5;
  // Branches of 600 us each taking 1.5x beside each other: 900, still below 1200 wide.
  options.co_run_slowdown = 1.5;
  auto slowed = schedule_graph(stem_module_tail(), options);
  ASSERT_TRUE(slowed.ok()) << slowed.status().to_string();
  ASSERT_EQ(slowed->clusters.size(), 3u);
  EXPECT_DOUBLE_EQ(slowed->makespan_us, 600 + 5 + 900 + 5 + 10 + 600);
  // At 2.5x the branches take 1500, slower than the wide run: everything stays wide.
  options.co_run_slowdown = 2.5;
  auto wide = schedule_graph(stem_module_tail(), options);
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(wide->clusters.size(), 1u);
  EXPECT_DOUBLE_EQ(wide->makespan_us, wide->serial_us);
  options.co_run_slowdown = 0.5;
  EXPECT_FALSE(schedule_graph(stem_module_tail(), options).ok());
}

TEST(StagedScheduleTest, EverythingWideWhenThreadsScaleWell) {
  DataflowGraphBuilder g = stem_module_tail_edges();
  for (size_t v = 0; v < g.node_cost_us.size(); ++v) g.node_wide_cost_us[v] = g.node_cost_us[v] / 1.9;
  ScheduleOptions options;
  options.threads = 2;
  auto s = schedule_graph(snapshot(g), options);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->clusters.size(), 1u);
  EXPECT_EQ(s->wide_cluster, 0);
  EXPECT_EQ(s->cluster_threads, (std::vector<int32_t>{2}));
  EXPECT_DOUBLE_EQ(s->makespan_us, s->serial_us);
}

TEST(StagedScheduleTest, OneWorkerIsTheWideSerialRun) {
  ScheduleOptions options;
  options.workers = 1;
  options.threads = 2;
  auto s = schedule_graph(stem_module_tail(), options);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->clusters.size(), 1u);
  EXPECT_EQ(s->wide_cluster, 0);
}

TEST(StagedScheduleTest, VerifierRejectsAWideNodeBesideNarrowWork) {
  // Branch a in the wide cluster would run beside branch b on a narrow worker.
  Schedule bad;
  bad.clusters = {{0, 1, 2, 5, 6}, {3, 4}};
  bad.cluster_of = {0, 0, 0, 1, 1, 0, 0};
  bad.cluster_threads = {2, 1};
  bad.wide_cluster = 0;
  bad.cores = 2;
  Status status = verify_schedule(stem_module_tail(), bad, 2);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("node 3 could run beside the wide cluster's node 1"),
            std::string::npos)
      << status.message();
}

// Independent checks: partition, at most W narrow clusters and one wide, no deadlock, every
// narrow node ordered against every wide node (transitive closure by bitsets), and the
// makespan under per-cluster costs.
void check_staged(const DataflowGraph& g, const ScheduleOptions& options, int& parallel) {
  auto result = schedule_graph(g, options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const Schedule& s = *result;
  const auto n = static_cast<size_t>(g.size());
  size_t wide_clusters = 0;
  for (size_t c = 0; c < s.clusters.size(); ++c) wide_clusters += static_cast<int32_t>(c) == s.wide_cluster;
  ASSERT_LE(wide_clusters, 1u);
  ASSERT_LE(s.clusters.size() - wide_clusters, static_cast<size_t>(options.workers));
  parallel += s.clusters.size() > 1;
  std::vector<int> seen(n, 0);
  for (const auto& c : s.clusters) {
    for (int32_t v : c) ++seen[static_cast<size_t>(v)];
  }
  for (size_t v = 0; v < n; ++v) ASSERT_EQ(seen[v], 1);

  // Reachability over data + program-order edges, by a search from every node.
  std::vector<std::vector<bool>> reach(n, std::vector<bool>(n, false));
  std::vector<std::vector<int32_t>> succ(n);
  for (size_t v = 0; v < n; ++v) {
    for (const Edge& e : g.succ(static_cast<int32_t>(v))) succ[v].push_back(e.node);
  }
  for (const auto& c : s.clusters) {
    for (size_t i = 1; i < c.size(); ++i) succ[static_cast<size_t>(c[i - 1])].push_back(c[i]);
  }
  for (size_t v = 0; v < n; ++v) {
    std::vector<int32_t> stack = {static_cast<int32_t>(v)};
    while (!stack.empty()) {
      const int32_t u = stack.back();
      stack.pop_back();
      for (int32_t w : succ[static_cast<size_t>(u)]) {
        if (!reach[v][static_cast<size_t>(w)]) {
          reach[v][static_cast<size_t>(w)] = true;
          stack.push_back(w);
        }
      }
    }
    ASSERT_FALSE(reach[v][v]) << "deadlock through node " << v;
  }
  if (s.wide_cluster >= 0) {
    for (int32_t w : s.clusters[static_cast<size_t>(s.wide_cluster)]) {
      for (size_t v = 0; v < n; ++v) {
        if (s.cluster_of[v] == s.wide_cluster) continue;
        ASSERT_TRUE(reach[v][static_cast<size_t>(w)] || reach[static_cast<size_t>(w)][v])
            << "node " << v << " may run beside wide node " << w;
      }
    }
  }
  // Times: serial is the all-cores run, the makespan never above it.
  double serial = 0;
  for (size_t v = 0; v < n; ++v) serial += g.wide_costs()[v];
  EXPECT_NEAR(s.serial_us, serial, 1e-6 * std::max(1.0, serial));
  EXPECT_LE(s.makespan_us, serial * (1 + 1e-9));
  ASSERT_TRUE(verify_schedule(g, s, options.workers).ok());
}

TEST(StagedSchedulePropertyTest, RandomDagsWithWideCosts) {
  std::mt19937_64 pick(7);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(pick); };
  int parallel = 0;
  const int cases = 600;
  for (int i = 0; i < cases; ++i) {
    RandomDagOptions o;
    o.seed = static_cast<uint64_t>(i) + 11;
    o.nodes = uniform(1, 80);
    o.layers = uniform(0, 1) == 0 ? 0 : uniform(1, o.nodes);
    o.max_fan_in = uniform(1, 4);
    o.max_edge_us = std::pow(10.0, uniform(-1, 2));
    o.min_edge_us = o.max_edge_us / 100;
    o.max_wide_speedup = 1.0 + uniform(1, 10) / 10.0;
    ScheduleOptions options;
    options.workers = uniform(1, 4);
    options.threads = uniform(2, 4);
    options.handoff_us = uniform(0, 30);
    options.min_speedup = uniform(0, 1) == 0 ? 1.0 : 1.05;
    SCOPED_TRACE("case " + std::to_string(i));
    check_staged(random_dag(o), options, parallel);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(parallel, cases / 10) << "staging never chose narrow workers";
}

}  // namespace
}  // namespace ramiel::schedule
