// Small graph rewrites shared by passes: replacing a value while keeping its ONNX name.
#pragma once

#include <string>

#include "core/ir/graph.h"

namespace ramiel::passes {

// Renames `value` to a fresh name derived from its own and returns the old name, so that a
// replacement can take it (users read ONNX names in the generated program).
std::string release_name(ir::Graph& graph, ir::Value* value);

// Points every use of `from` (graph outputs included) at `to`, which takes over `from`'s name.
void replace_keeping_name(ir::Graph& graph, ir::Value* from, ir::Value* to);

}  // namespace ramiel::passes
