#include "core/schedule/levels.h"

#include <gtest/gtest.h>

#include "core/schedule/linear_clustering.h"
#include "tests/schedule/test_graphs.h"

namespace ramiel::schedule {
namespace {

using testing::inception_block;
using testing::make_graph;
using Paths = std::vector<std::vector<int32_t>>;

Paths as_vectors(const LinearClusters& c) {
  Paths out;
  for (int32_t p = 0; p < c.count(); ++p) out.emplace_back(c.path(p).begin(), c.path(p).end());
  return out;
}

Paths paths_of(const DataflowGraph& g) {
  const std::vector<double> bottom = bottom_levels(g);
  return as_vectors(linear_clusters(g, bottom, level_order(bottom)));
}

TEST(LevelsTest, DiamondLevelsAndCriticalPath) {
  // 0 -> {1, 2} -> 3 with a heavy right branch and a heavy edge on the left.
  const DataflowGraph g =
      make_graph({10, 20, 50, 5}, {{0, 1, 40}, {0, 2, 1}, {1, 3, 1}, {2, 3, 2}});
  const std::vector<double> bottom = bottom_levels(g);
  EXPECT_EQ(bottom, (std::vector<double>{10 + 40 + 20 + 1 + 5, 26, 57, 5}));
  const std::vector<double> top = top_levels(g);
  EXPECT_EQ(top, (std::vector<double>{0, 50, 11, 71}));
  EXPECT_DOUBLE_EQ(critical_path_us(bottom), 76);
  // The longest path through each node: top + bottom, at most the critical path.
  for (size_t v = 0; v < 4; ++v) EXPECT_LE(top[v] + bottom[v], 76);
  EXPECT_DOUBLE_EQ(critical_path_us({}), 0);
}

TEST(LevelsTest, LevelOrderIsTopologicalWithTiesToLowerIndex) {
  // Zero costs make predecessors and successors tie on level: the index decides.
  const DataflowGraph g = make_graph({0, 0, 5, 0, 1}, {{0, 1, 0}, {1, 3, 0}, {2, 3, 0}, {0, 4, 2}});
  const std::vector<double> bottom = bottom_levels(g);
  EXPECT_EQ(bottom, (std::vector<double>{3, 0, 5, 0, 1}));
  EXPECT_EQ(level_order(bottom), (std::vector<int32_t>{2, 0, 4, 1, 3}));
}

TEST(LinearClusteringTest, InceptionBlockPathsFollowCriticalPaths) {
  const DataflowGraph g = inception_block();
  const std::vector<double> bottom = bottom_levels(g);
  EXPECT_EQ(bottom, (std::vector<double>{385, 85, 270, 225, 210, 175, 160, 65, 10}));
  const LinearClusters clusters = linear_clusters(g, bottom, level_order(bottom));
  const Paths paths = as_vectors(clusters);
  // The critical path first (through the 3x3 branch), then the other branches by level.
  EXPECT_EQ(paths, (Paths{{0, 2, 3, 8}, {4, 5}, {6, 7}, {1}}));
  EXPECT_EQ(clusters.path_of, (std::vector<int32_t>{0, 3, 0, 0, 1, 1, 2, 2, 0}));
}

TEST(LinearClusteringTest, PathsFollowTheHeaviestEdge) {
  // From 0 both successors lead to the same bottom level; the heavier edge wins.
  const DataflowGraph g = make_graph({1, 5, 5, 1}, {{0, 1, 2}, {0, 2, 9}, {1, 3, 1}, {2, 3, 1}});
  const auto paths = paths_of(g);
  EXPECT_EQ(paths, (Paths{{0, 2, 3}, {1}}));
}

TEST(LinearClusteringTest, ChainIsOnePath) {
  const DataflowGraph g = testing::chain(50, 3, 100);
  const auto paths = paths_of(g);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].size(), 50u);
}

}  // namespace
}  // namespace ramiel::schedule
