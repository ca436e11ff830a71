#include "core/frontend/slim_model.h"

#include <gtest/gtest.h>

#include "core/frontend/onnx_import.h"
#include "tests/frontend/model_builder.h"

namespace ramiel::frontend {
namespace {

using testing::ModelBuilder;

std::string model_with_raw_weight(int64_t declared_elements, int64_t stored_elements) {
  ModelBuilder m;
  m.input("x", {1, declared_elements}).output("y", {1, declared_elements});
  auto* t = m.proto().mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(1);
  t->add_dims(declared_elements);
  t->set_raw_data(std::string(static_cast<size_t>(stored_elements) * 4, '\x01'));
  m.node("Add", {"x", "w"}, {"y"});
  return m.bytes();
}

TEST(SlimModelTest, CutsLargePayloadsAndKeepsEverythingElse) {
  const std::string bytes = model_with_raw_weight(1000, 1000);
  auto slim = slim_model(bytes, /*threshold=*/1024);
  ASSERT_TRUE(slim.ok()) << slim.status().to_string();
  EXPECT_EQ(slim->stripped_bytes.at("w"), 4000);
  EXPECT_LT(slim->bytes.size(), 1000u);
  onnx::ModelProto parsed;
  ASSERT_TRUE(parsed.ParseFromString(slim->bytes));
  EXPECT_EQ(parsed.graph().initializer(0).name(), "w");
  EXPECT_EQ(parsed.graph().initializer(0).raw_data().size(), 1u);
  EXPECT_EQ(parsed.graph().node(0).op_type(), "Add");

  // Below the threshold nothing changes, byte for byte.
  auto untouched = slim_model(bytes, /*threshold=*/1 << 20);
  ASSERT_TRUE(untouched.ok());
  EXPECT_EQ(untouched->bytes, bytes);
  EXPECT_TRUE(untouched->stripped_bytes.empty());
}

TEST(SlimModelTest, MalformedBytesAreInvalidArgument) {
  const std::string bytes = model_with_raw_weight(1000, 1000);
  auto truncated = slim_model(std::string_view(bytes).substr(0, bytes.size() - 100), 1024);
  EXPECT_EQ(truncated.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(truncated.status().message().find("not an ONNX model"), std::string::npos);
}

TEST(SlimModelTest, ImportChecksTheSizeOfACutPayload) {
  ImportOptions options;
  options.max_loaded_constant_bytes = 1024;
  auto good = import_onnx(model_with_raw_weight(1000, 1000), options);
  ASSERT_TRUE(good.ok()) << good.status().to_string();
  EXPECT_FALSE(good->graph->find_value("w")->constant()->has_data());
  auto bad = import_onnx(model_with_raw_weight(1000, 999), options);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("holds 3996 bytes"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace ramiel::frontend
