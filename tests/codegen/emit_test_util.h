// Test helpers: emit one node of a hand-built graph and print its statements.
#pragma once

#include <string>

#include "core/codegen/torch/emitter.h"
#include "core/ir/graph.h"

namespace ramiel::codegen::testing {

inline ir::TensorType f32(ir::Shape shape) {
  return {ir::DType::kFloat32, std::move(shape)};
}
inline ir::TensorType i64(ir::Shape shape) {
  return {ir::DType::kInt64, std::move(shape)};
}

// Variables are the sanitised value names, constants `c.<name>`, helpers their own names;
// derived constants `c.<hint>`, kept with their recipes.
class TestEnvironment : public EmitEnvironment {
 public:
  std::string variable(const ir::Value& value) override;
  StatusOr<py::ExprPtr> constant(const ir::Value& value) override;
  StatusOr<py::ExprPtr> helper(std::string_view name) override;
  std::string temporary(std::string_view hint) override;
  py::ExprPtr derived_constant(std::string_view hint, py::ExprPtr recipe) override;

  std::vector<std::pair<std::string, py::ExprPtr>> derived;
};

// The node's statements as printed Python, then a line "c.<hint> <- <recipe>" per constant it
// derived; or the emitter's error.
StatusOr<std::string> emit_text(const ir::Node& node);

// An int64 constant with contents (shapes, axes, indices).
ir::Value* int_constant(ir::Graph& g, const std::string& name, ir::Shape shape,
                        std::vector<int64_t> values,
                        ir::ConstantOrigin origin = ir::ConstantOrigin::kFolded);

}  // namespace ramiel::codegen::testing
