#include "core/passes/clone_nodes.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace ramiel::passes {
namespace {

using ir::OpKind;

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Ops whose copies would not compute the same value, or that are not plain tensor functions.
bool may_duplicate(const ir::Node& node) {
  if (node.num_outputs() != 1) return false;
  switch (node.op()) {
    case OpKind::Bernoulli:
    case OpKind::Multinomial:
    case OpKind::RandomNormal:
    case OpKind::RandomNormalLike:
    case OpKind::RandomUniform:
    case OpKind::RandomUniformLike:
    case OpKind::Dropout:
    case OpKind::If:
    case OpKind::Loop:
    case OpKind::Scan:
    case OpKind::SequenceAt:
    case OpKind::SequenceConstruct:
    case OpKind::SequenceEmpty:
    case OpKind::SequenceErase:
    case OpKind::SequenceInsert:
    case OpKind::SequenceLength:
    case OpKind::SequenceMap:
    case OpKind::SplitToSequence:
    case OpKind::ConcatFromSequence:
    case OpKind::Optional:
    case OpKind::OptionalGetElement:
    case OpKind::OptionalHasElement:
      return false;
    default:
      return true;
  }
}

// Replication costs of original values, memoized by value id.
class ReplicationCosts {
 public:
  ReplicationCosts(const ir::Graph& graph, const PassContext& context)
      : context_(context), memo_(static_cast<size_t>(graph.value_id_bound()), -1.0) {}

  double of(const ir::Value* value, int depth = 0) {
    if (!value || value->kind() != ir::ValueKind::kNodeOutput) return 0.0;
    const auto id = static_cast<size_t>(value->id());
    if (memo_[id] >= 0.0) return memo_[id];
    if (depth > kMaxReplicationDepth) {
      truncated_ = true;
      return kInfinity;
    }
    const bool outer_truncated = truncated_;
    truncated_ = false;
    const ir::Node& producer = *value->producer();
    double cost = kInfinity;
    if (may_duplicate(producer)) {
      cost = context_.node_cost_us(producer);
      for (const ir::Value* in : producer.inputs()) cost += of(in, depth + 1);
      if (!(cost < context_.transfer_cost_us(*value))) cost = kInfinity;
    }
    // A cost cut short by the depth bound depends on where the walk started: not remembered.
    if (!truncated_) memo_[id] = cost;
    truncated_ = truncated_ || outer_truncated;
    return cost;
  }

 private:
  const PassContext& context_;
  std::vector<double> memo_;  // -1: not computed yet
  bool truncated_ = false;
};

// The distinct nodes reading `value`, by id (deterministic; all come after its producer).
std::vector<ir::Node*> consumers_of(const ir::Value& value) {
  std::vector<ir::Node*> consumers;
  for (const ir::Use& use : value.uses()) consumers.push_back(use.user);
  std::sort(consumers.begin(), consumers.end(),
            [](const ir::Node* a, const ir::Node* b) { return a->id() < b->id(); });
  consumers.erase(std::unique(consumers.begin(), consumers.end()), consumers.end());
  return consumers;
}

}  // namespace

StatusOr<bool> clone_nodes(ir::Graph& graph, PassContext& context) {
  // One worker never waits for a transfer: a copy would only compute the value twice.
  if (context.workers < 2 || !context.node_cost_us || !context.transfer_cost_us) return false;
  ReplicationCosts costs(graph, context);
  int64_t cloned = 0;
  // Reverse order: consumers are cloned before their producers are considered, so a cheap
  // producer sees the extra consumers the clones gave it.
  const std::vector<ir::Node*> order(graph.nodes().rbegin(), graph.nodes().rend());
  for (ir::Node* node : order) {
    if (node->num_outputs() != 1) continue;
    ir::Value* out = node->output(0);
    const std::vector<ir::Node*> consumers = consumers_of(*out);
    if (consumers.size() < 2 || costs.of(out) == kInfinity) continue;
    const size_t copies = std::min(consumers.size() - 1, static_cast<size_t>(kMaxClonesPerNode));
    for (size_t k = 1; k <= copies; ++k) {
      ir::Node* clone = graph.clone_node(node, "_clone");
      ir::Node* consumer = consumers[k];
      for (size_t i = 0; i < consumer->num_inputs(); ++i) {
        if (consumer->input(i) == out) consumer->set_input(i, clone->output(0));
      }
      ++cloned;
    }
  }
  context.count(kClonedCounter, cloned);
  return cloned > 0;
}

}  // namespace ramiel::passes
