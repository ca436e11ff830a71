// Reading op parameters that are constant inputs. Parameters that older opsets gave as
// attributes (Slice starts, Squeeze axes, ...) are inputs here too: the import normalised them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/graph.h"

namespace ramiel::passes {

// The values of input `i` when it is a constant with data of an integer or bool dtype.
std::optional<std::vector<int64_t>> constant_ints(const ir::Node& node, size_t i);

// An optional integer-list input (Slice's axes, Squeeze's axes, Split's sizes, ...).
struct IntsOperand {
  bool present = false;                        // false: the input is omitted
  std::optional<std::vector<int64_t>> values;  // nullopt: given, but not a known constant
};
IntsOperand ints_operand(const ir::Node& node, size_t input);

}  // namespace ramiel::passes
