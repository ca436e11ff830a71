// Losses: NegativeLogLikelihoodLoss as F.nll_loss, SoftmaxCrossEntropyLoss as log_softmax over
// the class axis followed by F.nll_loss (which also gives the optional log_prob output). Both
// take (N, C, d1, ...) scores and (N, d1, ...) targets, as torch does.
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// F.nll_loss(log_prob, target, ...) with ONNX's reduction, weights and ignore_index.
StatusOr<py::ExprPtr> nll_loss(EmitContext& ctx, py::ExprPtr log_prob) {
  RAMIEL_ASSIGN_OR_RETURN(auto target, ctx.input(1));
  const ir::TensorType* target_type = ctx.input_type(1);
  if (!target_type || target_type->dtype != ir::DType::kInt64) {  // torch wants int64 classes
    target = py::method(target, "long", {});
  }
  RAMIEL_ASSIGN_OR_RETURN(std::string reduction, ctx.string_attr("reduction", "mean"));
  if (reduction != "mean" && reduction != "sum" && reduction != "none") {
    return ctx.unsupported_attribute("reduction", reduction);
  }
  py::Keywords keywords;
  if (ctx.has_input(2)) {
    RAMIEL_ASSIGN_OR_RETURN(auto weight, ctx.input(2));
    keywords.emplace_back("weight", weight);
  }
  if (ctx.attributes().has("ignore_index")) {
    RAMIEL_ASSIGN_OR_RETURN(int64_t ignore, ctx.int_attr("ignore_index", 0));
    keywords.emplace_back("ignore_index", py::int_lit(ignore));
  }
  if (reduction != "mean") keywords.emplace_back("reduction", py::str_lit(reduction));
  return py::call(nn_fn("nll_loss"), {std::move(log_prob), target}, std::move(keywords));
}

Status emit_nll_loss(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto loss, nll_loss(ctx, x));
  ctx.assign(loss);
  return ok_status();
}

Status emit_softmax_cross_entropy(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  auto log_prob = py::call(nn_fn("log_softmax"), {x}, {{"dim", py::int_lit(1)}});
  if (ctx.num_outputs() > 1 && ctx.output_used(1)) {  // log_prob is an output too
    log_prob = ctx.let("log_prob", log_prob);
    ctx.assign_output(1, log_prob);
  }
  RAMIEL_ASSIGN_OR_RETURN(auto loss, nll_loss(ctx, log_prob));
  ctx.assign(loss);
  return ok_status();
}

}  // namespace

void register_loss(EmitterTable& table) {
  set(table, OpKind::NegativeLogLikelihoodLoss, emit_nll_loss);
  set(table, OpKind::SoftmaxCrossEntropyLoss, emit_softmax_cross_entropy);
}

}  // namespace ramiel::codegen::emitters
