#include "core/cost/device_profile.h"

#include <gtest/gtest.h>

namespace ramiel::cost {
namespace {

void expect_invalid(std::string_view json, const std::string& mentions) {
  StatusOr<DeviceProfile> parsed = DeviceProfile::from_json(json);
  ASSERT_FALSE(parsed.ok()) << json;
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find(mentions), std::string::npos)
      << parsed.status().message();
}

TEST(DeviceProfileTest, DefaultsAreMeasuredPositiveNumbers) {
  DeviceProfile d = DeviceProfile::defaults();
  for (double v :
       {d.peak_gflops, d.memory_gbps, d.op_overhead_us, d.pool_gops, d.separable_pool_gops,
        d.transfer_latency_us, d.transfer_gbps, d.vector_gops, d.weight_gbps}) {
    EXPECT_GT(v, 0);
  }
  // Sanity of the calibration: dispatch costs microseconds and a thread hand-off more.
  EXPECT_LT(d.op_overhead_us, 50);
  EXPECT_GT(d.transfer_latency_us, d.op_overhead_us);
}

TEST(DeviceProfileTest, EmptyObjectGivesDefaults) {
  StatusOr<DeviceProfile> p = DeviceProfile::from_json("{}");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->to_json(), DeviceProfile::defaults().to_json());
}

TEST(DeviceProfileTest, NamedKeysOverrideTheRestStayDefault) {
  StatusOr<DeviceProfile> p =
      DeviceProfile::from_json(R"({"name": "pi4", "peak_gflops": 8, "transfer_latency_us": 40.5})");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->name, "pi4");
  EXPECT_DOUBLE_EQ(p->peak_gflops, 8);
  EXPECT_DOUBLE_EQ(p->transfer_latency_us, 40.5);
  EXPECT_DOUBLE_EQ(p->memory_gbps, DeviceProfile::defaults().memory_gbps);
}

TEST(DeviceProfileTest, ComputeHalfPointFollowsTheGeneralOneUnlessGiven) {
  // A profile calibrated before compute_intra_op_half_us scales every op by one curve.
  StatusOr<DeviceProfile> old = DeviceProfile::from_json(R"({"intra_op_half_us": 181})");
  ASSERT_TRUE(old.ok()) << old.status().to_string();
  EXPECT_DOUBLE_EQ(old->compute_intra_op_half_us, 181);
  StatusOr<DeviceProfile> both =
      DeviceProfile::from_json(R"({"intra_op_half_us": 181, "compute_intra_op_half_us": 16})");
  ASSERT_TRUE(both.ok()) << both.status().to_string();
  EXPECT_DOUBLE_EQ(both->intra_op_half_us, 181);
  EXPECT_DOUBLE_EQ(both->compute_intra_op_half_us, 16);
}

TEST(DeviceProfileTest, TracedDispatchFollowsThePythonOneUnlessGiven) {
  // A profile calibrated before traced_op_overhead_us charges every op Python's dispatch.
  StatusOr<DeviceProfile> old = DeviceProfile::from_json(R"({"op_overhead_us": 6.5})");
  ASSERT_TRUE(old.ok()) << old.status().to_string();
  EXPECT_DOUBLE_EQ(old->traced_op_overhead_us, 6.5);
  StatusOr<DeviceProfile> both =
      DeviceProfile::from_json(R"({"op_overhead_us": 6.5, "traced_op_overhead_us": 2.5})");
  ASSERT_TRUE(both.ok()) << both.status().to_string();
  EXPECT_DOUBLE_EQ(both->op_overhead_us, 6.5);
  EXPECT_DOUBLE_EQ(both->traced_op_overhead_us, 2.5);
  EXPECT_FALSE(DeviceProfile::from_json(R"({"traced_op_overhead_us": 0})").ok());
}

TEST(DeviceProfileTest, ToJsonRoundTripsAndIsSorted) {
  DeviceProfile d;
  d.name = "x";
  d.peak_gflops = 1.5;
  d.memory_gbps = 2.5;
  d.op_overhead_us = 3.5;
  d.pool_gops = 4.5;
  d.separable_pool_gops = 9.5;
  d.transfer_latency_us = 5.5;
  d.transfer_gbps = 6.5;
  d.vector_gops = 7.5;
  d.weight_gbps = 8.5;
  const std::string text = d.to_json();
  StatusOr<DeviceProfile> back = DeviceProfile::from_json(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->to_json(), text);
  EXPECT_DOUBLE_EQ(back->pool_gops, 4.5);
  EXPECT_DOUBLE_EQ(back->separable_pool_gops, 9.5);
  EXPECT_DOUBLE_EQ(back->vector_gops, 7.5);
  EXPECT_DOUBLE_EQ(back->weight_gbps, 8.5);
  EXPECT_LT(text.find("memory_gbps"), text.find("transfer_latency_us"));
}

TEST(DeviceProfileTest, ErrorsNameTheKey) {
  expect_invalid(R"({"peak_gflop": 10})", "unknown key 'peak_gflop'");
  expect_invalid(R"({"memory_gbps": -1})", "'memory_gbps' must be a positive number");
  expect_invalid(R"({"op_overhead_us": 0})", "'op_overhead_us' must be a positive number");
  expect_invalid(R"({"transfer_gbps": -0.5})", "'transfer_gbps' must be a positive number");
  expect_invalid(R"({"pool_gops": "fast"})", "'pool_gops' must be a number");
  expect_invalid(R"({"name": 3})", "'name' must be a string");
}

TEST(DeviceProfileTest, MalformedDocumentsAreInvalid) {
  expect_invalid("{", "not valid JSON");
  expect_invalid("", "not valid JSON");
  expect_invalid("[1, 2]", "expected a JSON object");
  expect_invalid("12", "expected a JSON object");
}

}  // namespace
}  // namespace ramiel::cost
