// Small graph rewrites shared by passes: replacing a value while keeping its ONNX name.
#pragma once

#include <string>
#include <vector>

#include "core/ir/graph.h"

namespace ramiel::passes {

// Renames `value` to a fresh name derived from its own and returns the old name, so that a
// replacement can take it (users read ONNX names in the generated program).
std::string release_name(ir::Graph& graph, ir::Value* value);

// Points every use of `from` (graph outputs included) at `to`, which takes over `from`'s name.
void replace_keeping_name(ir::Graph& graph, ir::Value* from, ir::Value* to);

// Whether exactly one use reads `value` and it is not a graph output: rewriting its reader may
// drop it.
bool has_single_reader(const ir::Value& value);

// A new `op` node named `name` (made unique) and reading `inputs`, placed right before the
// one-output node `old`, takes over `old`'s output (its uses and ONNX name). `old` is left
// unused for the caller to remove.
ir::Node* replace_output_with_node(ir::Graph& graph, ir::Node* old, ir::OpKind op,
                                   const std::vector<ir::Value*>& inputs, ir::Attributes attributes,
                                   int opset, const std::string& name);

}  // namespace ramiel::passes
