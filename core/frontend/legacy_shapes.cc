#include "core/frontend/legacy_shapes.h"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/frontend/inference_guards.h"
#include "core/frontend/node_attributes.h"
#include "core/ir/tensor.h"

namespace ramiel::frontend {
namespace {

// Ops whose output has its first input's shape and type, at every opset below 7 (the broadcasting
// ones broadcast only their second operand into the first then).
const std::set<std::string>& like_first_input() {
  static const std::set<std::string> ops = {"Abs",       "Add",         "BatchNormalization",
                                            "Ceil",      "Clip",        "Div",
                                            "Dropout",   "Elu",         "Exp",
                                            "Floor",     "HardSigmoid", "InstanceNormalization",
                                            "LeakyRelu", "Log",         "Max",
                                            "Mean",      "Min",         "Mul",
                                            "Neg",       "PRelu",       "Reciprocal",
                                            "Relu",      "Selu",        "Sigmoid",
                                            "Sqrt",      "Sub",         "Sum",
                                            "Tanh"};
  return ops;
}

// The output of one old op without an inference function, when its inputs are known.
std::optional<Known> legacy_output(const onnx::NodeProto& node, const KnownShapes& known) {
  std::vector<const Known*> in;
  for (const std::string& name : node.input()) {
    auto it = known.find(name);
    in.push_back(it == known.end() ? nullptr : &it->second);
  }
  if (in.empty() || !in[0]) return std::nullopt;
  const std::string& op = node.op_type();
  if (like_first_input().contains(op)) return *in[0];
  if (op == "Gemm" && in.size() >= 2 && in[1] && in[0]->dims.size() == 2 &&
      in[1]->dims.size() == 2) {
    const bool trans_a = int_attribute(node, "transA").value_or(0) != 0;
    const bool trans_b = int_attribute(node, "transB").value_or(0) != 0;
    return Known{in[0]->elem_type, {in[0]->dims[trans_a ? 1 : 0], in[1]->dims[trans_b ? 0 : 1]}};
  }
  if (op == "Concat") {
    const auto rank = static_cast<int64_t>(in[0]->dims.size());
    int64_t axis = int_attribute(node, "axis").value_or(1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) return std::nullopt;
    Known out = *in[0];
    for (size_t i = 1; i < in.size(); ++i) {
      if (!in[i] || in[i]->dims.size() != in[0]->dims.size()) return std::nullopt;
      const int64_t d = in[i]->dims[static_cast<size_t>(axis)];
      int64_t& sum = out.dims[static_cast<size_t>(axis)];
      sum = sum < 0 || d < 0 ? -1 : sum + d;
    }
    return out;
  }
  if (op == "Cast") {  // Cast-1 names its type ("FLOAT")
    for (const auto& a : node.attribute()) {
      onnx::TensorProto_DataType type;
      if (a.name() != "to") continue;
      if (a.type() == onnx::AttributeProto::INT)
        return Known{static_cast<int32_t>(a.i()), in[0]->dims};
      if (onnx::TensorProto_DataType_Parse(a.s(), &type)) return Known{type, in[0]->dims};
    }
    return std::nullopt;
  }
  if (op == "Reshape" && node.input_size() == 1) {
    auto shape = ints_attribute(node, "shape");
    if (!shape) return std::nullopt;
    auto dims = ir::reshaped(in[0]->dims, *shape, /*allow_zero=*/false);
    if (!dims) return std::nullopt;
    return Known{in[0]->elem_type, *dims};
  }
  return std::nullopt;
}

bool has_inference(const onnx::NodeProto& node, int opset) {
  const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(node.op_type(), opset, "");
  return schema && schema->has_type_and_shape_inference_function();
}

}  // namespace

KnownShapes known_shapes(const onnx::GraphProto& graph) {
  KnownShapes known;
  for (const auto* values : {&graph.input(), &graph.output(), &graph.value_info()}) {
    for (const onnx::ValueInfoProto& value : *values) {
      const auto& type = value.type();
      if (!type.has_tensor_type() || !type.tensor_type().has_shape()) continue;
      Known k{type.tensor_type().elem_type(), {}};
      for (const auto& dim : type.tensor_type().shape().dim()) {
        k.dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
      }
      known[value.name()] = std::move(k);
    }
  }
  for (const onnx::TensorProto& tensor : graph.initializer()) {
    known[tensor.name()] = {tensor.data_type(), {tensor.dims().begin(), tensor.dims().end()}};
  }
  return known;
}

onnx::ValueInfoProto value_info(const std::string& name, const Known& known) {
  onnx::ValueInfoProto info;
  info.set_name(name);
  auto* type = info.mutable_type()->mutable_tensor_type();
  type->set_elem_type(known.elem_type);
  auto* shape = type->mutable_shape();
  for (int64_t d : known.dims) {
    auto* dim = shape->add_dim();
    if (d >= 0) dim->set_dim_value(d);
  }
  return info;
}

void infer_legacy_shapes(onnx::ModelProto& model, int opset) {
  install_shape_inference_guards();
  onnx::GraphProto& graph = *model.mutable_graph();
  // onnx's inference stops at each old op without a function; ours fills those, and then onnx's
  // carries on past them. Each round gets at least one more op, or ends.
  for (int round = 0; round <= graph.node_size(); ++round) {
    onnx::ModelProto inferred = model;
    try {
      onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance());
    } catch (const std::exception&) {
      return;
    }
    *graph.mutable_value_info() = inferred.graph().value_info();
    KnownShapes known = known_shapes(graph);
    bool added = false;
    for (const onnx::NodeProto& node : graph.node()) {
      if ((!node.domain().empty() && node.domain() != "ai.onnx") || node.output_size() < 1 ||
          known.contains(node.output(0)) || has_inference(node, opset)) {
        continue;
      }
      if (auto out = legacy_output(node, known)) {
        *graph.add_value_info() = value_info(node.output(0), *out);
        known[node.output(0)] = std::move(*out);
        added = true;
      }
    }
    if (!added) return;
  }
}

}  // namespace ramiel::frontend
