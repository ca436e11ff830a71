#include "core/frontend/opset_upgrade.h"

#include <onnx/version_converter/convert.h>

#include <exception>
#include <string>
#include <unordered_set>

namespace ramiel::frontend {
namespace {

// ONNX's converter (graphProtoToGraph) dereferences a null value for a top-level graph output
// that no input, initializer or node defines (found by fuzzing): refuse those graphs first.
Status check_outputs_defined(const onnx::ModelProto& model) {
  const onnx::GraphProto& graph = model.graph();
  std::unordered_set<std::string> defined = {""};
  for (const auto& input : graph.input()) defined.insert(input.name());
  // Before IR version 4 an initializer is a value only when it is also an input.
  if (model.ir_version() >= 4) {
    for (const auto& initializer : graph.initializer()) defined.insert(initializer.name());
  }
  for (const auto& node : graph.node()) defined.insert(node.output().begin(), node.output().end());
  for (int i = 0; i < graph.output_size(); ++i) {
    if (!defined.contains(graph.output(i).name())) {
      return invalid_argument("graph output #" + std::to_string(i) +
                              " is not an input, an initializer or a node's output");
    }
  }
  return ok_status();
}

}  // namespace

Status upgrade_opset(onnx::ModelProto& model, int from, int target) {
  RAMIEL_RETURN_IF_ERROR(check_outputs_defined(model));
  try {
    model = onnx::version_conversion::ConvertVersion(model, target);
  } catch (const std::exception& e) {
    return unimplemented("the model uses ai.onnx opset " + std::to_string(from) +
                         " and ONNX's version converter cannot upgrade it to opset " +
                         std::to_string(target) + ": " + e.what());
  }
  return ok_status();
}

}  // namespace ramiel::frontend
