// Reading op parameters that are constants, including those ONNX moved from attributes to
// inputs at some opset (Slice starts at 10, Squeeze axes at 13, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/graph.h"

namespace ramiel::passes {

// The values of input `i` when it is a constant with data of an integer or bool dtype.
std::optional<std::vector<int64_t>> constant_ints(const ir::Node& node, size_t i);

// An integer-list parameter given as attribute `attribute` before opset `input_since_opset`
// and as input `input` from that opset on.
struct IntsOperand {
  bool present = false;                        // false: neither attribute nor input is given
  std::optional<std::vector<int64_t>> values;  // nullopt: given, but not a known constant
};
IntsOperand ints_operand(const ir::Node& node, const std::string& attribute, size_t input,
                         int input_since_opset);

}  // namespace ramiel::passes
