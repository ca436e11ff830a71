#include "core/passes/shape_refinement.h"

#include <array>

#include "core/passes/fold/index_math.h"
#include "core/passes/fold/shape_rules.h"
#include "core/passes/fold/slice_params.h"
#include "core/passes/operands.h"

namespace ramiel::passes {
namespace {

using fold::AxisResult;
using ir::OpKind;
using ir::Shape;

// Per output, its shape or nullopt (unknown). `in[i]` is input i's static shape, or null when
// the input is omitted or its shape is not fully known.
using Shapes = std::vector<std::optional<Shape>>;
using Inputs = std::vector<const Shape*>;
using ShapeRule = Shapes (*)(const ir::Node& node, const Inputs& in);

Shapes none() {
  return {};
}

Shapes from(std::optional<Shape> shape) {
  return {std::move(shape)};
}

// Elementwise unary ops, softmax-like ops and normalizations: output 0 is shaped like input 0
// (Dropout's mask too).
Shapes like_input(const ir::Node& node, const Inputs& in) {
  if (!in[0]) return none();
  Shapes out(node.num_outputs());
  out[0] = *in[0];
  if (node.op() == OpKind::Dropout && out.size() > 1) out[1] = *in[0];
  return out;
}

Shapes broadcast(const ir::Node&, const Inputs& in) {
  std::vector<Shape> shapes;
  for (const Shape* s : in) {
    if (!s) return none();
    shapes.push_back(*s);
  }
  return from(fold::broadcast_shapes(shapes));
}

template <std::optional<Shape> (*rule)(const ir::Node&, const Shape&)>
Shapes data_rule(const ir::Node& node, const Inputs& in) {
  return in[0] ? from(rule(node, *in[0])) : none();
}

Shapes transpose(const ir::Node& node, const Inputs& in) {
  if (!in[0]) return none();
  auto perm = fold::transpose_perm(node, in[0]->size());
  if (!perm) return none();
  Shape out;
  for (int64_t p : *perm) out.push_back((*in[0])[static_cast<size_t>(p)]);
  return from(out);
}

Shapes concat(const ir::Node& node, const Inputs& in) {
  std::vector<Shape> shapes;
  for (const Shape* s : in) {
    if (!s) return none();
    shapes.push_back(*s);
  }
  auto result = fold::concat_result(node, shapes);
  return result ? from(result->shape) : none();
}

Shapes gather(const ir::Node& node, const Inputs& in) {
  if (!in[0] || in.size() < 2 || !in[1]) return none();
  auto result = fold::gather_result(node, *in[0], *in[1]);
  return result ? from(result->shape) : none();
}

Shapes split(const ir::Node& node, const Inputs& in) {
  if (!in[0]) return none();
  auto parts = fold::split_parts(node, *in[0]);
  if (!parts) return none();
  Shapes out;
  for (int64_t size : parts->sizes) {
    Shape s = *in[0];
    s[parts->axis] = size;
    out.push_back(s);
  }
  return out;
}

Shapes slice(const ir::Node& node, const Inputs& in) {
  if (!in[0]) return none();
  auto axes = fold::resolve_slice(node, *in[0]);
  if (!axes) return none();
  Shape out;
  for (const fold::SliceAxis& a : *axes) out.push_back(a.count);
  return from(out);
}

Shapes reduce(const ir::Node& node, const Inputs& in) {
  if (!in[0]) return none();
  auto axes = fold::reduce_axes(node, *in[0]);
  return axes ? from(axes->shape) : none();
}

Shapes matmul(const ir::Node&, const Inputs& in) {
  if (in.size() < 2 || !in[0] || !in[1]) return none();
  return from(fold::matmul_result(*in[0], *in[1]));
}

Shapes gemm(const ir::Node& node, const Inputs& in) {
  if (in.size() < 2 || !in[0] || !in[1]) return none();
  return from(fold::gemm_result(node, *in[0], *in[1]));
}

// Shape's output length needs only the input's rank.
Shapes shape_of(const ir::Node& node, const Inputs&) {
  const ir::TensorType& type = node.input(0)->type();
  if (!type.shape) return none();
  const auto [begin, end] = fold::shape_op_range(node, type.shape->size());
  return from(Shape{static_cast<int64_t>(end - begin)});
}

Shapes size_of(const ir::Node&, const Inputs&) {
  return from(Shape{});
}

Shapes constant_of_shape(const ir::Node& node, const Inputs&) {
  auto dims = constant_ints(node, 0);
  if (!dims) return none();
  for (int64_t d : *dims) {
    if (d < 0) return none();
  }
  return from(*dims);
}

using RuleTable = std::array<ShapeRule, ir::kNumOpKinds>;

void set(RuleTable& table, std::initializer_list<OpKind> ops, ShapeRule rule) {
  for (OpKind op : ops) table[static_cast<size_t>(op)] = rule;
}

const RuleTable& rules() {
  static const RuleTable table = [] {
    RuleTable t{};
    set(t,
        {OpKind::Abs,
         OpKind::Acos,
         OpKind::Acosh,
         OpKind::Asin,
         OpKind::Asinh,
         OpKind::Atan,
         OpKind::Atanh,
         OpKind::BatchNormalization,
         OpKind::Cast,
         OpKind::CastLike,
         OpKind::Ceil,
         OpKind::Celu,
         OpKind::Clip,
         OpKind::Cos,
         OpKind::Cosh,
         OpKind::CumSum,
         OpKind::Dropout,
         OpKind::Elu,
         OpKind::Erf,
         OpKind::Exp,
         OpKind::Floor,
         OpKind::HardSigmoid,
         OpKind::HardSwish,
         OpKind::Hardmax,
         OpKind::Identity,
         OpKind::InstanceNormalization,
         OpKind::IsInf,
         OpKind::IsNaN,
         OpKind::LRN,
         OpKind::LayerNormalization,
         OpKind::LeakyRelu,
         OpKind::Log,
         OpKind::LogSoftmax,
         OpKind::LpNormalization,
         OpKind::MeanVarianceNormalization,
         OpKind::Neg,
         OpKind::Not,
         OpKind::Reciprocal,
         OpKind::Relu,
         OpKind::Round,
         OpKind::Selu,
         OpKind::Shrink,
         OpKind::Sigmoid,
         OpKind::Sign,
         OpKind::Sin,
         OpKind::Sinh,
         OpKind::Softmax,
         OpKind::Softplus,
         OpKind::Softsign,
         OpKind::Sqrt,
         OpKind::Tan,
         OpKind::Tanh,
         OpKind::ThresholdedRelu,
         OpKind::Trilu},
        like_input);
    set(t,
        {OpKind::Add,
         OpKind::Sub,
         OpKind::Mul,
         OpKind::Div,
         OpKind::Pow,
         OpKind::Mod,
         OpKind::Equal,
         OpKind::Less,
         OpKind::Greater,
         OpKind::LessOrEqual,
         OpKind::GreaterOrEqual,
         OpKind::And,
         OpKind::Or,
         OpKind::Xor,
         OpKind::BitShift,
         OpKind::PRelu,
         OpKind::Max,
         OpKind::Min,
         OpKind::Sum,
         OpKind::Mean,
         OpKind::Where},
        broadcast);
    set(t, {OpKind::Reshape}, data_rule<fold::reshape_result>);
    set(t, {OpKind::Flatten}, data_rule<fold::flatten_result>);
    set(t, {OpKind::Squeeze}, data_rule<fold::squeeze_result>);
    set(t, {OpKind::Unsqueeze}, data_rule<fold::unsqueeze_result>);
    set(t, {OpKind::Expand}, data_rule<fold::expand_result>);
    set(t, {OpKind::Tile}, data_rule<fold::tile_result>);
    set(t, {OpKind::Transpose}, transpose);
    set(t, {OpKind::Concat}, concat);
    set(t, {OpKind::Gather}, gather);
    set(t, {OpKind::Split}, split);
    set(t, {OpKind::Slice}, slice);
    set(t,
        {OpKind::ReduceSum, OpKind::ReduceMean, OpKind::ReduceMax, OpKind::ReduceMin,
         OpKind::ReduceProd, OpKind::ReduceL1, OpKind::ReduceL2, OpKind::ReduceSumSquare,
         OpKind::ReduceLogSum, OpKind::ReduceLogSumExp},
        reduce);
    set(t, {OpKind::MatMul}, matmul);
    set(t, {OpKind::Gemm}, gemm);
    set(t, {OpKind::Shape}, shape_of);
    set(t, {OpKind::Size}, size_of);
    set(t, {OpKind::ConstantOfShape}, constant_of_shape);
    return t;
  }();
  return table;
}

// Whether `inferred` fits what is already known of `type`'s shape.
bool compatible(const ir::TensorType& type, const Shape& inferred) {
  if (!type.shape) return true;
  if (type.shape->size() != inferred.size()) return false;
  for (size_t i = 0; i < inferred.size(); ++i) {
    const int64_t known = (*type.shape)[i];
    if (known != ir::kUnknownDim && known != inferred[i]) return false;
  }
  return true;
}

}  // namespace

bool refine_output_shapes(ir::Node& node) {
  const ShapeRule rule = rules()[static_cast<size_t>(node.op())];
  if (!rule || node.num_inputs() == 0) return false;
  bool needed = false;
  for (const ir::Value* out : node.outputs()) needed = needed || !out->type().has_static_shape();
  if (!needed) return false;
  Inputs in;
  for (const ir::Value* v : node.inputs()) {
    in.push_back(v && v->type().has_static_shape() ? &*v->type().shape : nullptr);
  }
  const Shapes shapes = rule(node, in);
  bool changed = false;
  for (size_t i = 0; i < shapes.size() && i < node.num_outputs(); ++i) {
    ir::Value* out = node.output(i);
    if (!shapes[i] || out->type().has_static_shape() || !compatible(out->type(), *shapes[i])) {
      continue;
    }
    // A shape too big to count (dims from hostile constants) stays unknown rather than become
    // a "static" shape whose sizes overflow downstream.
    if (!ir::element_count(*shapes[i])) continue;
    ir::TensorType type = out->type();
    type.shape = *shapes[i];
    out->set_type(std::move(type));
    changed = true;
  }
  return changed;
}

}  // namespace ramiel::passes
