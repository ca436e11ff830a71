// Which cost family models each op. Ops not named here get generic_cost.
#include <array>

#include "core/cost/op_cost.h"

namespace ramiel::cost {
namespace {

using ir::OpKind;

struct FamilyEntry {
  OpKind op;
  OpCostFn fn;
};

constexpr FamilyEntry kFamilies[] = {
    // Convolutions and matrix products.
    {OpKind::Conv, conv_cost},
    {OpKind::ConvInteger, conv_cost},
    {OpKind::QLinearConv, conv_cost},
    {OpKind::ConvTranspose, conv_transpose_cost},
    {OpKind::Gemm, gemm_cost},
    {OpKind::MatMul, matmul_cost},
    {OpKind::MatMulInteger, matmul_cost},
    {OpKind::QLinearMatMul, matmul_cost},
    // Pools.
    {OpKind::MaxPool, pool_cost},
    {OpKind::AveragePool, pool_cost},
    {OpKind::LpPool, pool_cost},
    {OpKind::GlobalAveragePool, global_pool_cost},
    {OpKind::GlobalMaxPool, global_pool_cost},
    {OpKind::GlobalLpPool, global_pool_cost},
    // Element-wise: unary math and activations.
    {OpKind::Abs, elementwise_cost},
    {OpKind::Acos, elementwise_cost},
    {OpKind::Acosh, elementwise_cost},
    {OpKind::Asin, elementwise_cost},
    {OpKind::Asinh, elementwise_cost},
    {OpKind::Atan, elementwise_cost},
    {OpKind::Atanh, elementwise_cost},
    {OpKind::Cast, elementwise_cost},
    {OpKind::CastLike, elementwise_cost},
    {OpKind::Ceil, elementwise_cost},
    {OpKind::Celu, elementwise_cost},
    {OpKind::Clip, elementwise_cost},
    {OpKind::Cos, elementwise_cost},
    {OpKind::Cosh, elementwise_cost},
    {OpKind::Elu, elementwise_cost},
    {OpKind::Erf, elementwise_cost},
    {OpKind::Gelu, elementwise_cost},
    {OpKind::Exp, elementwise_cost},
    {OpKind::Floor, elementwise_cost},
    {OpKind::HardSigmoid, elementwise_cost},
    {OpKind::HardSwish, elementwise_cost},
    {OpKind::IsInf, elementwise_cost},
    {OpKind::IsNaN, elementwise_cost},
    {OpKind::LeakyRelu, elementwise_cost},
    {OpKind::Log, elementwise_cost},
    {OpKind::Neg, elementwise_cost},
    {OpKind::Not, elementwise_cost},
    {OpKind::Reciprocal, elementwise_cost},
    {OpKind::Relu, elementwise_cost},
    {OpKind::Round, elementwise_cost},
    {OpKind::Selu, elementwise_cost},
    {OpKind::Shrink, elementwise_cost},
    {OpKind::Sigmoid, elementwise_cost},
    {OpKind::Sign, elementwise_cost},
    {OpKind::Sin, elementwise_cost},
    {OpKind::Sinh, elementwise_cost},
    {OpKind::Softplus, elementwise_cost},
    {OpKind::Softsign, elementwise_cost},
    {OpKind::Sqrt, elementwise_cost},
    {OpKind::Tan, elementwise_cost},
    {OpKind::Tanh, elementwise_cost},
    {OpKind::ThresholdedRelu, elementwise_cost},
    // Element-wise: binary with broadcasting, ternary and variadic.
    {OpKind::Add, elementwise_cost},
    {OpKind::And, elementwise_cost},
    {OpKind::BitShift, elementwise_cost},
    {OpKind::Div, elementwise_cost},
    {OpKind::Equal, elementwise_cost},
    {OpKind::Greater, elementwise_cost},
    {OpKind::GreaterOrEqual, elementwise_cost},
    {OpKind::Less, elementwise_cost},
    {OpKind::LessOrEqual, elementwise_cost},
    {OpKind::Mod, elementwise_cost},
    {OpKind::Mul, elementwise_cost},
    {OpKind::Or, elementwise_cost},
    {OpKind::Pow, elementwise_cost},
    {OpKind::PRelu, elementwise_cost},
    {OpKind::Sub, elementwise_cost},
    {OpKind::Xor, elementwise_cost},
    {OpKind::Where, elementwise_cost},
    {OpKind::Max, elementwise_cost},
    {OpKind::Mean, elementwise_cost},
    {OpKind::Min, elementwise_cost},
    {OpKind::Sum, elementwise_cost},
    // Reductions and Softmax.
    {OpKind::ArgMax, reduction_cost},
    {OpKind::ArgMin, reduction_cost},
    {OpKind::CumSum, reduction_cost},
    {OpKind::ReduceL1, reduction_cost},
    {OpKind::ReduceL2, reduction_cost},
    {OpKind::ReduceLogSum, reduction_cost},
    {OpKind::ReduceLogSumExp, reduction_cost},
    {OpKind::ReduceMax, reduction_cost},
    {OpKind::ReduceMean, reduction_cost},
    {OpKind::ReduceMin, reduction_cost},
    {OpKind::ReduceProd, reduction_cost},
    {OpKind::ReduceSum, reduction_cost},
    {OpKind::ReduceSumSquare, reduction_cost},
    {OpKind::TopK, reduction_cost},
    {OpKind::Softmax, softmax_cost},
    {OpKind::LogSoftmax, softmax_cost},
    {OpKind::Hardmax, softmax_cost},
    // Normalisations.
    {OpKind::BatchNormalization, normalization_cost},
    {OpKind::InstanceNormalization, normalization_cost},
    {OpKind::LayerNormalization, normalization_cost},
    {OpKind::LpNormalization, normalization_cost},
    {OpKind::LRN, normalization_cost},
    {OpKind::MeanVarianceNormalization, normalization_cost},
    // Data movement.
    {OpKind::Compress, data_movement_cost},
    {OpKind::Concat, data_movement_cost},
    {OpKind::ConstantOfShape, data_movement_cost},
    {OpKind::DepthToSpace, data_movement_cost},
    {OpKind::Expand, data_movement_cost},
    {OpKind::EyeLike, data_movement_cost},
    {OpKind::Gather, data_movement_cost},
    {OpKind::GatherElements, data_movement_cost},
    {OpKind::GatherND, data_movement_cost},
    {OpKind::OneHot, data_movement_cost},
    {OpKind::Pad, data_movement_cost},
    {OpKind::Range, data_movement_cost},
    {OpKind::ReverseSequence, data_movement_cost},
    {OpKind::Scatter, data_movement_cost},
    {OpKind::ScatterElements, data_movement_cost},
    {OpKind::ScatterND, data_movement_cost},
    {OpKind::Slice, data_movement_cost},
    {OpKind::SpaceToDepth, data_movement_cost},
    {OpKind::Split, data_movement_cost},
    {OpKind::Tile, data_movement_cost},
    {OpKind::Transpose, data_movement_cost},
    {OpKind::Trilu, data_movement_cost},
    // Views and metadata.
    {OpKind::Constant, view_cost},
    {OpKind::Dropout, view_cost},
    {OpKind::Flatten, view_cost},
    {OpKind::Identity, view_cost},
    {OpKind::Reshape, view_cost},
    {OpKind::Shape, view_cost},
    {OpKind::Size, view_cost},
    {OpKind::Squeeze, view_cost},
    {OpKind::Unsqueeze, view_cost},
    // Lists and optionals: Python list operations on references, one dispatch each. The two
    // that copy elements count the tensor side they know (sequences count as empty).
    {OpKind::Optional, view_cost},
    {OpKind::OptionalGetElement, view_cost},
    {OpKind::OptionalHasElement, view_cost},
    {OpKind::SequenceAt, view_cost},
    {OpKind::SequenceConstruct, view_cost},
    {OpKind::SequenceEmpty, view_cost},
    {OpKind::SequenceErase, view_cost},
    {OpKind::SequenceInsert, view_cost},
    {OpKind::SequenceLength, view_cost},
    {OpKind::ConcatFromSequence, data_movement_cost},
    {OpKind::SplitToSequence, data_movement_cost},
    // Resampling and recurrent layers.
    {OpKind::Resize, resize_cost},
    {OpKind::Upsample, resize_cost},
    {OpKind::GRU, recurrent_cost},
    {OpKind::LSTM, recurrent_cost},
    {OpKind::RNN, recurrent_cost},
};

constexpr std::array<OpCostFn, ir::kNumOpKinds> build_table() {
  std::array<OpCostFn, ir::kNumOpKinds> table{};
  for (OpCostFn& fn : table) fn = generic_cost;
  for (const FamilyEntry& entry : kFamilies) table[static_cast<size_t>(entry.op)] = entry.fn;
  return table;
}

constexpr std::array<OpCostFn, ir::kNumOpKinds> kTable = build_table();

}  // namespace

OpCostFn op_cost_fn(ir::OpKind op) {
  const size_t index = static_cast<size_t>(op);
  return index < kTable.size() ? kTable[index] : generic_cost;
}

}  // namespace ramiel::cost
