#include "core/driver/compile.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/driver/schedule_summary.h"
#include "core/support/sha256.h"
#include "tests/frontend/model_builder.h"

namespace ramiel::driver {
namespace {

using testing::ModelBuilder;

// x -> Relu -> (Sigmoid, Tanh) -> Add -> y: a small diamond.
std::string diamond_model() {
  ModelBuilder m;
  m.input("x", {1, 16}).output("y", {1, 16});
  m.node("Relu", {"x"}, {"a"}, "relu");
  m.node("Sigmoid", {"a"}, {"b"}, "sigmoid");
  m.node("Tanh", {"a"}, {"c"}, "tanh");
  m.node("Add", {"b", "c"}, {"y"}, "add");
  return m.bytes();
}

TEST(CompileTest, WritesAllFilesAndAConsistentReport) {
  const std::string bytes = diamond_model();
  CompileOptions options;
  options.model_name = "diamond";
  auto result = compile(bytes, options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  for (const char* name : {"schedule.json", "graph.dot", "model.py"}) {
    EXPECT_TRUE(result->files.count(name)) << name;
  }
  EXPECT_EQ(result->model_sha256, sha256_hex(bytes));
  auto s = nlohmann::json::parse(result->files.at("schedule.json"));
  EXPECT_EQ(s["model"]["sha256"], sha256_hex(bytes));
  EXPECT_EQ(s["model"]["name"], "diamond");
  EXPECT_EQ(s["compiler"]["version"], compiler_version());
  EXPECT_EQ(s["graph"]["nodes_in"], 4);
  EXPECT_EQ(s["nodes"].size(), s["graph"]["nodes_out"].get<size_t>());
  EXPECT_EQ(s["clusters"].size(), static_cast<size_t>(result->clusters));
  for (const char* stage : {"import", "passes", "cost", "schedule", "codegen", "total"}) {
    EXPECT_GE(s["timings_ms"][stage].get<double>(), 0.0) << stage;
  }
  EXPECT_NE(result->files.at("graph.dot").find("digraph \"diamond\""), std::string::npos);
}

TEST(CompileTest, AKnownHashIsRecordedAsGiven) {
  const std::string bytes = diamond_model();
  CompileOptions options;
  // Well-formed but not the model's: only a compile that takes it instead of hashing records it.
  options.model_sha256 = std::string(64, 'e');
  auto result = compile(bytes, options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result->model_sha256, options.model_sha256);
  auto s = nlohmann::json::parse(result->files.at("schedule.json"));
  EXPECT_EQ(s["model"]["sha256"], options.model_sha256);
  EXPECT_NE(result->files.at("model.py").find(options.model_sha256), std::string::npos);
  // The rest of the output does not depend on where the hash came from.
  options.model_sha256 = sha256_hex(bytes);
  auto hashed = compile(bytes, {});
  auto given = compile(bytes, options);
  ASSERT_TRUE(hashed.ok() && given.ok());
  EXPECT_EQ(hashed->files.at("model.py"), given->files.at("model.py"));
}

// What ramiel-client prints after a compile, read back from the schedule.json compile() wrote.
TEST(CompileTest, TheScheduleSummaryReadsWhatTheReportWrote) {
  const std::string bytes = diamond_model();
  CompileOptions options;
  options.model_name = "diamond";
  auto result = compile(bytes, options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const std::string summary = schedule_summary(result->files.at("schedule.json"));
  EXPECT_EQ(summary.rfind("model diamond (sha256 " + sha256_hex(bytes).substr(0, 12) +
                              "...), opset 13\ngraph: 4 nodes in, ",
                          0),
            0u)
      << summary;
  EXPECT_NE(summary.find("cluster  nodes  cost_us\n"), std::string::npos);
  EXPECT_NE(summary.find("predicted: serial "), std::string::npos);
  EXPECT_NE(summary.find("compile: import "), std::string::npos);
  EXPECT_EQ(std::count(summary.begin(), summary.end(), '\n'), 5 + result->clusters);
  EXPECT_EQ(schedule_summary("{"), "(schedule.json is not valid JSON)\n");
  // Valid JSON without the keys (another server version's file) is a note, not a crash.
  const std::string lacking = "(schedule.json lacks the keys this client summarises)\n";
  EXPECT_EQ(schedule_summary("{}"), lacking);
  EXPECT_EQ(schedule_summary("[1, 2]"), lacking);
  EXPECT_EQ(schedule_summary(R"({"model": {"name": 7}})"), lacking);
}

TEST(CompileTest, OutputsAreDeterministic) {
  const std::string bytes = diamond_model();
  auto a = compile(bytes, {});
  auto b = compile(bytes, {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->files.at("model.py"), b->files.at("model.py"));
  EXPECT_EQ(a->files.at("graph.dot"), b->files.at("graph.dot"));
  auto sa = nlohmann::json::parse(a->files.at("schedule.json"));
  auto sb = nlohmann::json::parse(b->files.at("schedule.json"));
  sa.erase("timings_ms");
  sb.erase("timings_ms");
  EXPECT_EQ(sa, sb);
}

TEST(CompileTest, CancellationStopsBetweenStages) {
  int polls = 0;
  CompileOptions options;
  options.is_cancelled = [&polls] { return ++polls >= 2; };
  auto result = compile(diamond_model(), options);
  EXPECT_EQ(result.status().code(), StatusCode::kCancelled);
  EXPECT_NE(result.status().message().find("cancelled before"), std::string::npos);
  EXPECT_EQ(polls, 2);
}

TEST(CompileTest, BadOptionsAndModelsAreStatuses) {
  CompileOptions bad;
  bad.workers = 0;
  EXPECT_EQ(compile(diamond_model(), bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(compile("garbage", {}).status().code(), StatusCode::kInvalidArgument);
  CompileOptions costs;
  costs.measured_costs_json = R"({"relu": "fast"})";
  EXPECT_NE(compile(diamond_model(), costs).status().message().find("node 'relu'"),
            std::string::npos);
  CompileOptions print;
  print.print_ir_after = "no-such-pass";
  EXPECT_EQ(compile(diamond_model(), print).status().code(), StatusCode::kInvalidArgument);
}

TEST(CompileTest, ModelLimitsComeFromTheOptions) {
  CompileOptions tight;
  tight.limits.max_nodes = 3;
  const auto refused = compile(diamond_model(), tight);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("max_nodes=3"), std::string::npos);
  tight.limits.max_nodes = 4;
  EXPECT_TRUE(compile(diamond_model(), tight).ok());
  CompileOptions negative;
  negative.limits.max_string_bytes = -1;
  EXPECT_EQ(compile(diamond_model(), negative).status().code(), StatusCode::kInvalidArgument);
}

TEST(CompileTest, ErrorsNeverEchoUnboundedInput) {
  // Names within max_name_bytes that the ONNX checker quotes several times: its message is
  // longer than 4 KiB and comes back cut.
  ModelBuilder m;
  m.input("x", {1, 4}).output("y", {1, 4});
  m.node(std::string(4096, 'R'), {"x"}, {"y"}, std::string(4096, 'n'));
  const auto result = compile(m.bytes(), {});
  ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_LE(result.status().message().size(), kMaxStatusMessageBytes);
  EXPECT_NE(result.status().message().find("message cut"), std::string::npos);
  // The issue's 50 MiB string attribute: refused by its limit, in a short message.
  ModelBuilder text;
  text.input("x", {1, 4}).output("y", {1, 4});
  auto* attr = text.node("Relu", {"x"}, {"y"}, "relu").add_attribute();
  attr->set_name("evil");
  attr->set_type(onnx::AttributeProto::STRING);
  attr->set_s(std::string(50 << 20, 'A'));
  const auto big = compile(text.bytes(), {});
  EXPECT_LT(big.status().message().size(), 200u);
  EXPECT_NE(big.status().message().find("max_string_bytes=65536"), std::string::npos);
}

TEST(CompileTest, PrintIrAfterAPassFillsTheDump) {
  CompileOptions options;
  options.print_ir_after = "fold-constants";
  auto result = compile(diamond_model(), options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_NE(result->ir_dump.find("Sigmoid(%a)"), std::string::npos) << result->ir_dump;
}

TEST(CompileTest, MeasuredCostsReplaceEstimates) {
  CompileOptions options;
  options.measured_costs_json =
      R"({"nodes": {"sigmoid": 5000, "tanh": 5000, "relu": 1, "add": 1}})";
  // Branches that run beside each other as fast as alone (this machine's default says 2x slower).
  options.device_profile_json = R"({"co_run_slowdown": 1})";
  auto result = compile(diamond_model(), options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  auto s = nlohmann::json::parse(result->files.at("schedule.json"));
  EXPECT_TRUE(s["options"]["measured_costs"].get<bool>());
  for (const auto& node : s["nodes"]) {
    if (node["name"] == "sigmoid") {
      EXPECT_EQ(node["cost_us"], 5000.0);
    }
  }
  // Two 5 ms branches side by side pay for their transfers: the schedule uses two workers.
  EXPECT_EQ(result->clusters, 2);
  EXPECT_GT(result->predicted_speedup, 1.5);
}

// x [1, 4, 8, 8] -> Conv heavy (64 channels, 3x3) -> Relu -> Concat <- Conv light (16): a
// module whose heavy branch split-branches splits in two when costs make it dominate.
std::string inception_like_model() {
  ModelBuilder m;
  m.input("x", {1, 4, 8, 8}).output("y", {1, 80, 8, 8});
  m.initializer("wh", {64, 4, 3, 3}, std::vector<float>(64 * 4 * 9, 0.01f));
  m.initializer("wl", {16, 4, 3, 3}, std::vector<float>(16 * 4 * 9, 0.02f));
  ModelBuilder::ints_attr(m.node("Conv", {"x", "wh"}, {"h"}, "heavy"), "pads", {1, 1, 1, 1});
  m.node("Relu", {"h"}, {"r"}, "relu");
  ModelBuilder::ints_attr(m.node("Conv", {"x", "wl"}, {"l"}, "light"), "pads", {1, 1, 1, 1});
  ModelBuilder::int_attr(m.node("Concat", {"r", "l"}, {"y"}, "cat"), "axis", 1);
  return m.bytes();
}

TEST(CompileTest, SplitsAreDroppedWhenTheScheduleIsOneCluster) {
  auto compile_with_co_run_slowdown = [](const std::string& slowdown) {
    CompileOptions options;
    options.workers = 2;
    options.measured_costs_json =
        R"({"nodes": {"heavy": 5000, "light": 800, "relu": 10, "cat": 10}})";
    options.device_profile_json = R"({"co_run_slowdown": )" + slowdown + "}";
    return compile(inception_like_model(), options);
  };
  // Branches as fast beside each other as alone: the halves run on two workers and stay split.
  auto parallel = compile_with_co_run_slowdown("1");
  ASSERT_TRUE(parallel.ok()) << parallel.status().to_string();
  auto p = nlohmann::json::parse(parallel->files.at("schedule.json"));
  EXPECT_GT(parallel->clusters, 1);
  EXPECT_EQ(p["graph"]["split"], 1);
  EXPECT_FALSE(p["graph"]["parallel_rewrites_dropped"].get<bool>());
  // Four times slower beside each other: one wide cluster, which runs the whole convolution.
  auto serial = compile_with_co_run_slowdown("4");
  ASSERT_TRUE(serial.ok()) << serial.status().to_string();
  auto s = nlohmann::json::parse(serial->files.at("schedule.json"));
  EXPECT_EQ(serial->clusters, 1);
  EXPECT_EQ(s["graph"]["split"], 0);
  EXPECT_TRUE(s["graph"]["parallel_rewrites_dropped"].get<bool>());
  EXPECT_EQ(s["graph"]["nodes_out"], 4);
  const std::string& program = serial->files.at("model.py");
  EXPECT_EQ(program.find("_split"), std::string::npos);
  EXPECT_EQ(program.find("c.wh["), std::string::npos);  // the weight whole, not sliced
  // What the client prints says so.
  EXPECT_NE(schedule_summary(serial->files.at("schedule.json"))
                .find("0 cloned, 0 split; splits and clones dropped: the schedule is one cluster)"),
            std::string::npos);
  EXPECT_NE(schedule_summary(parallel->files.at("schedule.json")).find("0 cloned, 1 split)\n"),
            std::string::npos);
}

// x [64, 256] -> MatMul w1 [256, 256] -> Relu -> MatMul w2 [256, 256] -> y: matrix products
// carry the cost, so the op-mix rule runs it prepacked (core/codegen/engines.cc).
std::string matmul_model() {
  ModelBuilder m;
  m.input("x", {64, 256}).output("y", {64, 256});
  m.initializer("w1", {256, 256}, std::vector<float>(256 * 256, 0.5f));
  m.initializer("w2", {256, 256}, std::vector<float>(256 * 256, 0.25f));
  m.node("MatMul", {"x", "w1"}, {"h"}, "mm1");
  m.node("Relu", {"h"}, {"r"}, "relu");
  m.node("MatMul", {"r", "w2"}, {"y"}, "mm2");
  return m.bytes();
}

TEST(CompileTest, TracedClustersArePredictedWithPrepackedWeights) {
  // One measured node votes for its cluster's engine; the products stay estimated.
  auto compile_with_engine = [](const std::string& engine) {
    CompileOptions options;
    options.workers = 1;
    // 262144 weight bytes per product at 0.5 GB/s: 524 us each when reordered on every call.
    options.device_profile_json = R"({"cores": 1, "weight_gbps": 0.5})";
    options.measured_costs_json =
        R"({"nodes": {"relu": {"us_1": 1, "us_T": 1, "engine": ")" + engine + R"("}}})";
    return compile(matmul_model(), options);
  };
  auto frozen = compile_with_engine("frozen");
  auto eager = compile_with_engine("eager");
  auto prepacked = compile_with_engine("prepacked");
  ASSERT_TRUE(frozen.ok() && eager.ok() && prepacked.ok()) << frozen.status().to_string();
  ASSERT_NE(frozen->files.at("model.py").find("ENGINES = (\"frozen\",)"), std::string::npos);
  ASSERT_NE(eager->files.at("model.py").find("ENGINES = (\"eager\",)"), std::string::npos);
  ASSERT_NE(prepacked->files.at("model.py").find("ENGINES = (\"prepacked\",)"), std::string::npos);
  auto f = nlohmann::json::parse(frozen->files.at("schedule.json"));
  auto e = nlohmann::json::parse(eager->files.at("schedule.json"));
  // Both traced programs' weights were packed at load: no reorder in their predictions.
  const double serial = f["prediction"]["serial_us"].get<double>();
  EXPECT_NEAR(e["prediction"]["serial_us"].get<double>() - serial, 2 * 262144 / 500.0, 1.0);
  EXPECT_DOUBLE_EQ(
      nlohmann::json::parse(prepacked->files.at("schedule.json"))["prediction"]["serial_us"],
      serial);
  EXPECT_DOUBLE_EQ(f["prediction"]["makespan_us"].get<double>(), serial);
  // Its nodes' costs in the report add up to that prediction.
  double node_sum = 0;
  for (const auto& node : f["nodes"]) node_sum += node["cost_us"].get<double>();
  EXPECT_NEAR(serial, node_sum, 0.01);
}

TEST(CompileTest, MatrixProductsRunPrepackedWithoutAProfile) {
  CompileOptions options;
  options.workers = 1;
  auto compiled = compile(matmul_model(), options);
  ASSERT_TRUE(compiled.ok()) << compiled.status().to_string();
  EXPECT_NE(compiled->files.at("model.py").find("ENGINES = (\"prepacked\",)"), std::string::npos);
}

}  // namespace
}  // namespace ramiel::driver
