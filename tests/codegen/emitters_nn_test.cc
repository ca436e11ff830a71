// Emitters of convolutions, pools, normalizations and matrix products.
#include <gtest/gtest.h>

#include "core/frontend/normalize_operands.h"
#include "tests/codegen/emit_test_util.h"

namespace ramiel::codegen::testing {
namespace {

using ir::OpKind;

class NnTest : public ::testing::Test {
 protected:
  NnTest() { g.opset = 13; }
  ir::Value* weight(const std::string& name, ir::Shape shape) {
    return g.add_constant(name, ir::Tensor::without_data(ir::DType::kFloat32, std::move(shape)),
                          ir::ConstantOrigin::kModel);
  }
  std::string emit(OpKind op, std::vector<ir::Value*> inputs, ir::Attributes attrs,
                   ir::TensorType out, size_t outputs = 1) {
    const std::string id = std::to_string(count++);
    std::vector<ir::OutputSpec> specs = {{"y" + id, out}};
    for (size_t i = 1; i < outputs; ++i)
      specs.push_back({"extra" + id + "_" + std::to_string(i), {}});
    ir::Node* n = g.add_node(op, "n" + id, inputs, specs, std::move(attrs));
    frontend::normalize_operands(g);  // older opsets' attributes as inputs, as imported
    auto text = emit_text(*n);
    return text.ok() ? *text : "error: " + text.status().to_string();
  }
  ir::Graph g;
  int count = 0;
};

ir::Attributes ints(std::initializer_list<std::pair<const char*, std::vector<int64_t>>> values) {
  ir::Attributes a;
  for (const auto& [k, v] : values) a.set(k, v);
  return a;
}

TEST_F(NnTest, ConvSpellsOnlyNonDefaultArguments) {
  ir::Value* x = g.add_input("x", f32({1, 3, 224, 224}));
  ir::Value* w = weight("conv1.weight", {64, 3, 7, 7});
  ir::Value* b = weight("conv1.bias", {64});
  EXPECT_EQ(emit(OpKind::Conv, {x, w, b}, ints({{"strides", {2, 2}}, {"pads", {3, 3, 3, 3}}}),
                 f32({1, 64, 112, 112})),
            "y0 = F.conv2d(x, c.conv1_weight, c.conv1_bias, stride=2, padding=3)\n");
  ir::Attributes grouped = ints({{"dilations", {2, 1}}});
  grouped.set("group", int64_t{3});
  ir::Value* dw = weight("dw", {3, 1, 3, 3});
  EXPECT_EQ(emit(OpKind::Conv, {x, dw}, grouped, f32({1, 3, 220, 222})),
            "y1 = F.conv2d(x, c.dw, dilation=(2, 1), groups=3)\n");
}

TEST_F(NnTest, ConvPadsUnevenPaddingExplicitly) {
  ir::Value* x = g.add_input("x", f32({1, 3, 8, 8}));
  ir::Value* w = weight("w", {4, 3, 2, 2});
  EXPECT_EQ(emit(OpKind::Conv, {x, w}, ints({{"pads", {0, 0, 1, 1}}}), f32({1, 4, 8, 8})),
            "y0 = F.conv2d(F.pad(x, (0, 1, 0, 1)), c.w)\n");
  ir::Attributes same;
  same.set("auto_pad", std::string("SAME_UPPER"));
  EXPECT_EQ(emit(OpKind::Conv, {x, w}, same, f32({1, 4, 8, 8})),
            "y1 = F.conv2d(F.pad(x, (0, 1, 0, 1)), c.w)\n");
  ir::Value* unknown = g.add_input("u", f32({1, 3, ir::kUnknownDim, 8}));
  EXPECT_EQ(
      emit(OpKind::Conv, {unknown, w}, same, f32({1, 4, 8, 8})),
      "error: UNIMPLEMENTED: node 'n2' (Conv, opset 13): attribute auto_pad=SAME_UPPER is not "
      "supported: the input's shape is unknown");
}

TEST_F(NnTest, MaxPoolWithCeilModeAndStride) {
  ir::Value* x = g.add_input("x", f32({1, 64, 112, 112}));
  ir::Attributes a = ints({{"kernel_shape", {3, 3}}, {"strides", {2, 2}}});
  a.set("ceil_mode", int64_t{1});
  EXPECT_EQ(emit(OpKind::MaxPool, {x}, a, f32({1, 64, 56, 56})),
            "y0 = F.max_pool2d(x, 3, stride=2, ceil_mode=True)\n");
  // torch's stride defaults to the kernel, ONNX's to 1: always spelled.
  EXPECT_EQ(emit(OpKind::MaxPool, {x}, ints({{"kernel_shape", {3, 3}}, {"pads", {1, 1, 1, 1}}}),
                 f32({1, 64, 112, 112})),
            "y1 = F.max_pool2d(x, 3, stride=1, padding=1)\n");
}

TEST_F(NnTest, MaxPoolRefusesSizesTorchWouldNotProduce) {
  ir::Value* x = g.add_input("x", f32({1, 1, 5, 5}));
  ir::Attributes a = ints({{"kernel_shape", {2, 2}}, {"strides", {2, 2}}});
  a.set("ceil_mode", int64_t{1});
  EXPECT_EQ(emit(OpKind::MaxPool, {x}, a, f32({1, 1, 3, 3})),
            "y0 = F.max_pool2d(x, 2, stride=2, ceil_mode=True)\n");
  EXPECT_EQ(emit(OpKind::MaxPool, {x}, a, f32({1, 1, 4, 4})),
            "error: UNIMPLEMENTED: node 'n1' (MaxPool, opset 13): attribute ceil_mode=1 is not "
            "supported: torch would pool dimension 2 to 3 where ONNX gives 4");
}

TEST_F(NnTest, MaxPoolIndicesNumberTheWholeTensor) {
  ir::Value* x = g.add_input("x", f32({2, 3, 4, 4}));
  ir::Node* n = g.add_node(OpKind::MaxPool, "pool", {x},
                           {{"y", f32({2, 3, 2, 2})}, {"indices", i64({2, 3, 2, 2})}},
                           ints({{"kernel_shape", {2, 2}}, {"strides", {2, 2}}}));
  g.set_outputs({n->output(0), n->output(1)});
  auto text = emit_text(*n);
  ASSERT_TRUE(text.ok()) << text.status().to_string();
  // torch numbers each (n, c) plane from 0; ONNX numbers the whole tensor.
  EXPECT_EQ(*text,
            "pooled_tmp = F.max_pool2d(x, 2, stride=2, return_indices=True)\n"
            "y = pooled_tmp[0]\n"
            "indices = pooled_tmp[1] + torch.arange(6).reshape(2, 3, 1, 1) * 16\n");
  // Padding torch cannot apply itself would shift the indices: refused.
  ir::Node* padded = g.add_node(OpKind::MaxPool, "padded", {x},
                                {{"y2", f32({2, 3, 4, 4})}, {"indices2", i64({2, 3, 4, 4})}},
                                ints({{"kernel_shape", {2, 2}}, {"pads", {0, 0, 1, 1}}}));
  g.set_outputs({padded->output(0), padded->output(1)});
  EXPECT_EQ(emit_text(*padded).status().message(),
            "node 'padded' (MaxPool, opset 13): attribute pads=[0, 1, 0, 1] is not supported: the "
            "Indices output needs padding torch applies itself");
}

TEST_F(NnTest, AveragePoolSaysWhetherPaddingCounts) {
  ir::Value* x = g.add_input("x", f32({1, 8, 35, 35}));
  ir::Attributes a = ints({{"kernel_shape", {3, 3}}, {"pads", {1, 1, 1, 1}}});
  a.set("count_include_pad", int64_t{1});
  EXPECT_EQ(emit(OpKind::AveragePool, {x}, a, f32({1, 8, 35, 35})),
            "y0 = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=True)\n");
  ir::Attributes uneven = ints({{"kernel_shape", {2, 2}}, {"pads", {0, 0, 1, 1}}});
  EXPECT_EQ(emit(OpKind::AveragePool, {x}, uneven, f32({1, 8, 35, 35})),
            "y1 = F.avg_pool2d(F.pad(x, (0, 1, 0, 1)), 2, stride=1) / "
            "F.avg_pool2d(F.pad(torch.ones_like(x[:1, :1]), (0, 1, 0, 1)), 2, stride=1)\n");
  EXPECT_EQ(emit(OpKind::GlobalAveragePool, {x}, {}, f32({1, 8, 1, 1})),
            "y2 = F.adaptive_avg_pool2d(x, 1)\n");
  EXPECT_EQ(emit(OpKind::GlobalMaxPool, {x}, {}, f32({1, 8, 1, 1})),
            "y3 = torch.amax(x, dim=(2, 3), keepdim=True)\n");
  EXPECT_EQ(emit(OpKind::GlobalLpPool, {x}, {}, f32({1, 8, 1, 1})),
            "y4 = torch.linalg.vector_norm(x, ord=2, dim=(2, 3), keepdim=True)\n");
}

// The training optimizers: one helper call over all tensors, outputs unpacked in ONNX's order.
TEST_F(NnTest, OptimizersAreOneHelperStep) {
  ir::Value* r = g.add_input("r", f32({}));
  ir::Value* t = g.add_input("t", {ir::DType::kInt64, ir::Shape{}});
  ir::Value* x = g.add_input("x", f32({2}));
  ir::Value* grad = g.add_input("grad", f32({2}));
  ir::Value* v = g.add_input("v", f32({2}));
  ir::Attributes momentum;
  momentum.set("alpha", 0.5f);
  momentum.set("beta", 1.0f);
  momentum.set("norm_coefficient", 0.0f);
  momentum.set("mode", std::string("nesterov"));
  const std::string id = std::to_string(count++);
  ir::Node* n = g.add_node(OpKind::Momentum, "n" + id, {r, t, x, grad, v},
                           {{"x_new", f32({2})}, {"v_new", f32({2})}}, momentum, 17);
  g.set_outputs({n->output(0), n->output(1)});
  auto text = emit_text(*n);
  ASSERT_TRUE(text.ok()) << text.status().to_string();
  EXPECT_EQ(*text, "x_new, v_new = onnx_momentum(r, t, [x, grad, v], 0.0, 0.5, 1.0, True)\n");
}

TEST_F(NnTest, BatchAndLayerNormalization) {
  ir::Value* x = g.add_input("x", f32({1, 4, 2, 2}));
  std::vector<ir::Value*> bn = {x, weight("s", {4}), weight("b", {4}), weight("m", {4}),
                                weight("v", {4})};
  // A trained model's: scale and shift derived once at load, then one multiply-add per run.
  EXPECT_EQ(emit(OpKind::BatchNormalization, bn, {}, f32({1, 4, 2, 2})),
            "y0 = torch.addcmul(c.n0_shift, x, c.n0_scale)\n"
            "c.n0_scale <- batch_norm_scale(c.s, c.v, 1e-05, 4)\n"
            "c.n0_shift <- batch_norm_shift(c.s, c.b, c.m, c.v, 1e-05, 4)\n");
  ir::Value* h = g.add_input("h", f32({1, 8, 16}));
  ir::Attributes eps;
  eps.set("epsilon", 1e-12f);
  EXPECT_EQ(emit(OpKind::LayerNormalization, {h, weight("gamma", {16}), weight("beta", {16})}, eps,
                 f32({1, 8, 16}), 3),
            "y1 = F.layer_norm(h, (16,), c.gamma, c.beta, eps=1e-12)\n");
  // A scale that only broadcasts to the normalized shape is applied afterwards.
  EXPECT_EQ(emit(OpKind::LayerNormalization, {h, weight("g1", {1})}, {}, f32({1, 8, 16})),
            "y2 = F.layer_norm(h, (16,), eps=1e-05) * c.g1\n");
}

TEST_F(NnTest, BatchNormWithRuntimeParametersOrRankTwo) {
  // Statistics fed at run time: nothing to derive at load, F.batch_norm folds them each run.
  ir::Value* x = g.add_input("x", f32({1, 4, 2, 2}));
  ir::Value* mean = g.add_input("mean", f32({4}));
  EXPECT_EQ(
      emit(OpKind::BatchNormalization,
           {x, weight("s", {4}), weight("b", {4}), mean, weight("v", {4})}, {}, f32({1, 4, 2, 2})),
      "y0 = F.batch_norm(x, mean, c.v, weight=c.s, bias=c.b, eps=1e-05)\n");
  // (N, C): scale and shift stay vectors, which broadcast over the rows as they are.
  ir::Value* rows = g.add_input("rows", f32({2, 4}));
  EXPECT_EQ(emit(OpKind::BatchNormalization,
                 {rows, weight("s2", {4}), weight("b2", {4}), weight("m2", {4}), weight("v2", {4})},
                 {}, f32({2, 4})),
            "y1 = torch.addcmul(c.n1_shift, rows, c.n1_scale)\n"
            "c.n1_scale <- batch_norm_scale(c.s2, c.v2, 1e-05, 2)\n"
            "c.n1_shift <- batch_norm_shift(c.s2, c.b2, c.m2, c.v2, 1e-05, 2)\n");
}

TEST_F(NnTest, GemmBecomesLinearWhenItIsALinearLayer) {
  ir::Value* a = g.add_input("a", f32({1, 1024}));
  ir::Value* w = weight("fc.weight", {1000, 1024});
  ir::Value* bias = weight("fc.bias", {1000});
  ir::Attributes linear;
  linear.set("transB", int64_t{1});
  // At batch 1 the layer is a matrix-vector product (torch.mv's GEMV, not a GEMM).
  EXPECT_EQ(emit(OpKind::Gemm, {a, w, bias}, linear, f32({1, 1000})),
            "y0 = torch.addmv(c.fc_bias, c.fc_weight, a[0]).unsqueeze(0)\n");
  ir::Value* rows = g.add_input("rows", f32({8, 1024}));
  EXPECT_EQ(emit(OpKind::Gemm, {rows, w, bias}, linear, f32({8, 1000})),
            "y1 = F.linear(rows, c.fc_weight, c.fc_bias)\n");
  EXPECT_EQ(emit(OpKind::Gemm, {a, w}, linear, f32({1, 1000})),
            "y2 = torch.mv(c.fc_weight, a[0]).unsqueeze(0)\n");
  ir::Attributes general;
  general.set("transA", int64_t{1});
  general.set("alpha", 2.0f);
  general.set("beta", 0.5f);
  ir::Value* m = g.add_input("m", f32({4, 4}));
  EXPECT_EQ(emit(OpKind::Gemm, {m, m, m}, general, f32({4, 4})),
            "y3 = torch.addmm(m, m.t(), m, beta=0.5, alpha=2.0)\n");
  EXPECT_EQ(emit(OpKind::Gemm, {m, m}, {}, f32({4, 4})), "y4 = torch.matmul(m, m)\n");
  EXPECT_EQ(emit(OpKind::MatMul, {m, m}, {}, f32({4, 4})), "y5 = torch.matmul(m, m)\n");
}

TEST_F(NnTest, ConvTransposeInstanceNormLrnEinsum) {
  ir::Value* x = g.add_input("x", f32({1, 4, 8, 8}));
  ir::Attributes up =
      ints({{"strides", {2, 2}}, {"pads", {1, 1, 1, 1}}, {"output_padding", {1, 1}}});
  EXPECT_EQ(emit(OpKind::ConvTranspose, {x, weight("up", {4, 2, 3, 3})}, up, f32({1, 2, 16, 16})),
            "y0 = F.conv_transpose2d(x, c.up, stride=2, padding=1, output_padding=1)\n");
  EXPECT_EQ(emit(OpKind::InstanceNormalization, {x, weight("is", {4}), weight("ib", {4})}, {},
                 f32({1, 4, 8, 8})),
            "y1 = F.instance_norm(x, weight=c.is, bias=c.ib, eps=1e-05)\n");
  ir::Attributes lrn;
  lrn.set("size", int64_t{5});
  EXPECT_EQ(emit(OpKind::LRN, {x}, lrn, f32({1, 4, 8, 8})),
            "y2 = F.local_response_norm(x, 5, alpha=0.0001, beta=0.75, k=1.0)\n");
  lrn.set("size", int64_t{4});
  EXPECT_EQ(emit(OpKind::LRN, {x}, lrn, f32({1, 4, 8, 8})),
            "error: UNIMPLEMENTED: node 'n3' (LRN, opset 13): attribute size=4 is not supported: "
            "only odd sizes are supported");
  ir::Attributes equation;
  equation.set("equation", std::string("bchw,bchw->bc"));
  EXPECT_EQ(emit(OpKind::Einsum, {x, x}, equation, f32({1, 4})),
            "y4 = torch.einsum(\"bchw,bchw->bc\", x, x)\n");
}

}  // namespace
}  // namespace ramiel::codegen::testing
