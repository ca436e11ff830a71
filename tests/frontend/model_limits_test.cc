// Every limit of ir::ModelLimits crossed by a small model (with the limit set low), the
// overflow and size checks of tensors, function recursion, and the order of the checks: all run
// before any ONNX library code sees the model.
#include <gtest/gtest.h>

#include "core/frontend/onnx_import.h"
#include "core/frontend/tensor_proto.h"
#include "model_builder.h"

namespace ramiel::frontend {
namespace {

using testing::ModelBuilder;

// A valid x -> Relu -> y model to start from.
ModelBuilder relu_model() {
  ModelBuilder m;
  m.input("x", {1, 4}).output("y", {1, 4});
  m.node("Relu", {"x"}, {"y"}, "relu");
  return m;
}

StatusOr<ImportResult> import_with(const ModelBuilder& m, const ir::ModelLimits& limits) {
  ImportOptions options;
  options.limits = limits;
  return import_onnx(m.bytes(), options);
}

// The import fails with INVALID_ARGUMENT and a message that contains `text`.
void expect_refused(const StatusOr<ImportResult>& result, const std::string& text) {
  ASSERT_FALSE(result.ok()) << "expected a refusal naming " << text;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().message();
  EXPECT_NE(result.status().message().find(text), std::string::npos) << result.status().message();
  EXPECT_LE(result.status().message().size(), kMaxStatusMessageBytes);
}

onnx::TensorProto* add_raw_initializer(ModelBuilder& m, const std::string& name,
                                       std::vector<int64_t> dims, size_t raw_bytes) {
  auto* t = m.proto().mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(std::string(raw_bytes, '\0'));
  return t;
}

TEST(ModelLimitsTest, AValidModelPassesEveryLimit) {
  ASSERT_TRUE(import_with(relu_model(), {}).ok());
}

TEST(ModelLimitsTest, DimsWhoseProductOverflowsAreRefusedNotWrapped) {
  // 3 * 6148914691236517206 = 2^64 + 2: a wrapping product would accept 8 bytes of data.
  ModelBuilder m;
  m.input("x", {1, 4}).output("y", {1, 4});
  add_raw_initializer(m, "w", {3, 6148914691236517206}, 8);
  m.node("Relu", {"x"}, {"y"});
  expect_refused(import_with(m, {}), "max_tensor_elements=17179869184");
}

TEST(ModelLimitsTest, TensorElementsOverTheLimit) {
  ModelBuilder m = relu_model();
  add_raw_initializer(m, "w", {10, 10}, 400);
  ir::ModelLimits limits;
  limits.max_tensor_elements = 100;
  EXPECT_TRUE(import_with(m, limits).ok());
  limits.max_tensor_elements = 99;
  expect_refused(import_with(m, limits), "max_tensor_elements=99");
}

TEST(ModelLimitsTest, TensorRankOverTheLimit) {
  ModelBuilder m = relu_model();
  add_raw_initializer(m, "w", {1, 1, 1}, 4);
  ir::ModelLimits limits;
  limits.max_tensor_rank = 3;
  EXPECT_TRUE(import_with(m, limits).ok());
  limits.max_tensor_rank = 2;
  expect_refused(import_with(m, limits), "has 3 dims, over the limit max_tensor_rank=2");
  // Declared shapes count too (here the graph output of an Unsqueeze to rank 3).
  ModelBuilder u;
  u.input("x", {1, 4}).output("y", {-1, -1, -1});
  ModelBuilder::ints_attr(u.node("Unsqueeze", {"x"}, {"y"}), "axes", {0});
  u.proto().mutable_opset_import(0)->set_version(11);
  expect_refused(import_with(u, limits), "value 'y' has 3 dims, over the limit max_tensor_rank=2");
}

TEST(ModelLimitsTest, InferredShapesOverTheLimitAreRefused) {
  // Expand's output shape comes from a constant; shape inference finds 2^40 x 4 elements.
  ModelBuilder m;
  m.input("x", {1, 4}).output("y", {-1, 4});
  m.int_initializer("shape", {int64_t{1} << 40, 4});
  m.node("Expand", {"x", "shape"}, {"y"}, "expand");
  expect_refused(import_with(m, {}), "value 'y' of shape 1099511627776x4 has more elements");
}

TEST(ModelLimitsTest, RawDataMustMatchTheTypeWhateverItsSize) {
  for (auto [dims, bytes] : {std::pair<std::vector<int64_t>, size_t>{{1000, 1000}, 16},
                             {{1000, 1000, 1000}, 4},
                             {{1, 4}, 100}}) {
    ModelBuilder m = relu_model();
    add_raw_initializer(m, "w", dims, bytes);
    expect_refused(import_with(m, {}), "holds " + std::to_string(bytes) + " bytes");
  }
}

TEST(ModelLimitsTest, TypedFieldCountsMustMatchTheType) {
  ModelBuilder m = relu_model();
  m.initializer("w", {1000, 4}, {1.0f, 2.0f, 3.0f});
  expect_refused(import_with(m, {}),
                 "holds 3 values in float_data, but its type float32[1000x4] needs 4000");
}

TEST(ModelLimitsTest, NegativeDimsAreRefused) {
  ModelBuilder m = relu_model();
  add_raw_initializer(m, "w", {-4, 1}, 16);
  expect_refused(import_with(m, {}), "negative dimension (-4)");
}

TEST(ModelLimitsTest, NodesInAllGraphsCount) {
  ModelBuilder m;
  m.input("x", {1, 4}).output("y", {1, 4});
  m.node("Relu", {"x"}, {"a"});
  m.node("Relu", {"a"}, {"b"});
  m.node("Relu", {"b"}, {"y"});
  ir::ModelLimits limits;
  limits.max_nodes = 3;
  EXPECT_TRUE(import_with(m, limits).ok());
  limits.max_nodes = 2;
  expect_refused(import_with(m, limits), "max_nodes=2");
}

TEST(ModelLimitsTest, NodeInputsAndOutputs) {
  ModelBuilder m;
  m.input("x", {1, 4}).output("y", {1, 4});
  m.node("Sum", {"x", "x", "x"}, {"y"}, "sum");
  ir::ModelLimits limits;
  limits.max_node_inputs = 2;
  expect_refused(import_with(m, limits),
                 "node 'sum' (Sum) has 3 inputs, over the limit max_node_inputs=2");

  ModelBuilder split;
  split.input("x", {1, 4}).output("a", {1, 2});
  ModelBuilder::int_attr(split.node("Split", {"x"}, {"a", "b"}, "split"), "axis", 1);
  limits = {};
  limits.max_node_outputs = 1;
  expect_refused(import_with(split, limits), "max_node_outputs=1");
}

TEST(ModelLimitsTest, NamesStringsAndAttributes) {
  ir::ModelLimits limits;
  limits.max_name_bytes = 12;  // the graph is "test_graph"
  ModelBuilder named;
  named.input("x", {1, 4}).output("y", {1, 4});
  named.node("Relu", {"x"}, {"y"}, "a_long_node_name");
  expect_refused(import_with(named, limits),
                 "(node) is 16 bytes long, over the limit max_name_bytes=12");

  ModelBuilder text = relu_model();
  auto* s = text.proto().mutable_graph()->mutable_node(0)->add_attribute();
  s->set_name("note");
  s->set_type(onnx::AttributeProto::STRING);
  s->set_s(std::string(50 << 20, 'A'));  // the 50 MiB string
  expect_refused(import_with(text, {}),
                 "is a string of 52428800 bytes, over the limit max_string_bytes=65536");

  ModelBuilder list = relu_model();
  ModelBuilder::ints_attr(*list.proto().mutable_graph()->mutable_node(0), "many", {1, 2, 3});
  limits = {};
  limits.max_attribute_bytes = 16;
  expect_refused(import_with(list, limits),
                 "holds 24 bytes, over the limit max_attribute_bytes=16");
}

// If nodes nested `depth` levels below the main graph.
ModelBuilder nested_ifs(int depth) {
  ModelBuilder m;
  m.input("x", {1, 4}).input("cond", {}, onnx::TensorProto::BOOL).output("y", {1, 4});
  onnx::GraphProto inner;
  inner.set_name("leaf");
  auto* id = inner.add_node();
  id->set_op_type("Identity");
  id->add_input("x");
  id->add_output("v");
  inner.add_output()->set_name("v");
  for (int level = 0; level < depth; ++level) {
    onnx::GraphProto outer;
    outer.set_name("level");
    auto* node = outer.add_node();
    node->set_op_type("If");
    node->add_input("cond");
    node->add_output("v");
    for (const char* branch : {"then_branch", "else_branch"}) {
      auto* a = node->add_attribute();
      a->set_name(branch);
      a->set_type(onnx::AttributeProto::GRAPH);
      *a->mutable_g() = inner;
    }
    outer.add_output()->set_name("v");
    inner = outer;
  }
  *m.proto().mutable_graph()->add_node() = inner.node(0);
  m.proto().mutable_graph()->mutable_node(0)->set_output(0, "y");
  return m;
}

TEST(ModelLimitsTest, SubgraphNesting) {
  ir::ModelLimits limits;
  limits.max_graph_depth = 3;
  // Within the limit the model imports, every level capturing x and cond from the one above.
  auto within = import_with(nested_ifs(3), limits);
  ASSERT_TRUE(within.ok()) << within.status().to_string();
  EXPECT_EQ(within->graph->nesting_depth(), 3);
  EXPECT_EQ(within->graph->num_nodes_nested(), 1u + 2 + 4 + 8);
  expect_refused(import_with(nested_ifs(4), limits), "max_graph_depth=3");
}

// A model whose main graph calls local.f0, and f_i calls f_{i+1}; the last calls `last_calls`.
ModelBuilder function_chain(int length, const std::string& last_calls) {
  ModelBuilder m;
  m.proto().set_ir_version(8);
  auto* local = m.proto().add_opset_import();
  local->set_domain("local");
  local->set_version(1);
  m.input("x", {1, 4}).output("y", {1, 4});
  m.node("f0", {"x"}, {"y"}).set_domain("local");
  for (int i = 0; i < length; ++i) {
    auto* f = m.proto().add_functions();
    f->set_name("f" + std::to_string(i));
    f->set_domain("local");
    f->add_input("a");
    f->add_output("b");
    auto* n = f->add_node();
    n->add_input("a");
    n->add_output("b");
    const bool last = i + 1 == length;
    n->set_op_type(last ? last_calls : "f" + std::to_string(i + 1));
    n->set_domain(last && last_calls == "Relu" ? "" : "local");
    auto* opset = f->add_opset_import();
    opset->set_version(13);
  }
  return m;
}

TEST(ModelLimitsTest, FunctionRecursionAndDepth) {
  expect_refused(import_with(function_chain(1, "f0"), {}), "'local.f0' calls itself");
  expect_refused(import_with(function_chain(3, "f0"), {}), "calls itself");
  ir::ModelLimits limits;
  limits.max_function_depth = 3;
  // Within the limit, the refusal is Ramiel's own (functions in a custom domain).
  EXPECT_EQ(import_with(function_chain(3, "Relu"), limits).status().code(),
            StatusCode::kUnimplemented);
  expect_refused(import_with(function_chain(4, "Relu"), limits), "max_function_depth=3");
}

TEST(ModelLimitsTest, OwnChecksRunBeforeOnnxCode) {
  // An unknown op in opset 1 makes ONNX's version converter fail; a limit found first wins.
  ModelBuilder m(/*opset=*/1);
  m.input("x", {1, 4}).output("y", {1, 4});
  m.node("NoSuchOp", {"x"}, {"y"});
  add_raw_initializer(m, "w", {1000, 1000}, 16);
  expect_refused(import_with(m, {}), "holds 16 bytes");
}

TEST(TensorProtoTest, LargeTensorsAreCheckedBeforeTheyStayInTheModelFile) {
  onnx::TensorProto t;
  t.set_name("big");
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(1000);
  t.add_dims(1000);
  t.set_raw_data(std::string(16, '\0'));
  // Over max_loaded_bytes, so the data is not loaded, but it is still checked.
  EXPECT_EQ(tensor_from_proto(t, 1024).status().code(), StatusCode::kInvalidArgument);
  t.set_raw_data(std::string(4000000, '\0'));
  auto ok = tensor_from_proto(t, 1024);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_FALSE(ok->has_data());
}

}  // namespace
}  // namespace ramiel::frontend
