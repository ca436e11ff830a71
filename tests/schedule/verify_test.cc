// The verifier rejects every kind of broken schedule, and the simulator detects deadlocks.
#include <gtest/gtest.h>

#include "core/schedule/schedule.h"
#include "core/schedule/simulate.h"
#include "tests/schedule/test_graphs.h"

namespace ramiel::schedule {
namespace {

using testing::make_graph;

// Two independent chains 0 -> 1 and 2 -> 3, on two workers.
struct TwoChains {
  DataflowGraph g = make_graph({10, 10, 10, 10}, {{0, 1, 5}, {2, 3, 5}});
  Schedule s;
  TwoChains() {
    s.clusters = {{0, 1}, {2, 3}};
    s.cluster_of = {0, 0, 1, 1};
    s.serial_us = 40;
    s.makespan_us = 20;
  }
};

void expect_rejected(const DataflowGraph& g, const Schedule& s, int max_clusters,
                     const std::string& mentions) {
  Status st = verify_schedule(g, s, max_clusters);
  ASSERT_FALSE(st.ok()) << "expected: " << mentions;
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_NE(st.message().find(mentions), std::string::npos) << st.message();
}

TEST(VerifyTest, AcceptsAValidSchedule) {
  TwoChains t;
  EXPECT_TRUE(verify_schedule(t.g, t.s, 2).ok());
}

TEST(VerifyTest, RejectsMissingDuplicateAndUnknownNodes) {
  TwoChains t;
  Schedule missing = t.s;
  missing.clusters[1] = {2};
  expect_rejected(t.g, missing, 2, "node 3 is in no cluster");
  Schedule twice = t.s;
  twice.clusters[1] = {2, 3, 0};
  expect_rejected(t.g, twice, 2, "node 0 is in two places");
  Schedule unknown = t.s;
  unknown.clusters[1] = {2, 3, 7};
  expect_rejected(t.g, unknown, 2, "node 7, which does not exist");
  Schedule mislabelled = t.s;
  mislabelled.cluster_of[3] = 0;
  expect_rejected(t.g, mislabelled, 2, "cluster_of says 0");
  Schedule short_map = t.s;
  short_map.cluster_of.pop_back();
  expect_rejected(t.g, short_map, 2, "cluster_of has 3 entries");
  Schedule empty = t.s;
  empty.clusters.push_back({});
  expect_rejected(t.g, empty, 3, "cluster 2 is empty");
}

TEST(VerifyTest, RejectsTooManyClusters) {
  TwoChains t;
  expect_rejected(t.g, t.s, 1, "2 narrow clusters, more than the 1 allowed");
}

TEST(VerifyTest, RejectsOrderAgainstDependencies) {
  TwoChains t;
  Schedule backwards = t.s;
  backwards.clusters[0] = {1, 0};
  expect_rejected(t.g, backwards, 2, "node 1 runs before its input node 0");
}

TEST(VerifyTest, RejectsADeadlockingInterleave) {
  // Chains 0 -> 1 and 2 -> 3 crossed over: cluster 0 runs 3 then 0, cluster 1 runs 1 then 2.
  // No cluster orders a dependency backwards, yet 3 waits for 2, which waits behind 1, which
  // waits for 0, which waits behind 3.
  TwoChains t;
  Schedule crossed;
  crossed.clusters = {{3, 0}, {1, 2}};
  crossed.cluster_of = {0, 1, 1, 0};
  crossed.serial_us = 40;
  crossed.makespan_us = 20;
  expect_rejected(t.g, crossed, 2, "deadlocks");
  EXPECT_FALSE(simulate_clusters(t.g, crossed.cluster_of, crossed.clusters).ok());
}

// The deadlock the code generator used to look for itself, on a snapshot of the IR: a -> b -> c
// with c before a on one worker and b on the other. Every node is placed once and no cluster
// orders a direct dependency backwards; the message names the IR node.
TEST(VerifyTest, RejectsADeadlockInAnIrSnapshotNamingTheNode) {
  ir::Graph g;
  g.opset = 13;
  const ir::TensorType f32{ir::DType::kFloat32, ir::Shape{2}};
  ir::Value* x = g.add_input("x", f32);
  ir::Node* a = g.add_node(ir::OpKind::Relu, "a", {x}, {{"va", f32}});
  ir::Node* b = g.add_node(ir::OpKind::Neg, "b", {a->output(0)}, {{"vb", f32}});
  ir::Node* c = g.add_node(ir::OpKind::Abs, "c", {b->output(0)}, {{"vc", f32}});
  g.set_outputs({c->output(0)});
  StatusOr<DataflowGraph> snapshot = DataflowGraph::from_ir(
      g, [](const ir::Node&) { return cost::NodeCost{.us = 10, .wide_us = 10}; },
      [](const ir::Value&) { return 0.0; });
  ASSERT_TRUE(snapshot.ok());
  Schedule s;
  s.clusters = {{0, 2}, {1}};  // a, c | b: waits only for what each node needs
  s.cluster_of = {0, 1, 0};
  s.serial_us = 30;
  s.makespan_us = 30;
  EXPECT_TRUE(verify_schedule(*snapshot, s, 2).ok());
  Schedule backwards = s;
  backwards.clusters = {{2, 0}, {1}};  // c, a | b
  expect_rejected(*snapshot, backwards, 2, "schedule deadlocks: node 0 ('a')");
  Schedule twice = s;
  twice.clusters = {{0, 2}, {1, 1}};
  expect_rejected(*snapshot, twice, 2, "node 1 ('b') is in two places");
}

TEST(VerifyTest, RejectsWrongTimes) {
  TwoChains t;
  Schedule wrong_serial = t.s;
  wrong_serial.serial_us = 41;
  expect_rejected(t.g, wrong_serial, 2, "serial_us");
  Schedule wrong_makespan = t.s;
  wrong_makespan.makespan_us = 19;
  expect_rejected(t.g, wrong_makespan, 2, "simulation gives 20");
}

TEST(VerifyTest, RejectsAScheduleSlowerThanSerial) {
  // 0 -> 1 across workers with a 100 us transfer: 1 + 100 + 1 against 2 serial.
  const DataflowGraph g = make_graph({1, 1}, {{0, 1, 100}});
  Schedule s;
  s.clusters = {{0}, {1}};
  s.cluster_of = {0, 1};
  s.serial_us = 2;
  s.makespan_us = 102;
  expect_rejected(g, s, 2, "above the serial");
}

TEST(SimulateTest, ClustersWaitForRemoteInputs) {
  // 0 -> 2 <- 1, with 0 and 2 on one worker and 1 (slow) on another.
  const DataflowGraph g = make_graph({10, 30, 5}, {{0, 2, 7}, {1, 2, 4}});
  StatusOr<double> m = simulate_clusters(g, {0, 1, 0}, {{0, 2}, {1}});
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(*m, 30 + 4 + 5);
  // The same assignment through the ranked simulator gives the same answer.
  std::vector<double> finish;
  EXPECT_DOUBLE_EQ(simulate_ranked(g, {0, 1, 0}, 2, {0, 1, 2}, &finish), 39);
  EXPECT_EQ(finish, (std::vector<double>{10, 30, 39}));
}

}  // namespace
}  // namespace ramiel::schedule
