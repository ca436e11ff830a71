// If, Loop and Scan as Python `if` and `for` statements: the body graphs are lowered by the same
// emitters (through BodyLowering, which the lowering implements) into a nested block of the
// cluster function that runs the node.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/codegen/python/ast.h"
#include "core/codegen/torch/emitter.h"

namespace ramiel::codegen {

// What the lowering offers a control-flow emitter.
class BodyLowering {
 public:
  virtual ~BodyLowering() = default;
  // Makes a body input read as `expr` (a captured outer value: its variable or constant).
  virtual void bind(const ir::Value& body_input, py::ExprPtr expr) = 0;
  // A fresh variable that is not released after the node (a loop index, a scan slice: a loop
  // that runs no iteration never assigns them).
  virtual std::string fresh_name(std::string_view hint) = 0;
  // The body's statements (its inputs bound or named first); they leave every body output in
  // its variable and release every other local of the body.
  virtual StatusOr<std::vector<py::Stmt>> lower(const ir::Graph& body) = 0;
  // The expression reading a body output after lower() (a body variable, an input, a constant).
  virtual StatusOr<py::ExprPtr> output(const ir::Value& body_output) = 0;
  // `del` of the body outputs' own variables, for the end of the block.
  virtual std::vector<py::Stmt> release_outputs(const ir::Graph& body) = 0;
};

// Emits an If, Loop, Scan or SequenceMap node.
Status emit_control_flow(EmitContext& ctx, BodyLowering& lowering);

}  // namespace ramiel::codegen
