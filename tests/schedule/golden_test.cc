// Golden schedules for small models: the exact clusters, orders and predicted times.
#include <gtest/gtest.h>

#include <string>

#include "core/schedule/schedule.h"
#include "tests/schedule/test_graphs.h"

namespace ramiel::schedule {
namespace {

using Clusters = std::vector<std::vector<int32_t>>;

Schedule schedule_ok(const DataflowGraph& g, int workers) {
  StatusOr<Schedule> s = schedule_graph(g, {workers, 1.05});
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? *s : Schedule{};
}

// The hand-set inception block of test_graphs.h, worked by hand. Nodes are taken in order of
// bottom level: 0, 2, 3, 4, 5, 6, 1, 7, 8. The critical path 0-2-3 runs on worker 0 (0-330);
// the 5x5 branch starts on worker 1 at 115 (100 + 15) and ends at 285; the pool branch
// follows it there (285-405, earlier than worker 0 at 330 + 80); the 1x1 conv takes worker 0
// after the 3x3 (330-390); the concat starts where its inputs arrive first: on worker 1 at
// max(330 + 15, 390 + 15, 405) = 405, ending at 415. Pinned to the critical path it would
// wait for the pool branch (405 + 15) and end at 430, so single-node placement wins.
TEST(GoldenScheduleTest, InceptionBlockOnTwoWorkers) {
  const Schedule s = schedule_ok(testing::inception_block(), 2);
  EXPECT_EQ(s.clusters, (Clusters{{0, 2, 3, 1}, {4, 5, 6, 7, 8}}));
  EXPECT_DOUBLE_EQ(s.makespan_us, 415);
  EXPECT_DOUBLE_EQ(s.serial_us, 690);
  EXPECT_DOUBLE_EQ(s.critical_path_us, 385);
  EXPECT_STREQ(s.stats.merge_unit, "nodes");
}

// Three workers reach the compute-only critical path 100 + 30 + 200 + 10 = 340, the best any
// schedule can do; a fourth worker cannot improve on it, so it is merged away.
TEST(GoldenScheduleTest, InceptionBlockOnThreeAndFourWorkers) {
  for (int workers : {3, 4}) {
    const Schedule s = schedule_ok(testing::inception_block(), workers);
    EXPECT_EQ(s.clusters, (Clusters{{0, 2, 3, 8}, {6, 1, 7}, {4, 5}})) << workers;
    EXPECT_DOUBLE_EQ(s.makespan_us, 340);
  }
}

}  // namespace
}  // namespace ramiel::schedule
