#include "core/schedule/schedule.h"

#include <gtest/gtest.h>

#include "tests/schedule/test_graphs.h"

namespace ramiel::schedule {
namespace {

using testing::chain;
using testing::make_graph;

Schedule schedule_ok(const DataflowGraph& g, int workers, double min_speedup = 1.05) {
  StatusOr<Schedule> s = schedule_graph(g, {workers, min_speedup});
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? *s : Schedule{};
}

// src -> two chains of five 100 us nodes (the right one's `right_us`) -> join, every edge 10 us.
DataflowGraph two_branches(double right_us = 100) {
  DataflowGraphBuilder g;
  const int32_t src = g.add_node(1);
  int32_t left = src;
  int32_t right = src;
  for (int i = 0; i < 5; ++i) {
    const int32_t l = g.add_node(100);
    g.add_edge(left, l, 10);
    left = l;
    const int32_t r = g.add_node(right_us);
    g.add_edge(right, r, 10);
    right = r;
  }
  const int32_t join = g.add_node(1);
  g.add_edge(left, join, 10);
  g.add_edge(right, join, 10);
  return testing::snapshot(g);
}

TEST(ScheduleTest, ChainCompilesToOneCluster) {
  const Schedule s = schedule_ok(chain(100, 50, 5), 4);
  ASSERT_EQ(s.clusters.size(), 1u);
  EXPECT_EQ(s.clusters[0].size(), 100u);
  EXPECT_DOUBLE_EQ(s.makespan_us, 5000);
  EXPECT_DOUBLE_EQ(s.serial_us, 5000);
  EXPECT_DOUBLE_EQ(s.speedup(), 1.0);
  EXPECT_EQ(s.stats.linear_clusters, 1);
}

TEST(ScheduleTest, TwoHeavyBranchesRunInParallel) {
  const Schedule s = schedule_ok(two_branches(), 2);
  ASSERT_EQ(s.clusters.size(), 2u);
  EXPECT_DOUBLE_EQ(s.serial_us, 1002);
  // One branch waits 10 us for src and hands over in 10 us: 1 + 10 + 500 + 10 + 1.
  EXPECT_DOUBLE_EQ(s.makespan_us, 522);
  EXPECT_GT(s.speedup(), 1.9);
  // Each branch stays whole in one cluster.
  for (int32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(s.cluster_of[static_cast<size_t>(1 + 2 * i)], s.cluster_of[1]);
    EXPECT_EQ(s.cluster_of[static_cast<size_t>(2 + 2 * i)], s.cluster_of[2]);
  }
  EXPECT_NE(s.cluster_of[1], s.cluster_of[2]);
  // More workers than branches do not help and are not used.
  EXPECT_EQ(schedule_ok(two_branches(), 8).clusters.size(), 2u);
}

TEST(ScheduleTest, RetimingKeepsTheClustersAndRecomputesThePredictions) {
  Schedule s = schedule_ok(two_branches(), 2);
  const std::vector<std::vector<int32_t>> clusters = s.clusters;
  Schedule same = s;
  ASSERT_TRUE(retime_schedule(two_branches(), two_branches(), same).ok());
  EXPECT_DOUBLE_EQ(same.makespan_us, s.makespan_us);
  EXPECT_DOUBLE_EQ(same.critical_path_us, s.critical_path_us);
  // The right branch's cluster runs cheaper (a frozen engine); the serial program does not.
  ASSERT_TRUE(retime_schedule(two_branches(), two_branches(40), s).ok());
  EXPECT_EQ(s.clusters, clusters);
  EXPECT_DOUBLE_EQ(s.serial_us, 1002);
  // The cheap branch now waits for its transfers while the left one runs at home: 1 + 500 + 1.
  EXPECT_DOUBLE_EQ(s.makespan_us, 502);
  // The longest path is still the left branch with its six 10 us edges.
  EXPECT_DOUBLE_EQ(s.critical_path_us, 1 + 6 * 10 + 500 + 1);
  // The serial program frozen too: every node as the cheaper costs say.
  ASSERT_TRUE(retime_schedule(two_branches(40), two_branches(40), s).ok());
  EXPECT_DOUBLE_EQ(s.serial_us, 702);
  // One cluster: the makespan is the serial run.
  Schedule one = schedule_ok(chain(4, 100, 1), 2);
  ASSERT_TRUE(retime_schedule(chain(4, 50, 1), chain(4, 50, 1), one).ok());
  EXPECT_DOUBLE_EQ(one.serial_us, 200);
  EXPECT_DOUBLE_EQ(one.makespan_us, 200);
  EXPECT_EQ(retime_schedule(chain(3, 50, 1), chain(4, 50, 1), one).code(),
            StatusCode::kInvalidArgument);
}

TEST(ScheduleTest, ForkJoinDiamond) {
  // 0 -> {1, 2} -> 3: two 300 us sides. One side must cross workers once; the join runs after
  // the side that crossed, on its worker: 5 + 20 + 300 + 5. (Keeping fork and join together
  // would pay two crossings: 350.)
  const DataflowGraph g =
      make_graph({5, 300, 300, 5}, {{0, 1, 20}, {0, 2, 20}, {1, 3, 20}, {2, 3, 20}});
  const Schedule s = schedule_ok(g, 2);
  ASSERT_EQ(s.clusters.size(), 2u);
  EXPECT_DOUBLE_EQ(s.makespan_us, 5 + 20 + 300 + 5);
  EXPECT_NE(s.cluster_of[1], s.cluster_of[2]);
  EXPECT_NE(s.cluster_of[0], s.cluster_of[3]);
  EXPECT_DOUBLE_EQ(s.critical_path_us, 5 + 20 + 300 + 20 + 5);
}

TEST(ScheduleTest, CheapBranchesThatDoNotPayFallBackToOneCluster) {
  // A 100 us main path with four 2 us side branches, each costing 60 us of transfers each way:
  // any branch run elsewhere returns at 10 + 60 + 2 + 60 = 132 us, after the main path (110).
  const DataflowGraph g = make_graph({10, 100, 2, 2, 2, 2, 10}, {{0, 1, 60},
                                                                 {0, 2, 60},
                                                                 {0, 3, 60},
                                                                 {0, 4, 60},
                                                                 {0, 5, 60},
                                                                 {1, 6, 60},
                                                                 {2, 6, 60},
                                                                 {3, 6, 60},
                                                                 {4, 6, 60},
                                                                 {5, 6, 60}});
  const Schedule s = schedule_ok(g, 4);
  ASSERT_EQ(s.clusters.size(), 1u);
  EXPECT_DOUBLE_EQ(s.makespan_us, s.serial_us);
  EXPECT_EQ(s.clusters[0], (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6}));
}

TEST(ScheduleTest, SmallGainBelowThresholdFallsBack) {
  const DataflowGraph g = two_branches();
  // The gain is about 1.92x: asking for 2x gives the serial schedule.
  const Schedule strict = schedule_ok(g, 2, 2.0);
  EXPECT_EQ(strict.clusters.size(), 1u);
  EXPECT_TRUE(strict.stats.fell_back);
  EXPECT_DOUBLE_EQ(strict.stats.parallel_makespan_us, 522);
  EXPECT_DOUBLE_EQ(strict.makespan_us, 1002);
  // Even a threshold below 1 never accepts a schedule slower than serial.
  const DataflowGraph slow = make_graph({1, 1, 1}, {{0, 1, 500}, {0, 2, 500}});
  const Schedule lenient = schedule_ok(slow, 2, 0.0);
  EXPECT_EQ(lenient.clusters.size(), 1u);
  EXPECT_LE(lenient.makespan_us, lenient.serial_us);
}

TEST(ScheduleTest, OneWorkerAndEmptyGraph) {
  const Schedule one = schedule_ok(two_branches(), 1);
  EXPECT_EQ(one.clusters.size(), 1u);
  EXPECT_DOUBLE_EQ(one.makespan_us, one.serial_us);
  const Schedule empty = schedule_ok(DataflowGraph{}, 2);
  EXPECT_TRUE(empty.clusters.empty());
  EXPECT_DOUBLE_EQ(empty.makespan_us, 0);
  EXPECT_DOUBLE_EQ(empty.speedup(), 1.0);
}

TEST(ScheduleTest, IndependentNodesSpreadOverWorkers) {
  const DataflowGraph g = make_graph({100, 100, 100, 100}, {});
  const Schedule s = schedule_ok(g, 4);
  EXPECT_EQ(s.clusters.size(), 4u);
  EXPECT_DOUBLE_EQ(s.makespan_us, 100);
  const Schedule two = schedule_ok(g, 2);
  EXPECT_EQ(two.clusters.size(), 2u);
  EXPECT_DOUBLE_EQ(two.makespan_us, 200);
}

TEST(ScheduleTest, BadOptionsAndGraphsAreInvalidArguments) {
  EXPECT_EQ(schedule_graph(chain(3, 1, 1), {0, 1.05}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(schedule_graph(chain(3, 1, 1), {2, -1}).status().code(), StatusCode::kInvalidArgument);
  // A bad graph never becomes a snapshot, so no stage sees one.
  DataflowGraphBuilder broken = testing::chain_edges(3, 1, 1);
  broken.node_cost_us[1] = -5;
  EXPECT_EQ(DataflowGraph::from_builder(broken).status().code(), StatusCode::kInvalidArgument);
}

TEST(ScheduleTest, SerialScheduleIsTheProgramOrder) {
  const Schedule s = serial_schedule(chain(4, 2, 1));
  EXPECT_EQ(s.clusters, (std::vector<std::vector<int32_t>>{{0, 1, 2, 3}}));
  EXPECT_EQ(s.cluster_of, (std::vector<int32_t>{0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(s.makespan_us, 8);
  EXPECT_TRUE(verify_schedule(chain(4, 2, 1), s, 1).ok());
}

}  // namespace
}  // namespace ramiel::schedule
