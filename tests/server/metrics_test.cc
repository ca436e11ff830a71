#include "server/metrics.h"

#include <prometheus/text_serializer.h>

#include <gtest/gtest.h>

#include "server/status_mapping.h"
#include "tests/server/metric_reader.h"

namespace ramiel::server {
namespace {

std::string exposition(const Metrics& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
}

TEST(Metrics, ExposesEveryFamilyTheDashboardsUse) {
  Metrics metrics("1.2.3");
  metrics.observe_stage("compile", 0.5);
  metrics.observe_rpc("/ramiel.v1.CompileService/Compile", "OK", 0.01);
  const std::string text = exposition(metrics);
  for (const char* family :
       {"# TYPE ramiel_compile_duration_seconds histogram", "# TYPE ramiel_compiles_total counter",
        "# TYPE ramiel_cache_requests_total counter", "# TYPE ramiel_cache_size_bytes gauge",
        "# TYPE ramiel_queue_depth gauge", "# TYPE ramiel_inflight_requests gauge",
        "# TYPE ramiel_rejected_requests_total counter", "# TYPE ramiel_model_size_bytes histogram",
        "# TYPE ramiel_build_info gauge", "# TYPE ramiel_grpc_requests_total counter",
        "# TYPE ramiel_grpc_request_duration_seconds histogram",
        "ramiel_cache_requests_total{result=\"hit\"} 0",
        "ramiel_cache_requests_total{result=\"miss\"} 0",
        "ramiel_rejected_requests_total{reason=\"queue_full\"} 0",
        "ramiel_compile_duration_seconds_bucket{stage=\"compile\",le=\"0.5\"} 1",
        "ramiel_grpc_requests_total{code=\"OK\",method=\"/ramiel.v1.CompileService/Compile\"} 1"}) {
    EXPECT_NE(text.find(family), std::string::npos) << family << "\n" << text;
  }
  EXPECT_NE(text.find("compiler_version=\"1.2.3\""), std::string::npos);
}

TEST(Metrics, GaugesAndCountersMove) {
  Metrics metrics("v");
  metrics.add_inflight(3);
  metrics.add_inflight(-1);
  metrics.set_queue_depth(5);
  metrics.count_rejected("too_large");
  metrics.observe_model_size(3 << 20);
  const auto& registry = *metrics.registry();
  EXPECT_EQ(testing::metric_value(registry, "ramiel_inflight_requests"), 2);
  EXPECT_EQ(testing::metric_value(registry, "ramiel_queue_depth"), 5);
  EXPECT_EQ(
      testing::metric_value(registry, "ramiel_rejected_requests_total", {{"reason", "too_large"}}),
      1);
  EXPECT_EQ(testing::metric_value(registry, "ramiel_model_size_bytes"), 1);
}

TEST(StatusMapping, CoreCodesBecomeActionableGrpcCodes) {
  EXPECT_TRUE(to_grpc_status(ok_status()).ok());
  const grpc::Status bad = to_grpc_status(invalid_argument("model is not ONNX"));
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.error_message(), "model is not ONNX");
  EXPECT_EQ(to_grpc_status(not_found("no input 'x'")).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(to_grpc_status(unimplemented("op")).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(to_grpc_status(cancelled("c")).error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(to_grpc_status(Status(StatusCode::kDeadlineExceeded, "d")).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(to_grpc_status(Status(StatusCode::kResourceExhausted, "r")).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(to_grpc_status(internal_error("bug")).error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(grpc_code_label(grpc::StatusCode::INVALID_ARGUMENT), "invalid_argument");
}

}  // namespace
}  // namespace ramiel::server
