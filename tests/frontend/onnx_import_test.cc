#include "core/frontend/onnx_import.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/ir/printer.h"
#include "core/ir/verifier.h"
#include "tests/frontend/model_builder.h"

namespace ramiel::frontend {
namespace {

using testing::ModelBuilder;

// x[N,4] -> Relu -> Add(w) -> y
ModelBuilder relu_add_model(int opset = 13) {
  ModelBuilder m(opset);
  m.input("x", {-1, 4}).output("y", {-1, 4}).initializer("w", {1, 4}, {1, 2, 3, 4});
  m.node("Relu", {"x"}, {"a"}, "relu");
  m.node("Add", {"a", "w"}, {"y"}, "add");
  return m;
}

TEST(OnnxImportTest, ImportsNodesValuesAndInferredShapes) {
  auto result = import_onnx(relu_add_model().bytes(), {});
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const ir::Graph& g = *result->graph;
  EXPECT_TRUE(ir::verify_graph(g).ok());
  EXPECT_EQ(g.opset, 13);
  EXPECT_EQ(g.name, "test_graph");
  EXPECT_EQ(print_graph(g),
            "graph \"test_graph\" (opset 13) {\n"
            "  input %x: float32[1x4]\n"
            "  const %w: float32[1x4] (model)\n"
            "  %a = Relu(%x) : float32[1x4]  # relu\n"
            "  %y = Add(%a, %w) : float32[1x4]  # add\n"
            "  output %y\n"
            "}\n");
  ASSERT_EQ(result->warnings.size(), 1u);  // the symbolic batch dim became 1
  EXPECT_NE(result->warnings[0].find("'N' bound to 1"), std::string::npos);
  EXPECT_EQ(g.find_value("w")->constant()->to_double(), (std::vector<double>{1, 2, 3, 4}));
}

TEST(OnnxImportTest, SequencesAndOptionalsKeepTheirKindAndElementType) {
  ModelBuilder m(16);
  auto* input = m.proto().mutable_graph()->add_input();
  input->set_name("s");
  auto* element = input->mutable_type()->mutable_sequence_type()->mutable_elem_type();
  element->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  element->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(3);
  m.output("n", {});
  m.proto()
      .mutable_graph()
      ->mutable_output(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->set_elem_type(onnx::TensorProto::INT64);
  m.node("SequenceLength", {"s"}, {"n"}, "length");
  m.node("Optional", {"s"}, {"maybe"}, "optional");
  auto result = import_onnx(m.bytes(), {});
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const ir::Graph& g = *result->graph;
  EXPECT_EQ(g.find_value("s")->type().to_string(), "sequence<float32[3]>");
  EXPECT_EQ(g.find_value("maybe")->type().to_string(), "optional<sequence<float32[3]>>");
  EXPECT_EQ(g.find_value("n")->type().to_string(), "int64[scalar]");

  // --input-shape binds tensors only.
  ImportOptions options;
  options.input_shapes["s"] = {3};
  auto bound = import_onnx(m.bytes(), options);
  ASSERT_FALSE(bound.ok());
  EXPECT_NE(bound.status().message().find("'s', which is not a tensor"), std::string::npos)
      << bound.status().to_string();
}

TEST(OnnxImportTest, ACheckedModelBuildsIndependentGraphsWithItsWarnings) {
  ImportOptions options;
  options.max_loaded_constant_bytes = 8;  // w (16 bytes) stays in the file, as in a real model
  auto checked = check_onnx(relu_add_model().bytes(), options);
  ASSERT_TRUE(checked.ok()) << checked.status().to_string();
  auto first = checked->build();
  auto second = checked->build();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->graph.get(), second->graph.get());
  EXPECT_EQ(print_graph(*first->graph), print_graph(*second->graph));
  EXPECT_FALSE(first->graph->find_value("w")->constant()->has_data());
  for (const auto* built : {&*first, &*second}) {
    ASSERT_EQ(built->warnings.size(), 1u);  // each says the batch dim was bound
    EXPECT_NE(built->warnings[0].find("'N' bound to 1"), std::string::npos);
  }
  // A model that fails its checks never becomes a CheckedModel.
  EXPECT_EQ(check_onnx("not a model", options).status().code(), StatusCode::kInvalidArgument);
}

TEST(OnnxImportTest, InputShapesBindSymbolicDims) {
  ImportOptions options;
  options.input_shapes["x"] = {3, 4};
  auto result = import_onnx(relu_add_model().bytes(), options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_TRUE(result->warnings.empty());
  EXPECT_EQ(result->graph->find_value("y")->type().shape, (ir::Shape{3, 4}));
}

TEST(OnnxImportTest, BadInputShapesAreClearErrors) {
  ImportOptions wrong_name;
  wrong_name.input_shapes["z"] = {1, 4};
  auto r1 = import_onnx(relu_add_model().bytes(), wrong_name);
  EXPECT_EQ(r1.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r1.status().message().find("'z', which is not a graph input (inputs: x)"),
            std::string::npos);

  ImportOptions wrong_rank;
  wrong_rank.input_shapes["x"] = {1, 4, 4};
  EXPECT_NE(import_onnx(relu_add_model().bytes(), wrong_rank).status().message().find("rank 2"),
            std::string::npos);

  ImportOptions conflicting;
  conflicting.input_shapes["x"] = {1, 5};
  EXPECT_EQ(import_onnx(relu_add_model().bytes(), conflicting).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(OnnxImportTest, NonBatchSymbolicDimNeedsABinding) {
  ModelBuilder m;
  m.input("x", {1, -1}).output("y", {1, -1});
  m.node("Relu", {"x"}, {"y"});
  auto result = import_onnx(m.bytes(), {});
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("symbolic dimension 'N' at position 1"),
            std::string::npos)
      << result.status().message();
}

TEST(OnnxImportTest, GarbageAndTruncatedBytesAreInvalidArgument) {
  EXPECT_EQ(import_onnx("", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(import_onnx("this is not an onnx model at all", {}).status().code(),
            StatusCode::kInvalidArgument);
  std::string bytes = relu_add_model().bytes();
  for (size_t cut : {bytes.size() / 3, bytes.size() / 2, bytes.size() - 5}) {
    auto result = import_onnx(std::string_view(bytes).substr(0, cut), {});
    EXPECT_FALSE(result.ok()) << "cut at " << cut;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().to_string();
  }
}

TEST(OnnxImportTest, UnsupportedOpsetsDomainsAndOpsNameTheProblem) {
  auto newer = import_onnx(relu_add_model(18).bytes(), {});
  EXPECT_EQ(newer.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(newer.status().message().find("opset 18"), std::string::npos);

  ModelBuilder custom;
  custom.input("x", {1, 4}).output("y", {1, 4});
  auto& node = custom.node("FusedGelu", {"x"}, {"y"}, "gelu0");
  node.set_domain("com.microsoft");
  auto r = import_onnx(custom.bytes(), {});
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(r.status().message().find("node 'gelu0' (FusedGelu, com.microsoft"), std::string::npos)
      << r.status().message();
}

// Adds the GRAPH attribute `name` to `node`: a body whose one output, `name`_out, is a float
// tensor of `dims`; the caller adds the body's nodes.
onnx::GraphProto* add_body(onnx::NodeProto& node, const std::string& name,
                           const std::vector<int64_t>& dims) {
  auto* attr = node.add_attribute();
  attr->set_name(name);
  attr->set_type(onnx::AttributeProto::GRAPH);
  auto* g = attr->mutable_g();
  g->set_name(name);
  auto* out = g->add_output();
  out->set_name(name + "_out");
  out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) {
    out->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  }
  return g;
}

// An If whose branches read the outer x: each body gets x as its one input, and the node gets
// it as a captured input after its condition (ir::Node::subgraphs).
TEST(OnnxImportTest, ControlFlowBodiesCaptureOuterValuesAsInputs) {
  ModelBuilder m;
  m.input("c", {}, onnx::TensorProto::BOOL).input("x", {1}).output("y", {1});
  auto& node = m.node("If", {"c"}, {"y"}, "branch");
  for (const char* name : {"then_branch", "else_branch"}) {
    onnx::GraphProto* g = add_body(node, name, {1});
    auto* body_node = g->add_node();
    body_node->set_op_type(std::string(name) == "then_branch" ? "Neg" : "Abs");
    body_node->add_input("x");
    body_node->add_output(std::string(name) + "_out");
  }
  auto r = import_onnx(m.bytes(), {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const ir::Node* branch = r->graph->find_node("branch");
  ASSERT_NE(branch, nullptr);
  ASSERT_EQ(branch->num_inputs(), 2u);
  EXPECT_EQ(branch->num_captures(), 1u);
  EXPECT_EQ(branch->num_operands(), 1u);
  EXPECT_EQ(branch->input(1), r->graph->find_value("x"));
  for (const char* name : {"then_branch", "else_branch"}) {
    const ir::Graph* body = branch->subgraph(name);
    ASSERT_NE(body, nullptr) << name;
    ASSERT_EQ(body->inputs().size(), 1u);
    EXPECT_EQ(body->inputs()[0]->name(), "x");
    EXPECT_EQ(body->inputs()[0]->type().shape, (ir::Shape{1}));
    EXPECT_EQ(body->num_nodes(), 1u);
  }
  EXPECT_TRUE(ir::verify_graph(*r->graph).ok());
}

// A body reading a weight captures it (the program reads it from the model file); a small
// integer constant (axes) is copied into the body, so emitters and folding see its contents.
TEST(OnnxImportTest, BodiesCaptureWeightsAndCopySmallIntegerConstants) {
  ModelBuilder m;
  m.input("c", {}, onnx::TensorProto::BOOL).input("x", {1, 2}).output("y", {1, 2});
  m.initializer("W", {2, 2}, {1, 2, 3, 4}).int_initializer("axes", {0});
  auto& node = m.node("If", {"c"}, {"y"}, "branch");
  for (const char* name : {"then_branch", "else_branch"}) {
    onnx::GraphProto* g = add_body(node, name, {1, 2});
    auto* matmul = g->add_node();
    matmul->set_op_type("MatMul");
    matmul->add_input("x");
    matmul->add_input("W");
    matmul->add_output(std::string(name) + "_m");
    auto* sum = g->add_node();
    sum->set_op_type("ReduceSum");
    sum->add_input(std::string(name) + "_m");
    sum->add_input("axes");
    sum->add_output(std::string(name) + "_out");
  }
  auto r = import_onnx(m.bytes(), {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const ir::Node* branch = r->graph->find_node("branch");
  ASSERT_NE(branch, nullptr);
  ASSERT_EQ(branch->num_captures(), 2u);
  EXPECT_EQ(branch->input(1)->name(), "x");
  EXPECT_EQ(branch->input(2)->name(), "W");
  const ir::Graph& body = *branch->subgraph("then_branch");
  const ir::Value* axes = body.find_value("axes");
  ASSERT_NE(axes, nullptr);
  ASSERT_TRUE(axes->is_constant());
  EXPECT_EQ(axes->constant()->to_int64(), std::vector<int64_t>{0});
  EXPECT_FALSE(body.find_value("W")->is_constant());
}

// A node that takes no subgraph is refused when it has one, naming the node.
TEST(OnnxImportTest, SubgraphOnAnOrdinaryOpIsRefusedNamingTheNode) {
  ModelBuilder m;
  m.input("x", {1}).output("y", {1});
  auto& node = m.node("Relu", {"x"}, {"y"}, "relu0");
  auto* attr = node.add_attribute();
  attr->set_name("body");
  attr->set_type(onnx::AttributeProto::GRAPH);
  attr->mutable_g()->set_name("g");
  auto r = import_onnx(m.bytes(), {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("relu0"), std::string::npos) << r.status().message();
}

TEST(OnnxImportTest, ConstantNodesBecomeConstantsAndOmittedInputsAreNull) {
  ModelBuilder m;
  m.input("x", {1, 4}).output("y", {1, 4});
  auto& c = m.node("Constant", {}, {"lo"});
  auto* attr = c.add_attribute();
  attr->set_name("value_float");
  attr->set_type(onnx::AttributeProto::FLOAT);
  attr->set_f(0.5f);
  m.node("Clip", {"x", "lo", ""}, {"y"}, "clip");
  m.node("Identity", {"x"}, {"unused"}, "");
  auto result = import_onnx(m.bytes(), {});
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const ir::Graph& g = *result->graph;
  const ir::Value* lo = g.find_value("lo");
  ASSERT_NE(lo, nullptr);
  EXPECT_TRUE(lo->is_constant());
  EXPECT_EQ(lo->constant()->to_double(), (std::vector<double>{0.5}));
  const ir::Node* clip = g.find_node("clip");
  EXPECT_EQ(clip->num_inputs(), 2u);              // the trailing omitted input is dropped
  EXPECT_NE(g.find_node("Identity_2"), nullptr);  // unnamed nodes get op_index names
}

TEST(OnnxImportTest, LargeInitializersStayInTheModelFile) {
  ModelBuilder m;
  m.input("x", {1, 100}).output("y", {1, 100});
  m.initializer("big", {1, 100}, std::vector<float>(100, 1.0f));
  m.node("Add", {"x", "big"}, {"y"});
  ImportOptions options;
  options.max_loaded_constant_bytes = 128;
  auto result = import_onnx(m.bytes(), options);
  ASSERT_TRUE(result.ok());
  const ir::Tensor* big = result->graph->find_value("big")->constant();
  EXPECT_FALSE(big->has_data());
  EXPECT_EQ(big->shape(), (ir::Shape{1, 100}));
}

class ExternalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ramiel_external_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "model");
    std::ofstream(dir_ / "model" / "weights.bin", std::ios::binary)
        .write("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
    std::ofstream(dir_ / "secret.bin", std::ios::binary)
        .write("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string model_with_location(const std::string& location) {
    ModelBuilder m;
    m.input("x", {1, 4}).output("y", {1, 4});
    auto* t = m.proto().mutable_graph()->add_initializer();
    t->set_name("w");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(1);
    t->add_dims(4);
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* entry = t->add_external_data();
    entry->set_key("location");
    entry->set_value(location);
    m.node("Add", {"x", "w"}, {"y"});
    return m.bytes();
  }

  std::filesystem::path dir_;
};

TEST_F(ExternalDataTest, AcceptedOnlyInsideTheModelDirectory) {
  ImportOptions options;
  options.model_dir = dir_ / "model";
  auto ok = import_onnx(model_with_location("weights.bin"), options);
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_FALSE(ok->graph->find_value("w")->constant()->has_data());

  for (const std::string& bad :
       {std::string("../secret.bin"), (dir_ / "secret.bin").string(), std::string("missing.bin")}) {
    auto r = import_onnx(model_with_location(bad), options);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  std::filesystem::create_symlink(dir_ / "secret.bin", dir_ / "model" / "link.bin");
  auto link = import_onnx(model_with_location("link.bin"), options);
  EXPECT_NE(link.status().message().find("outside the model's directory"), std::string::npos)
      << link.status().message();
  // Without a directory (an upload), external data is refused outright.
  EXPECT_EQ(import_onnx(model_with_location("weights.bin"), {}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ExternalDataTest, UploadsGetTheSameAnswerWhetherOrNotThePathExists) {
  // Without a directory (the server's case) no file is looked at, and nothing in the message
  // tells whether one exists.
  const auto exists = import_onnx(model_with_location("../secret.bin"), {});
  const auto missing = import_onnx(model_with_location("../no-such-file.bin"), {});
  ASSERT_EQ(exists.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(exists.status().message(), missing.status().message());
  EXPECT_EQ(exists.status().message().find("secret"), std::string::npos);
}

TEST_F(ExternalDataTest, RefusedInsideSubgraphsBeforeTheOnnxChecker) {
  // An If whose then-branch holds an external initializer: the walk finds it in the subgraph.
  ModelBuilder m;
  m.input("x", {1, 4}).input("c", {}, onnx::TensorProto::BOOL).output("y", {1, 4});
  auto& node = m.node("If", {"c"}, {"y"}, "if");
  onnx::ModelProto branch_model;
  branch_model.ParseFromString(model_with_location("../secret.bin"));
  for (const char* name : {"then_branch", "else_branch"}) {
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::GRAPH);
    *a->mutable_g() = branch_model.graph();
  }
  const auto result = import_onnx(m.bytes(), {});
  ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("tensor 'w' stores its data outside the model"),
            std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace ramiel::frontend
