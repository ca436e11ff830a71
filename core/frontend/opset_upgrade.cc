#include "core/frontend/opset_upgrade.h"

#include "core/frontend/legacy_adapters.h"
#include "core/frontend/legacy_rules.h"

#include <onnx/defs/schema.h>
#include <onnx/version_converter/convert.h>

#include <exception>
#include <map>
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

// Ranks the model file declares for its values (graph inputs, outputs, value_info, initializers):
// all the shape information ONNX's version converter has.
std::map<std::string, int> declared_ranks(const onnx::GraphProto& graph) {
  std::map<std::string, int> ranks;
  for (const auto* values : {&graph.input(), &graph.output(), &graph.value_info()}) {
    for (const onnx::ValueInfoProto& value : *values) {
      const auto& type = value.type();
      if (type.has_tensor_type() && type.tensor_type().has_shape()) {
        ranks[value.name()] = type.tensor_type().shape().dim_size();
      }
    }
  }
  for (const onnx::TensorProto& tensor : graph.initializer())
    ranks[tensor.name()] = tensor.dims_size();
  return ranks;
}

// The Gemm 6->7 adapter reads dimensions 0 and 1 of A's and B's declared shapes without looking
// at their rank (a rank-0 A crashed it, found by fuzzing).
Status check_gemm_upgradable(const onnx::NodeProto& node, int index,
                             const std::map<std::string, int>& ranks) {
  for (int input = 0; input < 2 && input < node.input_size(); ++input) {
    const auto it = ranks.find(node.input(input));
    if (it == ranks.end() || it->second != 2) {
      return invalid_argument(
          "node #" + std::to_string(index) + " (Gemm): upgrading it to opset 7 needs input " +
          (input == 0 ? "A" : "B") + " declared as a 2-D tensor in the model, " +
          (it == ranks.end() ? std::string("and it has no declared shape")
                             : "not rank " + std::to_string(it->second)));
    }
  }
  return ok_status();
}

// The converter's adapters index a node's inputs and attributes as its schema declares them
// (a one-input Mul crashed it, found by fuzzing), so every node must match its schema at the
// model's own opset first: the checks of the onnx checker that need no tensor data.
Status check_nodes_match_schemas(const onnx::GraphProto& graph, int opset) {
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& node = graph.node(i);
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      return unimplemented("node #" + std::to_string(i) + ": only ai.onnx operators are supported");
    }
    const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(node.op_type(), opset, "");
    if (schema == nullptr) {
      return unimplemented("node #" + std::to_string(i) +
                           ": no ai.onnx operator of that name in opset " + std::to_string(opset) +
                           ", so the model cannot be upgraded");
    }
    try {
      schema->Verify(node);
    } catch (const std::exception& e) {
      return invalid_argument("node #" + std::to_string(i) +
                              " does not match its ONNX schema: " + e.what());
    }
    for (const auto& attribute : node.attribute()) {
      if (attribute.has_g())
        RAMIEL_RETURN_IF_ERROR(check_nodes_match_schemas(attribute.g(), opset));
      for (const auto& subgraph : attribute.graphs()) {
        RAMIEL_RETURN_IF_ERROR(check_nodes_match_schemas(subgraph, opset));
      }
    }
  }
  return ok_status();
}

// Every Gemm the converter will upgrade to opset 7, in the graph and its subgraphs, with the ranks
// the model declares or shape inference found.
Status check_gemms_upgradable(const onnx::GraphProto& graph, int opset) {
  const std::map<std::string, int> ranks = declared_ranks(graph);
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& node = graph.node(i);
    if (node.op_type() == "Gemm" && opset < 7)
      RAMIEL_RETURN_IF_ERROR(check_gemm_upgradable(node, i, ranks));
    for (const auto& attribute : node.attribute()) {
      if (attribute.has_g()) RAMIEL_RETURN_IF_ERROR(check_gemms_upgradable(attribute.g(), opset));
      for (const auto& subgraph : attribute.graphs()) {
        RAMIEL_RETURN_IF_ERROR(check_gemms_upgradable(subgraph, opset));
      }
    }
  }
  return ok_status();
}

}  // namespace

Status upgrade_opset(onnx::ModelProto& model, int from, int target) {
  RAMIEL_RETURN_IF_ERROR(check_outputs_defined(model));
  RAMIEL_RETURN_IF_ERROR(check_nodes_match_schemas(model.graph(), from));
  RAMIEL_RETURN_IF_ERROR(apply_pre_conversion_rules(model, from));
  RAMIEL_RETURN_IF_ERROR(check_gemms_upgradable(model.graph(), from));
  disguise_unconvertible_nodes(*model.mutable_graph(), from);
  try {
    model = onnx::version_conversion::ConvertVersion(model, target);
  } catch (const std::exception& e) {
    return unimplemented("the model uses ai.onnx opset " + std::to_string(from) +
                         " and ONNX's version converter cannot upgrade it to opset " +
                         std::to_string(target) + ": " + e.what());
  }
  RAMIEL_RETURN_IF_ERROR(adapt_disguised_nodes(*model.mutable_graph()));
  apply_post_conversion_rules(model);
  return ok_status();
}

}  // namespace ramiel::frontend
