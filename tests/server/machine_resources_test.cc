#include "server/machine_resources.h"

#include <sched.h>

#include <gtest/gtest.h>

namespace ramiel::server {
namespace {

TEST(MachineResources, ParsesCgroupCpuQuotas) {
  EXPECT_FALSE(cpu_quota_from_v2("max 100000").has_value());
  EXPECT_DOUBLE_EQ(*cpu_quota_from_v2("150000 100000"), 1.5);
  EXPECT_DOUBLE_EQ(*cpu_quota_from_v2("200000 100000"), 2.0);
  EXPECT_FALSE(cpu_quota_from_v2("garbage").has_value());
  EXPECT_FALSE(cpu_quota_from_v1(-1, 100000).has_value());
  EXPECT_DOUBLE_EQ(*cpu_quota_from_v1(50000, 100000), 0.5);
}

TEST(MachineResources, ParsesCgroupMemoryLimits) {
  EXPECT_FALSE(memory_limit_from_text("max").has_value());
  EXPECT_FALSE(memory_limit_from_text("9223372036854771712").has_value());  // v1 "no limit"
  EXPECT_EQ(*memory_limit_from_text("2147483648"), int64_t{2} << 30);
}

TEST(MachineResources, FollowsTheAffinityMask) {
  cpu_set_t saved;
  ASSERT_EQ(sched_getaffinity(0, sizeof saved, &saved), 0);
  const int before = available_cpus();
  EXPECT_GE(before, 1);
  EXPECT_LE(before, CPU_COUNT(&saved));
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &saved)) {
      CPU_SET(cpu, &one);
      break;
    }
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  EXPECT_EQ(available_cpus(), 1);
  ASSERT_EQ(sched_setaffinity(0, sizeof saved, &saved), 0);
  EXPECT_GT(available_memory_bytes(), int64_t{64} << 20);
}

}  // namespace
}  // namespace ramiel::server
