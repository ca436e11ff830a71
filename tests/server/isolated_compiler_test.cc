#include "server/isolated_compiler.h"

#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/support/sha256.h"
#include "tests/frontend/model_builder.h"

namespace ramiel::server {
namespace {

// The real ramiel-compile-worker, built beside the server.
struct Harness {
  Harness()
      : metrics("test-version"),
        log(out, /*log_requests=*/false),
        compiler(WorkerLimits{RAMIEL_BINARY_DIR "/server/ramiel-compile-worker", int64_t{2} << 30,
                              30, int64_t{1} << 20, ""},
                 /*spares=*/0, metrics, log) {}
  std::ostringstream out;
  Metrics metrics;
  RequestLog log;
  IsolatedCompiler compiler;
};

std::string relu_model() {
  testing::ModelBuilder m;
  m.input("x", {1, 8}).output("y", {1, 8});
  m.node("Relu", {"x"}, {"y"}, "relu");
  return m.bytes();
}

std::string recorded_sha256(const driver::CompileResult& result) {
  return nlohmann::json::parse(result.files.at("schedule.json"))["model"]["sha256"];
}

TEST(IsolatedCompiler, TheWorkerRecordsTheHashTheServerKnows) {
  Harness h;
  driver::CompileOptions options;
  // Well-formed but not the model's: only a worker that takes it from the job records it.
  options.model_sha256 = std::string(64, 'b');
  auto result = h.compiler(relu_model(), options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result->model_sha256, options.model_sha256);
  EXPECT_EQ(recorded_sha256(*result), options.model_sha256);
}

TEST(IsolatedCompiler, WithoutAKnownHashTheWorkerHashes) {
  Harness h;
  const std::string model = relu_model();
  auto result = h.compiler(model, driver::CompileOptions());
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result->model_sha256, sha256_hex(model));
  EXPECT_EQ(recorded_sha256(*result), sha256_hex(model));
}

}  // namespace
}  // namespace ramiel::server
