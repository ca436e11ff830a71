// Sizes of values and dims of shapes for the cost functions, tolerant of unknown shapes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/ir/graph.h"

namespace ramiel::cost {

// Dims of `value` (empty when it is null or its rank is unknown). Unknown dims read as 1: the
// models Ramiel compiles run at batch size 1, and the batch is the dim most often left symbolic.
std::vector<int64_t> dims_of(const ir::Value* value);
// Elements of `value`; 0 when it is null or its rank is unknown.
double elements_of(const ir::Value* value);
// Bytes of `value` (4 per element when the dtype is unknown or a string).
double bytes_of(const ir::Value* value);

// Elements of the node's output `i`, or, when its rank is unknown, of its largest input:
// element-wise ops and most others produce about as many elements as they read.
double output_elements(const ir::Node& node, size_t i = 0);
// Bytes of every input (constants included: weights are read too) and every output.
double input_bytes(const ir::Node& node);
double output_bytes(const ir::Node& node);
// Bytes of the inputs that are constants (weights, biases).
double constant_input_bytes(const ir::Node& node);
// input_bytes + output_bytes, with output_elements' fallback for outputs of unknown rank.
double io_bytes(const ir::Node& node);

// Product of dims[begin, end) (1 for an empty range; clamped to the rank).
double product(const std::vector<int64_t>& dims, size_t begin, size_t end);
// dims[i], or `fallback` when the rank is too small.
int64_t dim_or(const std::vector<int64_t>& dims, size_t i, int64_t fallback);

}  // namespace ramiel::cost
