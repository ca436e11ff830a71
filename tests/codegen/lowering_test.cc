// The program's shape: hand-offs, releases, tables, names, determinism and refusals.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "core/codegen/codegen.h"
#include "core/ir/verifier.h"
#include "tests/codegen/emit_test_util.h"
#include "tests/codegen/scheduled_graph.h"
#include "tests/ir/control_flow_graphs.h"

namespace ramiel::codegen::testing {
namespace {

using ir::OpKind;

// y = relu(x) + sigmoid(x): two branches that meet in an Add.
std::unique_ptr<ir::Graph> branches() {
  auto g = std::make_unique<ir::Graph>();
  g->name = "branches";
  g->opset = 13;
  ir::Value* x = g->add_input("x", f32({1, 4}));
  ir::Node* relu = g->add_node(OpKind::Relu, "relu", {x}, {{"a", f32({1, 4})}});
  ir::Node* sig = g->add_node(OpKind::Sigmoid, "sigmoid", {x}, {{"b", f32({1, 4})}});
  ir::Node* add =
      g->add_node(OpKind::Add, "add", {relu->output(0), sig->output(0)}, {{"y", f32({1, 4})}});
  g->set_outputs({add->output(0)});
  return g;
}

std::string generate(const ScheduledGraph& s) {
  auto files = generate_python(s.input());
  EXPECT_TRUE(files.ok()) << files.status().to_string();
  if (!files.ok()) return "";
  EXPECT_EQ(files->size(), 2u);
  EXPECT_EQ(files->count("ramiel_runtime.py"), 1u);
  return files->at("model.py");
}

// The text of a function: from its def line to the next blank line.
std::string function_text(const std::string& program, const std::string& name) {
  size_t start = program.find("def " + name + "(");
  if (start == std::string::npos) return "";
  size_t end = program.find("\n\n", start);
  return program.substr(start, end - start + 1);
}

TEST(LoweringTest, ClustersReceiveBeforeUseSendAfterProductionAndRelease) {
  auto s = schedule_by_name(branches(), {{"relu", "add"}, {"sigmoid"}});
  ASSERT_TRUE(s.ok());
  std::string program = generate(*s);
  EXPECT_EQ(function_text(program, "cluster_0"),
            "def cluster_0(c, io):\n"
            "    \"\"\"Cluster 0: 2 nodes, predicted 20.0 us.\"\"\"\n"
            "    x = io.recv(\"x\")\n"
            "    a = F.relu(x)\n"
            "    del x\n"
            "    b = io.recv(\"b\")\n"
            "    y = a.add_(b)\n"
            "    del a, b\n"
            "    io.send(\"y\", y)\n"
            "    del y\n");
  EXPECT_EQ(function_text(program, "cluster_1"),
            "def cluster_1(c, io):\n"
            "    \"\"\"Cluster 1: 1 nodes, predicted 10.0 us.\"\"\"\n"
            "    x = io.recv(\"x\")\n"
            "    b = torch.sigmoid(x)\n"
            "    del x\n"
            "    io.send(\"b\", b)\n"
            "    del b\n");
  // The serial function has every node, in graph order, and hands off only inputs and outputs.
  EXPECT_EQ(function_text(program, "run_serial"),
            "def run_serial(c, io):\n"
            "    \"\"\"The whole graph in one function, nodes in graph order: what workers=1 "
            "runs.\"\"\"\n"
            "    x = io.recv(\"x\")\n"
            "    a = F.relu(x)\n"
            "    b = torch.sigmoid(x)\n"
            "    del x\n"
            "    y = a.add_(b)\n"
            "    del a, b\n"
            "    io.send(\"y\", y)\n"
            "    del y\n");
  EXPECT_NE(program.find("CLUSTERS = (\n    (cluster_0, 20.0, (\"x\", \"b\"), (\"y\",)),\n"
                         "    (cluster_1, 10.0, (\"x\",), (\"b\",)),\n)"),
            std::string::npos);
  EXPECT_NE(program.find("INPUTS = ((\"x\", \"x\", torch.float32, (1, 4)),)"), std::string::npos);
  EXPECT_NE(program.find("OUTPUTS = ((\"y\", \"y\", torch.float32, (1, 4)),)"), std::string::npos);
}

TEST(LoweringTest, NodeLinesPointAtTheNodesStatements) {
  auto s = schedule_by_name(branches(), {{"relu", "add"}, {"sigmoid"}});
  ASSERT_TRUE(s.ok());
  std::string program = generate(*s);
  std::vector<std::string> lines;
  std::istringstream in(program);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  // NODE_LINES = {LINE: (node, op), ...}: each node's statements start at its line.
  const auto check = [&](const std::string& entry, const std::string& statement) {
    std::smatch match;
    ASSERT_TRUE(std::regex_search(program, match, std::regex("(\\d+): \\(" + entry + "\\)")))
        << entry;
    int number = std::stoi(match[1]);
    ASSERT_LE(number, static_cast<int>(lines.size()));
    EXPECT_NE(lines[static_cast<size_t>(number - 1)].find(statement), std::string::npos)
        << entry << " -> line " << number << ": " << lines[static_cast<size_t>(number - 1)];
  };
  check("\"relu\", \"Relu\"", "a = F.relu(x)");
  check("\"sigmoid\", \"Sigmoid\"", "b = torch.sigmoid(x)");
  check("\"add\", \"Add\"", "y = a.add_(b)");
  check("\"recv b\", \"recv\"", "b = io.recv(\"b\")");
  check("\"send y\", \"send\"", "io.send(\"y\", y)");
}

TEST(LoweringTest, InPlaceOnlyOnTensorsNoOtherWorkerOrReaderSees) {
  // relu's output is read by the add on the same worker: the add may overwrite it. sigmoid's
  // crosses workers: never overwritten, neither by the add nor anywhere else.
  auto s = schedule_by_name(branches(), {{"relu", "add"}, {"sigmoid"}});
  ASSERT_TRUE(s.ok());
  std::string program = generate(*s);
  EXPECT_NE(function_text(program, "cluster_0").find("y = a.add_(b)\n"), std::string::npos);
  auto other = schedule_by_name(branches(), {{"sigmoid", "add"}, {"relu"}});
  ASSERT_TRUE(other.ok());
  // Now b is local and a crosses: the add overwrites b instead (addition commutes).
  EXPECT_NE(function_text(generate(*other), "cluster_0").find("y = b.add_(a)\n"),
            std::string::npos);
  auto apart = schedule_by_name(branches(), {{"add"}, {"relu"}, {"sigmoid"}});
  ASSERT_TRUE(apart.ok());
  EXPECT_NE(function_text(generate(*apart), "cluster_0").find("y = a + b\n"), std::string::npos);
}

// x -> conv -> relu -> global average pool -> flatten -> gemm, on two workers.
std::unique_ptr<ir::Graph> conv_net() {
  auto g = std::make_unique<ir::Graph>();
  g->name = "convnet";
  g->opset = 13;
  ir::Value* x = g->add_input("x", f32({1, 3, 8, 8}));
  ir::Value* w =
      g->add_constant("conv.weight", ir::Tensor::without_data(ir::DType::kFloat32, {4, 3, 3, 3}),
                      ir::ConstantOrigin::kModel);
  ir::Value* fc =
      g->add_constant("fc.weight", ir::Tensor::without_data(ir::DType::kFloat32, {2, 4}),
                      ir::ConstantOrigin::kModel);
  ir::Attributes pads;
  pads.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  ir::Node* conv =
      g->add_node(OpKind::Conv, "conv", {x, w}, {{"a", f32({1, 4, 8, 8})}}, std::move(pads));
  ir::Node* relu = g->add_node(OpKind::Relu, "relu", {conv->output(0)}, {{"r", f32({1, 4, 8, 8})}});
  ir::Node* gap =
      g->add_node(OpKind::GlobalAveragePool, "gap", {relu->output(0)}, {{"g", f32({1, 4, 1, 1})}});
  ir::Node* flat = g->add_node(OpKind::Flatten, "flat", {gap->output(0)}, {{"f", f32({1, 4})}});
  ir::Attributes trans;
  trans.set("transB", int64_t{1});
  ir::Node* gemm = g->add_node(OpKind::Gemm, "fc", {flat->output(0), fc}, {{"y", f32({1, 2})}},
                               std::move(trans));
  g->set_outputs({gemm->output(0)});
  return g;
}

TEST(LoweringTest, ConvNetsConvertOnceAtTheEntryAndLoadWeightsChannelsLast) {
  auto s = schedule_by_name(conv_net(), {{"conv", "relu"}, {"gap", "flat", "fc"}});
  ASSERT_TRUE(s.ok());
  std::string program = generate(*s);
  EXPECT_EQ(function_text(program, "cluster_0"),
            "def cluster_0(c, io):\n"
            "    \"\"\"Cluster 0: 2 nodes, predicted 20.0 us.\"\"\"\n"
            "    x = io.recv(\"x\")\n"
            "    x = x.contiguous(memory_format=torch.channels_last)\n"
            "    a = F.conv2d(x, c.conv_weight, padding=1)\n"
            "    del x\n"
            "    r = F.relu(a, inplace=True)\n"
            "    del a\n"
            "    io.send(\"r\", r)\n"
            "    del r\n");
  EXPECT_NE(program.find("CHANNELS_LAST_CONSTANTS = (\"conv_weight\",)\n"), std::string::npos);
  // Shared buffers (process mode) take the layout the tensors arrive in.
  EXPECT_NE(program.find("    \"r\": (torch.float32, (1, 4, 8, 8), torch.channels_last),\n"),
            std::string::npos);
  EXPECT_NE(program.find("    \"x\": (torch.float32, (1, 3, 8, 8), torch.channels_last),\n"),
            std::string::npos);
  EXPECT_NE(program.find("    \"y\": (torch.float32, (1, 2), torch.contiguous_format),\n"),
            std::string::npos);
  // The entry's conversion counts as receiving the input, not as a node.
  EXPECT_NE(program.find(": (\"recv x\", \"recv\")"), std::string::npos);
}

TEST(LoweringTest, OneClusterIsAlsoTheSerialFunction) {
  auto s = schedule_by_name(branches(), {{"relu", "sigmoid", "add"}});
  ASSERT_TRUE(s.ok());
  std::string program = generate(*s);
  EXPECT_NE(function_text(program, "cluster_0"), "");
  EXPECT_EQ(function_text(program, "run_serial"), "");
  EXPECT_NE(program.find("\nrun_serial = cluster_0\n"), std::string::npos);
}

TEST(LoweringTest, ClusterThreadsTableFollowsTheSchedule) {
  auto s = schedule_by_name(conv_net(), {{"conv", "relu", "gap", "flat"}, {"fc"}});
  ASSERT_TRUE(s.ok());
  EXPECT_NE(generate(*s).find("\nCLUSTER_THREADS = ()\n"), std::string::npos);
  s->schedule.cluster_threads = {4, 1};
  std::string program = generate(*s);
  EXPECT_NE(program.find("\nCLUSTER_THREADS = (4, 1)\n"), std::string::npos);
  EXPECT_NE(program.find("#   cluster 0: 4 nodes, 40.0 us, threads 4\n"), std::string::npos);
}

TEST(LoweringTest, OutputIsDeterministic) {
  auto first = schedule_by_name(branches(), {{"relu", "add"}, {"sigmoid"}});
  auto second = schedule_by_name(branches(), {{"relu", "add"}, {"sigmoid"}});
  ASSERT_TRUE(first.ok() && second.ok());
  std::string a = generate(*first);
  EXPECT_EQ(a, generate(*first));
  EXPECT_EQ(a, generate(*second));
}

TEST(LoweringTest, HeaderDescribesModelCompilerOptionsAndSchedule) {
  auto s = schedule_by_name(branches(), {{"relu", "add"}, {"sigmoid"}});
  ASSERT_TRUE(s.ok());
  std::string program = generate(*s);
  EXPECT_EQ(program.rfind("# model.py: the parallel PyTorch program Ramiel compiled from the ONNX "
                          "model \"branches\".\n",
                          0),
            0u);
  EXPECT_NE(program.find("# Model:     sha256 " + std::string(64, '0') + "\n"), std::string::npos);
  EXPECT_NE(program.find("# Compiler:  Ramiel 0.0.0-test\n"), std::string::npos);
  EXPECT_NE(program.find("# Options:   workers=2\n"), std::string::npos);
  EXPECT_NE(
      program.find("# Schedule:  2 clusters; predicted serial 30.0 us, critical path 20.0 us, "
                   "makespan 20.0 us (1.50x)\n"),
      std::string::npos);
  EXPECT_NE(program.find("#   cluster 1: 1 nodes, 10.0 us, threads 1\n"), std::string::npos);
  EXPECT_NE(program.find("MODEL_SHA256 = \"" + std::string(64, '0') + "\""), std::string::npos);
}

TEST(LoweringTest, NamesNeverShadowKeywordsBuiltinsModulesOrTheRuntime) {
  auto g = std::make_unique<ir::Graph>();
  g->opset = 13;
  ir::Value* in = g->add_input("input", f32({2}));
  ir::Node* a = g->add_node(OpKind::Relu, "n1", {in}, {{"torch", f32({2})}});
  ir::Node* b = g->add_node(OpKind::Relu, "n2", {a->output(0)}, {{"class", f32({2})}});
  ir::Node* c = g->add_node(OpKind::Relu, "n3", {b->output(0)}, {{"load", f32({2})}});
  ir::Node* d = g->add_node(OpKind::Relu, "n4", {c->output(0)}, {{"cluster_0", f32({2})}});
  ir::Node* e = g->add_node(OpKind::Relu, "n5", {d->output(0)}, {{"onnx::Relu:7", f32({2})}});
  ir::Node* f = g->add_node(OpKind::Relu, "n6", {e->output(0)}, {{"ramiel", f32({2})}});
  ir::Node* h = g->add_node(OpKind::Relu, "n7", {f->output(0)}, {{"MODEL", f32({2})}});
  g->set_outputs({h->output(0)});
  auto s = schedule_by_name(std::move(g), {});
  ASSERT_TRUE(s.ok());
  std::string body = function_text(generate(*s), "cluster_0");
  EXPECT_NE(body.find("input_ = io.recv(\"input_\")"), std::string::npos) << body;
  EXPECT_NE(body.find("torch_ = F.relu(input_)"), std::string::npos) << body;
  EXPECT_NE(body.find("class_ = F.relu(torch_, inplace=True)"), std::string::npos) << body;
  EXPECT_NE(body.find("load_ = F.relu(class_, inplace=True)"), std::string::npos) << body;
  EXPECT_NE(body.find("cluster_0_ = F.relu(load_, inplace=True)"), std::string::npos) << body;
  EXPECT_NE(body.find("onnx_Relu_7 = F.relu(cluster_0_, inplace=True)"), std::string::npos) << body;
  EXPECT_NE(body.find("ramiel_ = F.relu(onnx_Relu_7, inplace=True)"), std::string::npos) << body;
  EXPECT_NE(body.find("MODEL_ = F.relu(ramiel_, inplace=True)"), std::string::npos) << body;
}

TEST(LoweringTest, ConstantsAreLoadedFoldedOrInlined) {
  auto g = std::make_unique<ir::Graph>();
  g->opset = 13;
  ir::Value* x = g->add_input("x", f32({2, 3}));
  ir::Value* w = g->add_constant("fc.weight", ir::Tensor::without_data(ir::DType::kFloat32, {3, 3}),
                                 ir::ConstantOrigin::kModel);
  ir::Value* shift =
      g->add_constant("shift", ir::Tensor::from_double(ir::DType::kFloat32, {3}, {1, 2, 3}),
                      ir::ConstantOrigin::kFolded);
  ir::Value* half = g->add_constant("half", ir::Tensor::from_double(ir::DType::kFloat32, {}, {0.5}),
                                    ir::ConstantOrigin::kFolded);
  std::vector<double> many(100, 0.25);
  ir::Value* big = g->add_constant("big", ir::Tensor::from_double(ir::DType::kFloat32, {100}, many),
                                   ir::ConstantOrigin::kFolded);
  g->add_constant("unused", ir::Tensor::from_double(ir::DType::kFloat32, {}, {1}),
                  ir::ConstantOrigin::kModel);
  ir::Node* mm = g->add_node(OpKind::MatMul, "mm", {x, w}, {{"h", f32({2, 3})}});
  ir::Node* add = g->add_node(OpKind::Add, "add", {mm->output(0), shift}, {{"s", f32({2, 3})}});
  ir::Node* mul = g->add_node(OpKind::Mul, "mul", {add->output(0), half}, {{"y", f32({2, 3})}});
  ir::Node* sum = g->add_node(OpKind::ReduceSum, "sum", {big}, {{"z", f32({})}}, {}, 13);
  g->set_outputs({mul->output(0), sum->output(0), shift});
  auto s = schedule_by_name(std::move(g), {});
  ASSERT_TRUE(s.ok());
  std::string program = generate(*s);
  EXPECT_NE(program.find("MODEL_CONSTANTS = {\"fc_weight\": (\"fc.weight\", torch.float32)}\n"),
            std::string::npos);
  EXPECT_NE(program.find("\"shift\": torch.tensor([1.0, 2.0, 3.0], dtype=torch.float32),"),
            std::string::npos);
  EXPECT_NE(program.find("\"big\": ramiel.tensor_from_base64(\n"), std::string::npos);
  EXPECT_NE(program.find("y = s.mul_(0.5)\n"), std::string::npos);
  EXPECT_EQ(program.find("\"half\""), std::string::npos) << "inlined constants are not loaded";
  EXPECT_EQ(program.find("unused"), std::string::npos);
  EXPECT_NE(program.find("CONSTANT_OUTPUTS = {\"c.shift\": \"shift\"}"), std::string::npos);
  // Helpers live in the runtime, which the program calls them from.
  EXPECT_EQ(program.find("def tensor_from_base64"), std::string::npos);
}

// Whether a schedule deadlocks is verify_schedule's question (tests/schedule/verify_test.cc);
// the code generator checks only that the schedule covers the graph.
TEST(LoweringTest, QuotientCyclesAreFineAndEveryNodeIsPlacedOnce) {
  // a -> b -> c with a and c on one worker, b on the other: each waits only for what it needs.
  auto chain = [] {
    auto g = std::make_unique<ir::Graph>();
    g->opset = 13;
    ir::Value* x = g->add_input("x", f32({2}));
    ir::Node* a = g->add_node(OpKind::Relu, "a", {x}, {{"va", f32({2})}});
    ir::Node* b = g->add_node(OpKind::Neg, "b", {a->output(0)}, {{"vb", f32({2})}});
    ir::Node* c = g->add_node(OpKind::Abs, "c", {b->output(0)}, {{"vc", f32({2})}});
    g->set_outputs({c->output(0)});
    return g;
  };
  auto fine = schedule_by_name(chain(), {{"a", "c"}, {"b"}});
  ASSERT_TRUE(fine.ok());
  EXPECT_TRUE(generate_python(fine->input()).ok());
  auto missing = schedule_by_name(chain(), {{"a", "b"}});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(generate_python(missing->input()).status().message(), "node 'c' is in no cluster");
  auto twice = schedule_by_name(chain(), {{"a", "b", "c"}, {"b"}});
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(generate_python(twice->input()).status().message(), "node 'b' is scheduled twice");
}

TEST(LoweringTest, UntranslatableNodesAreRefusedAtCompileTime) {
  auto g = std::make_unique<ir::Graph>();
  g->opset = 13;
  ir::Value* x = g->add_input("x", f32({1, 2, 3}));
  ir::Node* n =
      g->add_node(OpKind::StringNormalizer, "encoder/norm", {x}, {{"y", f32({})}}, {}, 14);
  g->set_outputs({n->output(0)});
  auto s = schedule_by_name(std::move(g), {});
  ASSERT_TRUE(s.ok());
  auto result = generate_python(s->input());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().to_string(),
            "UNIMPLEMENTED: node 'encoder/norm' (StringNormalizer, opset 14): Ramiel cannot "
            "translate this operator to PyTorch");
}

// `y = Identity(words)` over a string constant of the given origin, scheduled.
StatusOr<ScheduledGraph> identity_of_string_constant(ir::ConstantOrigin origin) {
  auto g = std::make_unique<ir::Graph>();
  g->opset = 13;
  ir::Value* words = g->add_constant("words", ir::Tensor::from_strings({1}, {"a"}), origin);
  ir::Node* n =
      g->add_node(OpKind::Identity, "id", {words}, {{"y", {ir::DType::kString, ir::Shape{1}}}});
  g->set_outputs({n->output(0)});
  return schedule_by_name(std::move(g), {});
}

// String tensors are numpy arrays of str: `str` in the tables, read from the model by name.
TEST(LoweringTest, StringConstantsAreReadFromTheModelAsStrArrays) {
  auto s = identity_of_string_constant(ir::ConstantOrigin::kModel);
  ASSERT_TRUE(s.ok());
  auto files = generate_python(s->input());
  ASSERT_TRUE(files.ok()) << files.status().to_string();
  const std::string& program = files->at("model.py");
  EXPECT_NE(program.find("OUTPUTS = ((\"y\", \"y\", str, (1,)),)"), std::string::npos) << program;
  EXPECT_NE(program.find("MODEL_CONSTANTS = {\"words\": (\"words\", str)}"), std::string::npos);
  EXPECT_NE(program.find("y = c.words"), std::string::npos);
}

TEST(LoweringTest, StringConstantsTheCompilerComputedAreRefused) {
  auto s = identity_of_string_constant(ir::ConstantOrigin::kFolded);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(generate_python(s->input()).status().to_string(),
            "UNIMPLEMENTED: node 'id' (Identity, opset 13): constant 'words' holds strings the "
            "compiler computed");
}

TEST(LoweringTest, GraphWithoutNodesStillRuns) {
  auto g = std::make_unique<ir::Graph>();
  g->opset = 13;
  ir::Value* x = g->add_input("x", f32({2}));
  g->set_outputs({x});
  schedule::Schedule empty;
  ScheduledGraph s;
  s.graph = std::move(g);
  s.schedule = empty;
  auto files = generate_python(s.input());
  ASSERT_TRUE(files.ok()) << files.status().to_string();
  EXPECT_NE(files->at("model.py").find("CLUSTERS = ()"), std::string::npos);
}

}  // namespace
}  // namespace ramiel::codegen::testing

namespace ramiel::codegen::testing {
namespace {

// h = Loop(3, h0) over tanh(relu(h)) with x = exp(h0) read by the body as a capture: the body is
// a nested block; neither the loop state nor the capture is released or overwritten inside it;
// the whole loop is one node of NODE_LINES.
TEST(LoweringTest, ALoopIsANestedBlockOfItsNode) {
  auto g = std::make_unique<ir::Graph>();
  g->name = "loop";
  g->opset = 13;
  ir::Value* h0 = g->add_input("h0", f32({1, 4}));
  ir::Value* three = g->add_constant("three", ir::Tensor::from_int64(ir::DType::kInt64, {}, {3}),
                                     ir::ConstantOrigin::kFolded);
  ir::Node* exp = g->add_node(OpKind::Exp, "exp", {h0}, {{"x", f32({1, 4})}});
  ir::Node* loop = ir::testing::add_loop(*g, three, h0, {OpKind::Relu, OpKind::Tanh});
  // The body adds the captured x to its result.
  loop->add_capture(exp->output(0));
  ir::Graph& body = *loop->subgraph("body");
  ir::Value* x_in = body.add_input("x", f32({1, 4}));
  ir::Node* add =
      body.add_node(OpKind::Add, "add", {body.outputs()[1], x_in}, {{"sum", f32({1, 4})}});
  body.set_outputs({body.outputs()[0], add->output(0)});
  g->set_outputs({loop->output(0)});
  ASSERT_TRUE(ir::verify_graph(*g).ok());
  auto s = schedule_by_name(std::move(g), {{"exp", "loop"}});
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  std::string program = generate(*s);
  EXPECT_EQ(function_text(program, "cluster_0"),
            "def cluster_0(c, io):\n"
            "    \"\"\"Cluster 0: 2 nodes, predicted 20.0 us.\"\"\"\n"
            "    h0 = io.recv(\"h0\")\n"
            "    x = torch.exp(h0)\n"
            "    h_in = h0\n"
            "    for i in ramiel.onnx_loop_iterations(3):\n"
            "        v0 = F.relu(h_in)\n"
            "        v1 = torch.tanh(v0)\n"
            "        del v0\n"
            "        sum_ = v1.add_(x)\n"
            "        del v1\n"
            "        h_in = sum_\n"
            "        del sum_\n"
            "    h = h_in\n"
            "    del h0, x, h_in\n"
            "    io.send(\"h\", h)\n"
            "    del h\n");
  // The loop's lines, its body's included, are the loop node's.
  const std::regex loop_lines(R"(\d+: \("loop", "Loop"\))");
  EXPECT_EQ(std::distance(std::sregex_iterator(program.begin(), program.end(), loop_lines),
                          std::sregex_iterator()),
            1);
  EXPECT_EQ(program.find("\"op0\""), std::string::npos);
}

}  // namespace
}  // namespace ramiel::codegen::testing
