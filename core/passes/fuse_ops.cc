#include "core/passes/fuse_ops.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "core/passes/operands.h"
#include "core/passes/rewrite.h"

namespace ramiel::passes {
namespace {

using ir::OpKind;

// The node computing `value` when it is op `op`, else null.
ir::Node* made_by(const ir::Value* value, OpKind op) {
  if (!value || value->kind() != ir::ValueKind::kNodeOutput) return nullptr;
  ir::Node* node = value->producer();
  return node->op() == op && node->num_outputs() == 1 ? node : nullptr;
}

// The value of a one-element float constant.
std::optional<double> scalar_of(const ir::Value* value) {
  if (!value || !value->is_constant() || !ir::is_floating(value->type().dtype)) return {};
  const ir::Tensor* tensor = value->constant();
  if (!tensor->has_data() || tensor->element_count() != 1) return {};
  return tensor->to_double()[0];
}

bool is_scalar(const ir::Value* value, double expected) {
  const std::optional<double> got = scalar_of(value);
  return got && std::abs(*got - expected) <= 1e-6 * std::abs(expected);
}

// For a binary node with one operand the scalar `expected`: the other operand, else null.
ir::Value* operand_beside(const ir::Node* node, double expected) {
  if (!node || node->num_inputs() != 2) return nullptr;
  if (is_scalar(node->input(1), expected)) return node->input(0);
  if (is_scalar(node->input(0), expected)) return node->input(1);
  return nullptr;
}

// A ReduceMean of `node`'s input over its last axis alone, keeping it.
bool is_mean_over_last_axis(const ir::Node* node) {
  if (!node || node->attributes().get_int("keepdims", 1) != 1) return false;
  const auto& shape = node->input(0)->type().shape;
  const auto axes = constant_ints(*node, 1);
  if (!shape || !axes || axes->size() != 1) return false;
  const auto rank = static_cast<int64_t>(shape->size());
  return (*axes)[0] == -1 || (*axes)[0] == rank - 1;
}

// A 1-d constant of the input's last dimension (LayerNorm's scale and bias).
bool is_per_feature(const ir::Value* value, const ir::Value* x) {
  const auto& shape = x->type().shape;
  return value && value->is_constant() && shape && !shape->empty() &&
         value->type().shape == ir::Shape{shape->back()} && shape->back() > 0;
}

// Replaces `last`'s output by a new `op` node reading `inputs`, then removes `chain`
// (the pattern's nodes, each read only inside the pattern once `last` is replaced).
void replace_pattern(ir::Graph& graph, ir::Node* last, OpKind op, std::vector<ir::Value*> inputs,
                     ir::Attributes attributes, int opset, const std::vector<ir::Node*>& chain) {
  replace_output_with_node(graph, last, op, inputs, std::move(attributes), opset,
                           last->name() + "_fused");
  for (ir::Node* node : chain) graph.remove_node(node);  // consumers first
}

// ((x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps)) * gamma + beta over the last axis.
bool fuse_layer_norm(ir::Graph& graph, ir::Node* add_beta) {
  if (add_beta->op() != OpKind::Add || add_beta->num_inputs() != 2) return false;
  for (int side = 0; side < 2; ++side) {
    ir::Value* beta = add_beta->input(1 - side);
    ir::Node* mul_gamma = made_by(add_beta->input(side), OpKind::Mul);
    if (!mul_gamma || !has_single_reader(*mul_gamma->output(0)) || !beta->is_constant()) continue;
    for (int order = 0; order < 2; ++order) {
      ir::Value* gamma = mul_gamma->input(1 - order);
      ir::Node* div = made_by(mul_gamma->input(order), OpKind::Div);
      if (!div || !has_single_reader(*div->output(0))) continue;
      ir::Node* sqrt = made_by(div->input(1), OpKind::Sqrt);
      ir::Node* sub = made_by(div->input(0), OpKind::Sub);
      if (!sqrt || !sub || !has_single_reader(*sqrt->output(0))) continue;
      ir::Node* add_eps = made_by(sqrt->input(0), OpKind::Add);
      if (!add_eps || !has_single_reader(*add_eps->output(0))) continue;
      const bool eps_second = scalar_of(add_eps->input(1)).has_value();
      ir::Node* variance = made_by(add_eps->input(eps_second ? 0 : 1), OpKind::ReduceMean);
      const std::optional<double> epsilon = scalar_of(add_eps->input(eps_second ? 1 : 0));
      if (!variance || !epsilon || !has_single_reader(*variance->output(0))) continue;
      ir::Node* square = made_by(variance->input(0), OpKind::Pow);
      if (!square || !has_single_reader(*square->output(0)) || !is_scalar(square->input(1), 2.0) ||
          square->input(0) != sub->output(0) || sub->output(0)->uses().size() != 2 ||
          sub->output(0)->is_graph_output()) {
        continue;
      }
      ir::Value* x = sub->input(0);
      ir::Node* mean = made_by(sub->input(1), OpKind::ReduceMean);
      if (!mean || mean->input(0) != x || !has_single_reader(*mean->output(0)) ||
          !is_mean_over_last_axis(mean) || !is_mean_over_last_axis(variance) ||
          !is_per_feature(gamma, x) || !is_per_feature(beta, x)) {
        continue;
      }
      ir::Attributes attributes;
      attributes.set("axis", int64_t{-1});
      attributes.set("epsilon", static_cast<float>(*epsilon));
      replace_pattern(graph, add_beta, OpKind::LayerNormalization, {x, gamma, beta},
                      std::move(attributes), 17,
                      {add_beta, mul_gamma, div, sqrt, add_eps, variance, square, sub, mean});
      return true;
    }
  }
  return false;
}

// 1 + erf(x / sqrt(2)) (or x * (1 / sqrt(2))): returns x, and the nodes, from the Add.
ir::Value* erf_term(ir::Value* value, std::vector<ir::Node*>& nodes) {
  ir::Node* add_one = made_by(value, OpKind::Add);
  if (!add_one || !has_single_reader(*value)) return nullptr;
  ir::Value* erf_out = operand_beside(add_one, 1.0);
  ir::Node* erf = made_by(erf_out, OpKind::Erf);
  if (!erf || !has_single_reader(*erf_out)) return nullptr;
  ir::Value* scaled = erf->input(0);
  if (!has_single_reader(*scaled)) return nullptr;
  ir::Node* div = made_by(scaled, OpKind::Div);
  ir::Node* mul = made_by(scaled, OpKind::Mul);
  ir::Value* x = nullptr;
  if (div && is_scalar(div->input(1), std::sqrt(2.0))) x = div->input(0);
  if (mul) x = operand_beside(mul, 1.0 / std::sqrt(2.0));
  if (!x) return nullptr;
  nodes.insert(nodes.end(), {add_one, erf, div ? div : mul});
  return x;
}

// x * 0.5 * (1 + erf(x / sqrt(2))) in either association.
bool fuse_gelu(ir::Graph& graph, ir::Node* last) {
  if (last->op() != OpKind::Mul || last->num_inputs() != 2) return false;
  std::vector<ir::Node*> nodes = {last};
  ir::Value* x = nullptr;
  if (ir::Value* product = operand_beside(last, 0.5)) {  // (x * (1 + erf)) * 0.5
    ir::Node* mul_x = made_by(product, OpKind::Mul);
    if (!mul_x || !has_single_reader(*product)) return false;
    nodes.push_back(mul_x);
    for (int side = 0; side < 2 && !x; ++side) {
      std::vector<ir::Node*> term;
      ir::Value* found = erf_term(mul_x->input(side), term);
      if (found && found == mul_x->input(1 - side)) {
        x = found;
        nodes.insert(nodes.end(), term.begin(), term.end());
      }
    }
  } else {  // (x * 0.5) * (1 + erf)
    for (int side = 0; side < 2 && !x; ++side) {
      ir::Node* half = made_by(last->input(side), OpKind::Mul);
      ir::Value* x_half = half ? operand_beside(half, 0.5) : nullptr;
      if (!x_half || !has_single_reader(*last->input(side))) continue;
      std::vector<ir::Node*> term;
      if (erf_term(last->input(1 - side), term) == x_half && !term.empty()) {
        x = x_half;
        nodes.push_back(half);
        nodes.insert(nodes.end(), term.begin(), term.end());
      }
    }
  }
  if (!x) return false;
  replace_pattern(graph, last, OpKind::Gelu, {x}, {}, 0, nodes);
  return true;
}

// Pad with zeros of the spatial axes, then AveragePool that pads nothing itself: torch.onnx.export
// spells nn.AvgPool2d(padding=p) that way (Inception-v3's branch pools). One AveragePool that pads
// and counts the padding averages the same windows, the same elements and zeros over the same count
// (ceil mode aside, whose last window would be cut off).
bool fuse_pad_into_average_pool(ir::Graph& graph, ir::Node* pool) {
  if (pool->op() != OpKind::AveragePool || pool->num_inputs() != 1) return false;
  const ir::Attributes& attributes = pool->attributes();
  const auto kernel = attributes.find_ints("kernel_shape");
  // With no padding of its own, whether the pool counts padding does not matter.
  if (!kernel || attributes.get_int("ceil_mode", 0) != 0 ||
      attributes.get_string("auto_pad", "NOTSET") != "NOTSET") {
    return false;
  }
  const std::vector<int64_t> own = attributes.get_ints("pads", {});
  if (std::any_of(own.begin(), own.end(), [](int64_t p) { return p != 0; })) return false;
  ir::Node* pad = made_by(pool->input(0), OpKind::Pad);
  if (!pad || !has_single_reader(*pad->output(0)) ||
      pad->attributes().get_string("mode", "constant") != "constant" || pad->num_inputs() > 3 ||
      (pad->num_inputs() == 3 && pad->input(2) && !is_scalar(pad->input(2), 0.0))) {
    return false;
  }
  const auto pads = constant_ints(*pad, 1);
  const size_t rank = kernel->size() + 2;
  if (!pads || pads->size() != 2 * rank ||
      std::any_of(pads->begin(), pads->end(), [](int64_t p) { return p < 0; }) || (*pads)[0] != 0 ||
      (*pads)[1] != 0 || (*pads)[rank] != 0 || (*pads)[rank + 1] != 0) {
    return false;
  }
  std::vector<int64_t> spatial(pads->begin() + 2, pads->begin() + rank);
  spatial.insert(spatial.end(), pads->begin() + rank + 2, pads->end());
  ir::Attributes fused = attributes;
  fused.set("pads", spatial);
  fused.set("count_include_pad", int64_t{1});
  replace_pattern(graph, pool, OpKind::AveragePool, {pad->input(0)}, std::move(fused),
                  pool->opset(), {pool, pad});
  return true;
}

}  // namespace

StatusOr<bool> fuse_ops(ir::Graph& graph, PassContext& context) {
  // Patterns end in their last node; walking backwards finds each end before its parts.
  // Ids, not pointers: a fusion removes nodes the walk has yet to reach.
  std::vector<ir::NodeId> order;
  for (const ir::Node* node : graph.nodes()) order.push_back(node->id());
  int64_t fused = 0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    ir::Node* node = graph.node(*it);
    if (node && (fuse_layer_norm(graph, node) || fuse_gelu(graph, node) ||
                 fuse_pad_into_average_pool(graph, node))) {
      ++fused;
    }
  }
  context.count(kFusedCounter, fused);
  return fused > 0;
}

}  // namespace ramiel::passes
