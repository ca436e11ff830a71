#include "core/passes/split_branches.h"

#include <numeric>
#include <string>
#include <vector>

#include "core/ir/split_parts.h"
#include "core/passes/rewrite.h"

namespace ramiel::passes {
namespace {

using ir::OpKind;

// A region cheaper than this is not worth splitting: the hand-off between workers costs tens
// of microseconds.
constexpr double kMinRegionCostUs = 500.0;
// A branch is dominant when it is this share of its region: two workers then wait for it at
// least 20% longer than a perfect split of the region would take.
constexpr double kDominantShare = 0.6;
// Channel counts of the halves are rounded to this multiple (vectorised kernels like it).
constexpr int64_t kChannelGranule = 8;

const ir::Shape* static_shape(const ir::Value* value) {
  const auto& shape = value->type().shape;
  return shape && value->type().has_static_shape() ? &*shape : nullptr;
}

// A Concat of 4-d tensors along the channels (axis 1).
bool is_channel_concat(const ir::Node& node) {
  if (node.op() != OpKind::Concat || node.num_outputs() != 1) return false;
  const ir::Shape* shape = static_shape(node.output(0));
  if (!shape || shape->size() != 4) return false;
  const int64_t axis = node.attributes().get_int("axis", 1);
  return axis == 1 || axis == -3;
}

// Ops that compute each element from the same element of their first input (other inputs are
// constants), so they can run on any channel range of it.
bool is_channelwise_unary(const ir::Node& node) {
  switch (node.op()) {
    case OpKind::Relu:
    case OpKind::LeakyRelu:
    case OpKind::Sigmoid:
    case OpKind::Tanh:
    case OpKind::Elu:
    case OpKind::Selu:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::Softplus:
    case OpKind::Clip:
      break;
    default:
      return false;
  }
  if (node.num_outputs() != 1) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i) {
    const ir::Value* in = node.input(i);
    if (in && !in->is_constant()) return false;
  }
  return true;
}

// A Conv of 4-d tensors without groups whose weight (and bias) are constants.
bool is_splittable_conv(const ir::Node& node) {
  if (node.op() != OpKind::Conv || node.num_outputs() != 1) return false;
  if (node.attributes().get_int("group", 1) != 1) return false;
  if (node.attributes().has(kOutputChannelsAttribute)) return false;
  const ir::Value* weight = node.input(1);
  const ir::Value* bias = node.input(2);
  const ir::Shape* out = static_shape(node.output(0));
  return weight && weight->is_constant() && (!bias || bias->is_constant()) && out &&
         out->size() == 4 && (*out)[1] >= 2 * kChannelGranule;
}

// The branch that ends in `value`: the chain of producers whose result only the chain reads,
// from the value backwards (so the first node is the Concat's operand's producer).
std::vector<ir::Node*> branch_ending_in(ir::Value* value) {
  std::vector<ir::Node*> chain;
  while (value->kind() == ir::ValueKind::kNodeOutput && has_single_reader(*value)) {
    ir::Node* producer = value->producer();
    if (producer->num_outputs() != 1 || producer->num_inputs() == 0) break;
    chain.push_back(producer);
    value = producer->input(0);
    if (!value) break;
  }
  return chain;
}

double cost_of(const std::vector<ir::Node*>& nodes, const PassContext& context) {
  double total = 0.0;
  for (const ir::Node* node : nodes) total += context.node_cost_us(*node);
  return total;
}

ir::TensorType with_channels(ir::TensorType type, int64_t channels) {
  (*type.shape)[1] = channels;
  return type;
}

// Replaces `concat` by one with `inputs` (same attributes and output; its name marked).
void replace_concat_inputs(ir::Graph& graph, ir::Node* concat,
                           const std::vector<ir::Value*>& inputs) {
  replace_output_with_node(graph, concat, OpKind::Concat, inputs, concat->attributes(),
                           concat->opset(), concat->name() + "_joined");
  graph.remove_node(concat);
}

// Inner channel Concats read only by `concat` become part of its operand list.
bool flatten_nested(ir::Graph& graph, ir::Node* concat) {
  std::vector<ir::Value*> inputs;
  std::vector<ir::Node*> inners;
  for (ir::Value* in : concat->inputs()) {
    ir::Node* inner = in->kind() == ir::ValueKind::kNodeOutput ? in->producer() : nullptr;
    if (inner && is_channel_concat(*inner) && has_single_reader(*in)) {
      inputs.insert(inputs.end(), inner->inputs().begin(), inner->inputs().end());
      inners.push_back(inner);
    } else {
      inputs.push_back(in);
    }
  }
  if (inners.empty()) return false;
  replace_concat_inputs(graph, concat, inputs);
  for (ir::Node* inner : inners) graph.remove_node(inner);
  return true;
}

// Splits the convolution at `tail.back()` (the branch's end is `tail.front()`; the nodes between
// are channelwise unary ops) in two along its output channels. Returns the branch's two ends.
std::vector<ir::Value*> split_tail(ir::Graph& graph, const std::vector<ir::Node*>& tail) {
  ir::Node* conv = tail.back();
  const int64_t channels = (*conv->output(0)->type().shape)[1];
  int64_t half = (channels / 2 + kChannelGranule / 2) / kChannelGranule * kChannelGranule;
  if (half <= 0 || half >= channels) half = channels / 2;

  const float first_share = static_cast<float>(half) / static_cast<float>(channels);
  // Both parts of every node divided here say which share of the whole they compute.
  auto divide = [&](ir::Node* node) {
    ir::Node* copy = graph.clone_node(node, ir::kSplitPartSuffix);
    node->attributes().set(ir::kSplitShareAttribute, first_share);
    copy->attributes().set(ir::kSplitShareAttribute, 1.0f - first_share);
    node->output(0)->set_type(with_channels(node->output(0)->type(), half));
    copy->output(0)->set_type(with_channels(copy->output(0)->type(), channels - half));
    return copy;
  };

  ir::Node* second = divide(conv);
  conv->attributes().set(kOutputChannelsAttribute, std::vector<int64_t>{0, half});
  second->attributes().set(kOutputChannelsAttribute, std::vector<int64_t>{half, channels});

  ir::Value* first_end = conv->output(0);
  ir::Value* second_end = second->output(0);
  for (auto it = tail.rbegin() + 1; it != tail.rend(); ++it) {  // from the conv to the Concat
    ir::Node* op = *it;
    ir::Node* copy = divide(op);
    copy->set_input(0, second_end);
    first_end = op->output(0);
    second_end = copy->output(0);
  }
  return {first_end, second_end};
}

// The end of the branch (its unary ops back to a splittable conv), or empty.
std::vector<ir::Node*> splittable_tail(const std::vector<ir::Node*>& branch) {
  std::vector<ir::Node*> tail;
  for (ir::Node* node : branch) {
    tail.push_back(node);
    if (is_splittable_conv(*node)) return tail;
    if (!is_channelwise_unary(*node)) break;
  }
  return {};
}

// Splits the dominant branch of `concat`, if it has one.
bool balance(ir::Graph& graph, ir::Node* concat, const PassContext& context) {
  const std::vector<ir::Value*> inputs = concat->inputs();
  std::vector<double> costs;
  std::vector<std::vector<ir::Node*>> branches;
  for (ir::Value* in : inputs) {
    branches.push_back(branch_ending_in(in));
    costs.push_back(cost_of(branches.back(), context));
  }
  const double total = std::accumulate(costs.begin(), costs.end(), 0.0);
  const size_t heaviest =
      static_cast<size_t>(std::max_element(costs.begin(), costs.end()) - costs.begin());
  if (inputs.size() < 2 || total < kMinRegionCostUs || costs[heaviest] <= kDominantShare * total) {
    return false;
  }
  const std::vector<ir::Node*> tail = splittable_tail(branches[heaviest]);
  if (tail.empty() || context.node_cost_us(*tail.back()) < costs[heaviest] / 2) return false;

  const std::vector<ir::Value*> ends = split_tail(graph, tail);
  std::vector<ir::Value*> joined;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i == heaviest) {
      joined.insert(joined.end(), ends.begin(), ends.end());
    } else {
      joined.push_back(inputs[i]);
    }
  }
  replace_concat_inputs(graph, concat, joined);
  return true;
}

}  // namespace

StatusOr<bool> split_branches(ir::Graph& graph, PassContext& context) {
  if (context.workers < 2 || !context.node_cost_us) return false;
  auto channel_concats = [&graph] {
    std::vector<ir::Node*> concats;
    for (ir::Node* node : graph.nodes()) {
      if (is_channel_concat(*node)) concats.push_back(node);
    }
    return concats;
  };
  bool changed = false;
  // In topological order an inner Concat is flattened before the outer one removes it.
  for (ir::Node* concat : channel_concats()) changed |= flatten_nested(graph, concat);
  int64_t split = 0;
  // Flattening replaced Concats: balance the survivors.
  for (ir::Node* concat : channel_concats()) {
    if (balance(graph, concat, context)) ++split;
  }
  context.count(kSplitCounter, split);
  return changed || split > 0;
}

}  // namespace ramiel::passes
