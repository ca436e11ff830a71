// How the generated program runs a node, where the graph alone decides it. The code generator
// applies these rules and the cost model predicts the program by them, so that the two agree.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include "core/ir/graph.h"

namespace ramiel::ir {

// Ops whose emitters always return a tensor no other value shares: a new tensor, or (for the ops
// that may compute in place) their own overwritable input, which nothing else sees either. Ops
// that may return a view or their input unchanged (Reshape, Identity, Dropout, Clip without
// bounds, Split, Slice, ...) are absent on purpose.
bool makes_fresh_tensor(OpKind op);

// Whether the one node reading `value` may overwrite it, as far as the graph tells: a
// floating-point tensor its producer made fresh, read by one node only and not a graph output.
// The code generator also keeps tensors handed to another worker (core/codegen/torch/overwrite.h).
bool may_be_overwritten(const Value& value);

// The input whose storage `node` computes its result in, where `may_overwrite_input(i)` says
// input i may be overwritten: a ReLU's input; a floating-point Add, Sub, Mul or Div's first input
// (either input of Add and Mul, which commute exactly) when it has the result's static shape and
// type, so nothing broadcasts into it and nothing is promoted. nullopt: the result is new.
std::optional<size_t> in_place_operand(const Node& node,
                                       const std::function<bool(size_t)>& may_overwrite_input);

// Whether the program runs a BatchNormalization as one multiply-add per channel, its scale and
// shift derived once at load: inference with scale, bias, mean and variance all constants, over
// a float32 or float64 input of known rank >= 2.
bool folds_to_affine(const Node& batch_norm);

}  // namespace ramiel::ir
