// Normalizations: BatchNormalization (inference), LayerNormalization, InstanceNormalization, LRN.
#include "core/codegen/python/names.h"
#include "core/codegen/torch/emitters/common.h"
#include "core/ir/lowering_rules.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// BatchNormalization in training mode (opset 14+): normalized by the batch's own statistics
// (the variance without Bessel's correction), with the running statistics updated by momentum.
Status emit_batch_norm_training(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto scale, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input(2));
  RAMIEL_ASSIGN_OR_RETURN(auto running_mean, ctx.input(3));
  RAMIEL_ASSIGN_OR_RETURN(auto running_var, ctx.input(4));
  RAMIEL_ASSIGN_OR_RETURN(float epsilon, ctx.float_attr("epsilon", 1e-5f));
  RAMIEL_ASSIGN_OR_RETURN(float momentum, ctx.float_attr("momentum", 0.9f));
  auto rank = ctx.input_rank(0);
  if (!rank || *rank < 2) return ctx.unsupported("training mode on an input of unknown rank");
  std::vector<int64_t> dims = {0};
  std::vector<py::ExprPtr> per_channel = {py::int_lit(1), py::int_lit(-1)};
  for (int64_t d = 2; d < *rank; ++d) {
    dims.push_back(d);
    per_channel.push_back(py::int_lit(1));
  }
  auto mean = ctx.let("mean", py::call(torch_fn("mean"), {x}, {{"dim", py::ints_tuple(dims)}}));
  auto centered = py::binop("-", x, py::method(mean, "reshape", per_channel));
  auto var = ctx.let("var", py::call(torch_fn("mean"), {py::binop("*", centered, centered)},
                                     {{"dim", py::ints_tuple(dims)}}));
  ctx.assign(py::call(nn_fn("batch_norm"), {x, mean, var},
                      {{"weight", scale}, {"bias", bias}, {"eps", py::float32_lit(epsilon)}}));
  auto blend = [&](const py::ExprPtr& running, const py::ExprPtr& batch) {
    return py::binop("+", py::binop("*", running, py::float32_lit(momentum)),
                     py::binop("*", batch, py::float32_lit(1.0f - momentum)));
  };
  if (ctx.num_outputs() > 1 && ctx.output_used(1)) ctx.assign_output(1, blend(running_mean, mean));
  if (ctx.num_outputs() > 2 && ctx.output_used(2)) ctx.assign_output(2, blend(running_var, var));
  return ok_status();
}

// A trained model's batch norm (statistics and affine parameters all constants) is a multiply-add
// per channel: scale = weight / sqrt(var + eps), shift = bias - mean * scale, derived once at
// load (runtime helpers batch_norm_scale and batch_norm_shift), then one torch.addcmul per run.
// On channels-last activations PyTorch 1.13's F.batch_norm takes 2.5-3x as long (DenseNet-121
// at 2 threads: the whole program 2.5-4% slower).
// False where it does not apply (ir::folds_to_affine: parameters computed at run time, an unknown
// rank, a dtype other than float32 / float64) or nowhere to put the derived constants.
StatusOr<bool> emit_batch_norm_as_affine(EmitContext& ctx, const py::ExprPtr& x, float epsilon) {
  if (!ir::folds_to_affine(ctx.node())) return false;
  const auto rank = ctx.input_rank(0);
  RAMIEL_ASSIGN_OR_RETURN(auto weight, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input(2));
  RAMIEL_ASSIGN_OR_RETURN(auto mean, ctx.input(3));
  RAMIEL_ASSIGN_OR_RETURN(auto var, ctx.input(4));
  // "/layer1/bn1/BatchNormalization" -> "layer1_bn1_scale" and "layer1_bn1_shift".
  std::string base = py::sanitize_identifier(py::tensor_name_base(
      ctx.node().name().empty() ? ctx.node().output(0)->name() : ctx.node().name()));
  const std::string op_suffix = "_BatchNormalization";
  if (base.size() > op_suffix.size() && base.ends_with(op_suffix)) {
    base.resize(base.size() - op_suffix.size());
  }
  const auto eps = py::float32_lit(epsilon);
  const auto dims = py::int_lit(*rank);
  RAMIEL_ASSIGN_OR_RETURN(auto scale_recipe,
                          helper_call(ctx, "batch_norm_scale", {weight, var, eps, dims}));
  RAMIEL_ASSIGN_OR_RETURN(auto shift_recipe, helper_call(ctx, "batch_norm_shift",
                                                         {weight, bias, mean, var, eps, dims}));
  EmitEnvironment& env = ctx.environment();
  auto scale = env.derived_constant(base + "_scale", scale_recipe);
  if (!scale) return false;
  auto shift = env.derived_constant(base + "_shift", shift_recipe);
  ctx.assign(py::call(torch_fn("addcmul"), {shift, x, scale}));
  return true;
}

Status emit_batch_norm(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(int64_t training, ctx.int_attr("training_mode", 0));
  if (training) return emit_batch_norm_training(ctx);  // the attribute exists from opset 14
  RAMIEL_ASSIGN_OR_RETURN(int64_t spatial, ctx.int_attr("spatial", 1));
  if (!spatial) return ctx.unsupported_attribute("spatial", "0");
  for (size_t i = 1; i < ctx.num_outputs(); ++i) {
    RAMIEL_RETURN_IF_ERROR(ctx.require_unused_output(i, "training statistics"));
  }
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto scale, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input(2));
  RAMIEL_ASSIGN_OR_RETURN(auto mean, ctx.input(3));
  RAMIEL_ASSIGN_OR_RETURN(auto var, ctx.input(4));
  RAMIEL_ASSIGN_OR_RETURN(float epsilon, ctx.float_attr("epsilon", 1e-5f));
  RAMIEL_ASSIGN_OR_RETURN(bool affine, emit_batch_norm_as_affine(ctx, x, epsilon));
  if (affine) return ok_status();
  ctx.assign(py::call(nn_fn("batch_norm"), {x, mean, var},
                      {{"weight", scale}, {"bias", bias}, {"eps", py::float32_lit(epsilon)}}));
  return ok_status();
}

// LayerNormalization whose Mean or InvStdDev output is read: the statistics spelled out, with
// the normalized axes kept (size 1) as ONNX shapes them.
Status emit_layer_norm_with_statistics(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", -1));
  RAMIEL_ASSIGN_OR_RETURN(float epsilon, ctx.float_attr("epsilon", 1e-5f));
  auto rank = ctx.input_rank(0);
  if (!rank) return ctx.unsupported("the Mean / InvStdDev outputs of an input of unknown rank");
  RAMIEL_ASSIGN_OR_RETURN(int64_t start, normalize_axis(ctx, axis, *rank));
  std::vector<int64_t> dims;
  for (int64_t d = start; d < *rank; ++d) dims.push_back(d);
  const py::Keywords reduce = {{"dim", py::ints_tuple(dims)}, {"keepdim", py::bool_lit(true)}};
  auto mean = ctx.let("mean", py::call(torch_fn("mean"), {x}, reduce));
  auto centered = ctx.let("centered", py::binop("-", x, mean));
  auto variance = py::call(torch_fn("mean"), {py::binop("*", centered, centered)}, reduce);
  auto inv_std = ctx.let(
      "inv_std", py::call(torch_fn("rsqrt"), {py::binop("+", variance, py::float32_lit(epsilon))}));
  RAMIEL_ASSIGN_OR_RETURN(auto scale, ctx.input(1));
  py::ExprPtr y = py::binop("*", py::binop("*", centered, inv_std), scale);
  if (ctx.has_input(2)) {
    RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input(2));
    y = py::binop("+", y, bias);
  }
  ctx.assign(y);
  if (ctx.output_used(1)) ctx.assign_output(1, mean);
  if (ctx.num_outputs() > 2 && ctx.output_used(2)) ctx.assign_output(2, inv_std);
  return ok_status();
}

Status emit_layer_norm(EmitContext& ctx) {
  for (size_t i = 1; i < ctx.num_outputs(); ++i) {
    if (ctx.output_used(i)) return emit_layer_norm_with_statistics(ctx);
  }
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", -1));
  RAMIEL_ASSIGN_OR_RETURN(float epsilon, ctx.float_attr("epsilon", 1e-5f));
  // The normalized shape: the input's dims from `axis` on, spelled out when known.
  py::ExprPtr normalized;
  std::optional<ir::Shape> normalized_dims;
  if (auto shape = ctx.input_shape(0)) {
    RAMIEL_ASSIGN_OR_RETURN(int64_t start,
                            normalize_axis(ctx, axis, static_cast<int64_t>(shape->size())));
    ir::Shape dims(shape->begin() + start, shape->end());
    if (fully_known(dims)) {
      normalized = py::ints_tuple(dims);
      normalized_dims = dims;
    }
  }
  if (!normalized) {
    normalized = py::subscript(py::attr(x, "shape"), py::slice(py::int_lit(axis), nullptr));
  }
  RAMIEL_ASSIGN_OR_RETURN(auto scale, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input_or_none(2));
  // F.layer_norm wants scale and bias of exactly the normalized shape; ONNX lets them broadcast.
  auto scale_shape = ctx.input_shape(1);
  auto bias_shape = ctx.input_shape(2);
  const bool exact = normalized_dims && scale_shape == normalized_dims &&
                     (!ctx.has_input(2) || bias_shape == normalized_dims);
  if (exact) {
    ctx.assign(py::call(nn_fn("layer_norm"), {x, normalized, scale, bias},
                        {{"eps", py::float32_lit(epsilon)}}));
    return ok_status();
  }
  py::ExprPtr y = py::binop(
      "*", py::call(nn_fn("layer_norm"), {x, normalized}, {{"eps", py::float32_lit(epsilon)}}),
      scale);
  if (ctx.has_input(2)) y = py::binop("+", y, bias);
  ctx.assign(y);
  return ok_status();
}

Status emit_instance_norm(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto scale, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input(2));
  RAMIEL_ASSIGN_OR_RETURN(float epsilon, ctx.float_attr("epsilon", 1e-5f));
  ctx.assign(py::call(nn_fn("instance_norm"), {x},
                      {{"weight", scale}, {"bias", bias}, {"eps", py::float32_lit(epsilon)}}));
  return ok_status();
}

Status emit_lrn(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t size, ctx.int_attr("size", 0));
  // torch centres an even window one element earlier than ONNX does.
  if (size < 1 || size % 2 == 0) {
    return ctx.unsupported_attribute("size", std::to_string(size), "only odd sizes are supported");
  }
  RAMIEL_ASSIGN_OR_RETURN(float alpha, ctx.float_attr("alpha", 1e-4f));
  RAMIEL_ASSIGN_OR_RETURN(float beta, ctx.float_attr("beta", 0.75f));
  RAMIEL_ASSIGN_OR_RETURN(float bias, ctx.float_attr("bias", 1.0f));
  ctx.assign(py::call(nn_fn("local_response_norm"), {x, py::int_lit(size)},
                      {{"alpha", py::float32_lit(alpha)},
                       {"beta", py::float32_lit(beta)},
                       {"k", py::float32_lit(bias)}}));
  return ok_status();
}

}  // namespace

void register_normalization(EmitterTable& table) {
  set(table, OpKind::BatchNormalization, emit_batch_norm);
  set(table, OpKind::LayerNormalization, emit_layer_norm);
  set(table, OpKind::InstanceNormalization, emit_instance_norm);
  set(table, OpKind::LRN, emit_lrn);
}

}  // namespace ramiel::codegen::emitters
