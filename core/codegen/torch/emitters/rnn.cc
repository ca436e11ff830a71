// Recurrent ops: RNN, GRU and LSTM through onnx_recurrent (runtime/helpers_rnn.py), which
// steps through the sequence with ONNX's gate order (torch's nn.LSTM / nn.GRU order theirs
// differently and have no per-batch sequence lengths, clipping or custom activations).
#include <algorithm>

#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

py::ExprPtr floats_list(const std::vector<float>& values) {
  std::vector<py::ExprPtr> items;
  for (float v : values) items.push_back(py::float32_lit(v));
  return py::list(std::move(items));
}

Status emit_recurrent(EmitContext& ctx) {
  const OpKind op = ctx.node().op();
  const char* kind = op == OpKind::RNN ? "rnn" : op == OpKind::GRU ? "gru" : "lstm";
  // Inputs: X, W, R, B, sequence_lens, initial_h (and for LSTM initial_c, P).
  const size_t inputs = op == OpKind::LSTM ? 8 : 6;
  static const char* const kNames[] = {"", "", "", "b", "lengths", "h0", "c0", "peephole"};
  std::vector<py::ExprPtr> args = {py::str_lit(kind)};
  py::Keywords keywords;
  for (size_t i = 0; i < inputs; ++i) {
    if (i < 3) {
      RAMIEL_ASSIGN_OR_RETURN(auto operand, ctx.input(i));
      args.push_back(operand);
    } else if (ctx.has_input(i)) {
      RAMIEL_ASSIGN_OR_RETURN(auto operand, ctx.input(i));
      keywords.emplace_back(kNames[i], operand);
    }
  }
  RAMIEL_ASSIGN_OR_RETURN(std::string direction, ctx.string_attr("direction", "forward"));
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional") {
    return ctx.unsupported_attribute("direction", direction);
  }
  if (direction != "forward") keywords.emplace_back("direction", py::str_lit(direction));
  if (ctx.attributes().has("activations")) {
    auto it = ctx.attributes().all().find("activations");
    const auto* names = std::get_if<std::vector<std::string>>(&it->second);
    if (!names) return ctx.invalid("attribute 'activations' must be a list of strings");
    static const char* const kKnown[] = {
        "Sigmoid",    "Tanh",        "Relu", "Affine",   "LeakyRelu", "ThresholdedRelu",
        "ScaledTanh", "HardSigmoid", "Elu",  "Softsign", "Softplus"};
    std::vector<py::ExprPtr> spelled;
    for (const std::string& name : *names) {
      if (std::find(std::begin(kKnown), std::end(kKnown), name) == std::end(kKnown)) {
        return ctx.unsupported_attribute("activations", name);
      }
      spelled.push_back(py::str_lit(name));
    }
    keywords.emplace_back("activations", py::list(std::move(spelled)));
  }
  for (const char* key : {"activation_alpha", "activation_beta"}) {
    RAMIEL_ASSIGN_OR_RETURN(auto values, ctx.floats_attr(key));
    if (values) keywords.emplace_back(key[11] == 'a' ? "alphas" : "betas", floats_list(*values));
  }
  if (ctx.attributes().has("clip")) {
    RAMIEL_ASSIGN_OR_RETURN(float clip, ctx.float_attr("clip", 0.0f));
    keywords.emplace_back("clip", py::float32_lit(clip));
  }
  RAMIEL_ASSIGN_OR_RETURN(int64_t layout, ctx.int_attr("layout", 0));
  if (layout) keywords.emplace_back("layout", py::int_lit(layout));
  if (op == OpKind::GRU) {
    RAMIEL_ASSIGN_OR_RETURN(int64_t linear, ctx.int_attr("linear_before_reset", 0));
    if (linear) keywords.emplace_back("linear_before_reset", py::int_lit(1));
  }
  if (op == OpKind::LSTM) {
    RAMIEL_ASSIGN_OR_RETURN(int64_t input_forget, ctx.int_attr("input_forget", 0));
    if (input_forget) keywords.emplace_back("input_forget", py::int_lit(1));
  }
  RAMIEL_ASSIGN_OR_RETURN(auto all,
                          helper_call(ctx, "onnx_recurrent", std::move(args), std::move(keywords)));
  const size_t produced = op == OpKind::LSTM ? 3 : 2;
  const size_t n = std::min(ctx.num_outputs(), produced);
  if (n < produced)
    all = py::subscript(all, py::slice(nullptr, py::int_lit(static_cast<int64_t>(n))));
  ctx.assign_outputs(n, all);
  return ok_status();
}

}  // namespace

void register_rnn(EmitterTable& table) {
  set(table, OpKind::RNN, emit_recurrent);
  set(table, OpKind::GRU, emit_recurrent);
  set(table, OpKind::LSTM, emit_recurrent);
}

}  // namespace ramiel::codegen::emitters
