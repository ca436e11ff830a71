// Measured costs read back from the generated program's --profile output.
#include "core/cost/measured_costs.h"

#include <gtest/gtest.h>

namespace ramiel::cost {
namespace {

TEST(MeasuredCostsTest, ReadsTheProfileOutputAndPlainTables) {
  auto profile = parse_measured_costs(R"({"nodes": {"conv": {"us_1": 120.5, "us_T": 70},
                                                    "relu": {"us_1": 3}}, "runs": 20})");
  ASSERT_TRUE(profile.ok()) << profile.status().to_string();
  EXPECT_EQ(profile->at("conv").us, 120.5);
  EXPECT_EQ(profile->at("conv").wide_us, 70.0);
  EXPECT_EQ(profile->at("relu").us, 3.0);
  EXPECT_EQ(profile->at("relu").frozen_scale, 1.0);  // none recorded: as measured
  auto frozen = parse_measured_costs(R"({"nodes": {"conv": {"us_1": 9, "frozen_scale": 0.7}}})");
  ASSERT_TRUE(frozen.ok());
  EXPECT_EQ(frozen->at("conv").frozen_scale, 0.7);
  // A profile's traced times scaled to its untraced whole runs.
  auto untraced = parse_measured_costs(R"({"nodes": {"conv": {"us_1": 100, "us_T": 60}},
                                           "untraced_scale": {"us_1": 0.9, "us_T": 1.1}})");
  ASSERT_TRUE(untraced.ok()) << untraced.status().to_string();
  EXPECT_DOUBLE_EQ(untraced->at("conv").us, 90.0);
  EXPECT_DOUBLE_EQ(untraced->at("conv").wide_us, 66.0);
  for (const char* bad : {R"({"nodes": {}, "untraced_scale": {"us_1": 0}})",
                          R"({"nodes": {}, "untraced_scale": {"us_T": "fast"}})",
                          R"({"nodes": {}, "untraced_scale": [1, 1]})"}) {
    auto refused = parse_measured_costs(bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("untraced_scale"), std::string::npos) << bad;
  }
  auto plain = parse_measured_costs(R"({"conv": 99})");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->at("conv").us, 99.0);
  auto none = parse_measured_costs("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(MeasuredCostsTest, RefusesWhatIsNotATimeNamingTheNode) {
  for (const char* bad : {R"({"relu": "fast"})", R"({"relu": -1})", R"({"nodes": {"relu": {}}})",
                          R"({"nodes": {"relu": {"us_1": 1, "us_T": null}}})",
                          R"({"nodes": {"relu": {"us_1": 1, "frozen_scale": 0}}})",
                          R"({"nodes": {"relu": {"us_1": 1, "frozen_scale": "fast"}}})"}) {
    auto costs = parse_measured_costs(bad);
    ASSERT_FALSE(costs.ok()) << bad;
    EXPECT_EQ(costs.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(costs.status().message().find("node 'relu'"), std::string::npos) << bad;
  }
  for (const char* bad : {"[1, 2]", "not json", "42"}) {
    auto costs = parse_measured_costs(bad);
    ASSERT_FALSE(costs.ok()) << bad;
    EXPECT_NE(costs.status().message().find("map node names"), std::string::npos) << bad;
  }
}

TEST(MeasuredCostsTest, ReadsTheEngineEachNodeRanBestWith) {
  auto engines = parse_measured_engines(R"({"nodes": {"conv": {"us_1": 9, "engine": "frozen"},
                                                    "relu": {"us_1": 3, "engine": "eager"},
                                                    "pool": {"us_1": 2, "engine": "prepacked"},
                                                    "add": {"us_1": 1}}})");
  ASSERT_TRUE(engines.ok()) << engines.status().to_string();
  EXPECT_EQ(*engines,
            (MeasuredEngines{{"conv", "frozen"}, {"relu", "eager"}, {"pool", "prepacked"}}));
  EXPECT_TRUE(parse_measured_engines("")->empty());
  EXPECT_TRUE(parse_measured_engines(R"({"conv": 99})")->empty());
  auto bad = parse_measured_engines(R"({"nodes": {"relu": {"us_1": 1, "engine": "jit"}}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("node 'relu' must be \"eager\", \"frozen\" or "
                                        "\"prepacked\""),
            std::string::npos);
}

}  // namespace
}  // namespace ramiel::cost
