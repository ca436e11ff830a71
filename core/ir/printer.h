// A readable text form of the IR, for debugging, tests and `--print-after`.
#pragma once

#include <string>

#include "core/ir/graph.h"

namespace ramiel::ir {

// One line per input, constant and node, in order; deterministic.
std::string print_graph(const Graph& graph);
// "[1, 2, 3]", "1.5", "\"text\"", "tensor<float32[2x2]>": an attribute as the printer writes it.
std::string print_attribute(const AttributeValue& value);

}  // namespace ramiel::ir
