#include "driver_proto/convert.h"

#include <gtest/gtest.h>

namespace ramiel::driver_proto {
namespace {

TEST(DriverProto, OptionsThatTravelSurviveTheRoundTrip) {
  driver::CompileOptions options;
  options.workers = 5;
  options.input_shapes = {{"x", {1, 3, 8, 8}}, {"y", {2}}};
  options.device_profile_json = R"({"cores": 4})";
  options.measured_costs_json = R"({"n": 3.5})";
  options.model_name = "tiny";
  const driver::CompileOptions back = options_from_proto(options_to_proto(options));
  EXPECT_EQ(back.workers, 5);
  EXPECT_EQ(back.input_shapes, options.input_shapes);
  EXPECT_EQ(back.device_profile_json, options.device_profile_json);
  EXPECT_EQ(back.measured_costs_json, options.measured_costs_json);
  EXPECT_EQ(back.model_name, "tiny");
  // What decides the output, and so the cache key, is the same on both ends.
  EXPECT_EQ(back.canonical(), options.canonical());
}

TEST(DriverProto, UnsetWorkersKeepTheCoreDefault) {
  EXPECT_EQ(options_from_proto(v1::CompileOptions()).workers, driver::CompileOptions().workers);
}

TEST(DriverProto, ResultsSurviveTheRoundTripWithFilesSortedByName) {
  driver::CompileResult result;
  result.files = {{"schedule.json", "{}"}, {"model.py", "print()"}, {"graph.dot", "digraph {}"}};
  result.warnings = {"w1", "w2"};
  result.clusters = 3;
  result.predicted_speedup = 1.5;
  result.model_sha256 = std::string(64, 'a');
  v1::CompileResponse response;
  result_to_response(result, response);
  ASSERT_EQ(response.files_size(), 3);
  EXPECT_EQ(response.files(0).name(), "graph.dot");
  EXPECT_EQ(response.files(2).name(), "schedule.json");
  const driver::CompileResult back = result_from_response(response);
  EXPECT_EQ(back.files, result.files);
  EXPECT_EQ(back.warnings, result.warnings);
  EXPECT_EQ(back.clusters, 3);
  EXPECT_DOUBLE_EQ(back.predicted_speedup, 1.5);
  EXPECT_EQ(back.model_sha256, result.model_sha256);
}

TEST(DriverProto, FillingAResponseReplacesWhatItHeld) {
  v1::CompileResponse response;
  response.add_files()->set_name("stale.py");
  response.add_warnings("stale");
  driver::CompileResult result;
  result.files["model.py"] = "x";
  result_to_response(result, response);
  ASSERT_EQ(response.files_size(), 1);
  EXPECT_EQ(response.files(0).name(), "model.py");
  EXPECT_EQ(response.warnings_size(), 0);
}

}  // namespace
}  // namespace ramiel::driver_proto
