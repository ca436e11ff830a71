#include "tests/codegen/emit_test_util.h"

#include "core/codegen/python/names.h"
#include "core/codegen/python/printer.h"

namespace ramiel::codegen::testing {

std::string TestEnvironment::variable(const ir::Value& value) {
  return py::sanitize_identifier(value.name());
}

StatusOr<py::ExprPtr> TestEnvironment::constant(const ir::Value& value) {
  return py::attr(py::name("c"), py::sanitize_identifier(value.name()));
}

StatusOr<py::ExprPtr> TestEnvironment::helper(std::string_view name) {
  return py::name(std::string(name));
}

std::string TestEnvironment::temporary(std::string_view hint) {
  return std::string(hint) + "_tmp";
}

py::ExprPtr TestEnvironment::derived_constant(std::string_view hint, py::ExprPtr recipe) {
  derived.emplace_back(std::string(hint), std::move(recipe));
  return py::attr(py::name("c"), std::string(hint));
}

StatusOr<std::string> emit_text(const ir::Node& node) {
  TestEnvironment env;
  EmitContext ctx(node, env);
  RAMIEL_RETURN_IF_ERROR(emit_node(ctx));
  std::string text = py::Printer().statements(ctx.statements()).text;
  for (const auto& [hint, recipe] : env.derived) {
    text += "c." + hint + " <- " + py::Printer().expr(*recipe) + "\n";
  }
  return text;
}

ir::Value* int_constant(ir::Graph& g, const std::string& name, ir::Shape shape,
                        std::vector<int64_t> values, ir::ConstantOrigin origin) {
  return g.add_constant(name, ir::Tensor::from_int64(ir::DType::kInt64, std::move(shape), values),
                        origin);
}

}  // namespace ramiel::codegen::testing
