// The optimizers of ai.onnx.preview.training: one step of Adagrad, Adam or Momentum (standard or
// Nesterov) over n tensors, through runtime/helpers_training.py.
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

struct Optimizer {
  const char* helper;
  int groups;  // input tensors per optimized tensor: X, G and the optimizer's state
  std::vector<std::pair<const char*, float>> attributes;  // in the helper's order, with defaults
};

// Momentum's attributes are required, so its defaults are never read.
const Optimizer& optimizer(OpKind op) {
  static const Optimizer adagrad{
      "onnx_adagrad", 3, {{"norm_coefficient", 0.0f}, {"epsilon", 1e-6f}, {"decay_factor", 0.0f}}};
  static const Optimizer adam{"onnx_adam",
                              4,
                              {{"norm_coefficient", 0.0f},
                               {"epsilon", 1e-6f},
                               {"alpha", 0.9f},
                               {"beta", 0.999f},
                               {"norm_coefficient_post", 0.0f}}};
  static const Optimizer momentum{
      "onnx_momentum", 3, {{"norm_coefficient", 0.0f}, {"alpha", 0.0f}, {"beta", 0.0f}}};
  return op == OpKind::Adagrad ? adagrad : op == OpKind::Adam ? adam : momentum;
}

// R (learning rate), T (update count), then the inputs in groups (X1..Xn, G1..Gn, ...); the
// outputs are the new X1..Xn followed by the new state, one group per state input.
Status emit_optimizer(EmitContext& ctx) {
  const Optimizer& spec = optimizer(ctx.node().op());
  const size_t tensors = ctx.node().num_inputs() < 2 ? 0 : ctx.node().num_inputs() - 2;
  const auto groups = static_cast<size_t>(spec.groups);
  if (tensors == 0 || tensors % groups != 0 ||
      ctx.num_outputs() != tensors / groups * (groups - 1)) {
    return ctx.invalid("needs R, T and " + std::to_string(groups) + " inputs per optimized " +
                       "tensor, with " + std::to_string(groups - 1) + " outputs per tensor");
  }
  RAMIEL_ASSIGN_OR_RETURN(auto rate, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto count, ctx.input(1));
  std::vector<py::ExprPtr> inputs;
  for (size_t i = 2; i < ctx.node().num_inputs(); ++i) {
    RAMIEL_ASSIGN_OR_RETURN(auto input, ctx.input(i));
    inputs.push_back(input);
  }
  std::vector<py::ExprPtr> args = {rate, count, py::list(std::move(inputs))};
  for (const auto& [name, fallback] : spec.attributes) {
    RAMIEL_ASSIGN_OR_RETURN(float value, ctx.float_attr(name, fallback));
    args.push_back(py::float32_lit(value));
  }
  if (ctx.node().op() == OpKind::Momentum) {
    RAMIEL_ASSIGN_OR_RETURN(std::string mode, ctx.string_attr("mode", "standard"));
    if (mode != "standard" && mode != "nesterov") {
      return ctx.unsupported_attribute("mode", mode, "ONNX defines standard and nesterov");
    }
    args.push_back(py::bool_lit(mode == "nesterov"));
  }
  RAMIEL_ASSIGN_OR_RETURN(auto step, helper_call(ctx, spec.helper, std::move(args)));
  ctx.assign_outputs(ctx.num_outputs(), step);
  return ok_status();
}

}  // namespace

void register_training(EmitterTable& table) {
  for (OpKind op : {OpKind::Adagrad, OpKind::Adam, OpKind::Momentum}) {
    set(table, op, emit_optimizer);
  }
}

}  // namespace ramiel::codegen::emitters
