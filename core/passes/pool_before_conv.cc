#include "core/passes/pool_before_conv.h"

#include <vector>

#include "core/passes/rewrite.h"

namespace ramiel::passes {
namespace {

using ir::OpKind;

// An absent attribute reads as no values: its default, which the callers' expectations match.
bool all_equal(const std::vector<int64_t>& values, int64_t expected) {
  for (int64_t v : values) {
    if (v != expected) return false;
  }
  return true;
}

bool no_auto_pad(const ir::Node& node) {
  const std::string pad = node.attributes().get_string("auto_pad", "NOTSET");
  return pad == "NOTSET" || pad == "VALID";
}

const ir::Shape* static_4d_shape(const ir::Value* value) {
  if (!value || !value->type().has_static_shape() || value->type().shape->size() != 4) {
    return nullptr;
  }
  return &*value->type().shape;
}

bool is_pointwise_conv(const ir::Node& conv) {
  if (conv.op() != OpKind::Conv || conv.num_outputs() != 1 || !no_auto_pad(conv)) return false;
  const ir::Attributes& a = conv.attributes();
  const ir::Shape* weight = static_4d_shape(conv.input(1));
  return weight && (*weight)[2] == 1 && (*weight)[3] == 1 && a.get_int("group", 1) == 1 &&
         all_equal(a.get_ints("strides", {}), 1) && all_equal(a.get_ints("pads", {}), 0) &&
         static_4d_shape(conv.input(0)) != nullptr;
}

bool is_unpadded_pool(const ir::Node& pool) {
  const ir::Attributes& a = pool.attributes();
  return pool.op() == OpKind::AveragePool && pool.num_outputs() == 1 && no_auto_pad(pool) &&
         all_equal(a.get_ints("pads", {}), 0) && a.get_int("ceil_mode", 0) == 0 &&
         all_equal(a.get_ints("dilations", {}), 1);
}

// Pool, then convolve: new nodes in the convolution's place, the old ones removed.
void swap(ir::Graph& graph, ir::Node* conv, ir::Node* pool) {
  ir::Value* x = conv->input(0);
  const ir::Shape& in = *x->type().shape;
  const ir::Shape& out = *pool->output(0)->type().shape;
  const ir::TensorType pooled_type{x->type().dtype, ir::Shape{in[0], in[1], out[2], out[3]}};
  ir::Node* early_pool = graph.add_node(
      OpKind::AveragePool, graph.unique_node_name(pool->name() + "_before_conv"), {x},
      {{graph.unique_value_name(pool->name() + "_before_conv_output_0"), pooled_type}},
      pool->attributes(), pool->opset());
  graph.move_before(early_pool, conv);
  std::vector<ir::Value*> inputs = conv->inputs();
  inputs[0] = early_pool->output(0);
  // The convolution keeps its name (marked), though it now writes the pool's output.
  replace_output_with_node(graph, pool, OpKind::Conv, inputs, conv->attributes(), conv->opset(),
                           conv->name() + "_after_pool");
  graph.remove_node(pool);
  graph.remove_node(conv);
}

}  // namespace

StatusOr<bool> pool_before_conv(ir::Graph& graph, PassContext& context) {
  std::vector<ir::Node*> convs;
  for (ir::Node* node : graph.nodes()) {
    if (is_pointwise_conv(*node)) convs.push_back(node);
  }
  int64_t swapped = 0;
  for (ir::Node* conv : convs) {
    ir::Value* y = conv->output(0);
    if (!has_single_reader(*y)) continue;
    ir::Node* pool = y->uses().front().user;
    const ir::Shape* pooled = static_4d_shape(pool->output(0));
    if (!is_unpadded_pool(*pool) || !pooled) continue;
    const ir::Shape& in = *conv->input(0)->type().shape;
    if (2 * (*pooled)[2] * (*pooled)[3] > in[2] * in[3]) continue;  // too few pixels saved
    swap(graph, conv, pool);
    ++swapped;
  }
  context.count(kPooledFirstCounter, swapped);
  return swapped > 0;
}

}  // namespace ramiel::passes
