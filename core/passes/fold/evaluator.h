// The constant-folding evaluator table: one evaluator per OpKind, following ONNX per opset.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/ir/graph.h"

namespace ramiel::passes::fold {

// What an evaluator sees of the node it folds.
class FoldContext {
 public:
  FoldContext(const ir::Node& node, int64_t max_elements)
      : node_(node), max_elements_(max_elements) {}

  const ir::Node& node() const { return node_; }
  int opset() const { return node_.opset(); }
  const ir::Attributes& attributes() const { return node_.attributes(); }
  size_t num_inputs() const { return node_.num_inputs(); }
  size_t num_outputs() const { return node_.num_outputs(); }
  // Whether input `i` is given (not an omitted optional input).
  bool has_input(size_t i) const { return node_.input(i) != nullptr; }
  // The contents of input `i`; null when omitted, not a constant with data, or of strings
  // (evaluators work on numbers only).
  const ir::Tensor* tensor(size_t i) const;
  // The static type of input `i`; null when omitted.
  const ir::TensorType* type(size_t i) const;
  // The values of input `i` when it is a constant integer tensor.
  std::optional<std::vector<int64_t>> ints(size_t i) const;
  // Whether a result of `shape` is small enough to fold (evaluators check before computing).
  bool fits(const ir::Shape& shape) const;

 private:
  const ir::Node& node_;
  int64_t max_elements_;
};

using Tensors = std::vector<ir::Tensor>;
// One tensor per node output, or nullopt: not folded (an unsupported case, a result too big,
// or inputs the op rejects at run time; the node then stays and the runtime decides).
using FoldResult = std::optional<Tensors>;
using Evaluator = FoldResult (*)(const FoldContext& context);

struct FoldRule {
  Evaluator evaluate = nullptr;
  // Shape and Size read only their input's static type, so they fold non-constant inputs.
  bool reads_types_only = false;
};

// The rule for `op`; `evaluate` is null when Ramiel does not fold the op.
const FoldRule& fold_rule(ir::OpKind op);

inline FoldResult one(ir::Tensor tensor) {
  Tensors out;
  out.push_back(std::move(tensor));
  return out;
}

// Each family of evaluators fills its entries of the table (one file per family).
using FoldTable = std::array<FoldRule, ir::kNumOpKinds>;
inline void set_rule(FoldTable& table, ir::OpKind op, Evaluator evaluate, bool types_only = false) {
  table[static_cast<size_t>(op)] = FoldRule{evaluate, types_only};
}
void register_shape_evaluators(FoldTable& table);
void register_movement_evaluators(FoldTable& table);
void register_arithmetic_evaluators(FoldTable& table);
void register_logic_evaluators(FoldTable& table);
void register_float_evaluators(FoldTable& table);
void register_cast_evaluators(FoldTable& table);
void register_generator_evaluators(FoldTable& table);
void register_reduce_evaluators(FoldTable& table);

}  // namespace ramiel::passes::fold
