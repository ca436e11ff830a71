#include "core/frontend/legacy_adapters.h"

#include <onnx/defs/tensor_proto_util.h>

#include <map>
#include <string>
#include <vector>

#include "core/frontend/node_attributes.h"

namespace ramiel::frontend {
namespace {

// The attribute that carries a disguised node's real op type through the converter.
constexpr char kRealOp[] = "ramiel.legacy_op";

// Op -> the last opset whose form the converter cannot upgrade (it has no adapter to the next).
const std::map<std::string, int>& unconvertible_until() {
  static const std::map<std::string, int> ops = {
      {"Cast", 5}, {"Pad", 1}, {"Split", 1}, {"LpPool", 1}, {"GlobalLpPool", 1},
      {"And", 6},  {"Or", 6},  {"Xor", 6},   {"Equal", 6},  {"Greater", 6},
      {"Less", 6}, {"RNN", 6}, {"GRU", 6},   {"LSTM", 6}};
  return ops;
}

std::string label(const onnx::NodeProto& node) {
  return "node '" + node.name() + "' (" + node.op_type() + ", before opset 7)";
}

// Cast-1 to Cast-6: `to` names the type ("FLOAT") instead of numbering it.
Status adapt_cast(onnx::NodeProto& node) {
  onnx::AttributeProto* to = find_attribute(node, "to");
  if (!to || to->type() != onnx::AttributeProto::STRING) return ok_status();
  onnx::TensorProto_DataType type;
  if (!onnx::TensorProto_DataType_Parse(to->s(), &type) || type == onnx::TensorProto::UNDEFINED) {
    return invalid_argument(label(node) + ": attribute to=" + to->s() + " names no tensor type");
  }
  to->clear_s();
  to->set_type(onnx::AttributeProto::INT);
  to->set_i(type);
  return ok_status();
}

// Split-1 to Split-2: the sizes may come as a second input, which must then be an initializer.
Status adapt_split(onnx::NodeProto& node, const onnx::GraphProto& graph) {
  if (node.input_size() < 2 || node.input(1).empty()) {
    if (node.input_size() > 1) node.mutable_input()->RemoveLast();
    return ok_status();
  }
  for (const onnx::TensorProto& tensor : graph.initializer()) {
    if (tensor.name() != node.input(1)) continue;
    std::vector<int64_t> sizes;
    if (tensor.data_type() == onnx::TensorProto::INT64) {
      sizes = onnx::ParseData<int64_t>(&tensor);
    } else if (tensor.data_type() == onnx::TensorProto::INT32) {
      for (int32_t v : onnx::ParseData<int32_t>(&tensor)) sizes.push_back(v);
    } else {
      break;
    }
    remove_attribute(node, "split");
    onnx::AttributeProto* split = node.add_attribute();
    split->set_name("split");
    split->set_type(onnx::AttributeProto::INTS);
    for (int64_t size : sizes) split->add_ints(size);
    node.mutable_input()->RemoveLast();
    return ok_status();
  }
  return unimplemented(label(node) +
                       ": its split sizes come from a value, not an integer initializer");
}

Status adapt(onnx::NodeProto& node, const onnx::GraphProto& graph) {
  const std::string& op = node.op_type();
  if (op == "Cast") return adapt_cast(node);
  if (op == "Split") return adapt_split(node, graph);
  if (op == "Pad") {
    if (onnx::AttributeProto* paddings = find_attribute(node, "paddings"))
      paddings->set_name("pads");
  } else if (op == "LpPool" || op == "GlobalLpPool") {
    onnx::AttributeProto* p = find_attribute(node, "p");
    if (p && p->type() == onnx::AttributeProto::FLOAT) {
      const auto exponent = static_cast<int64_t>(p->f());
      p->clear_f();
      p->set_type(onnx::AttributeProto::INT);
      p->set_i(exponent);
    }
  } else if (op == "RNN" || op == "GRU" || op == "LSTM") {
    remove_attribute(node, "output_sequence");
  } else {
    // Comparisons and logic: numpy broadcasting from opset 7 on; an `axis` was already turned
    // into an Unsqueeze (legacy_rules.h).
    remove_attribute(node, "broadcast");
    remove_attribute(node, "axis");
  }
  return ok_status();
}

}  // namespace

void disguise_unconvertible_nodes(onnx::GraphProto& graph, int from) {
  for (onnx::NodeProto& node : *graph.mutable_node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") continue;
    auto it = unconvertible_until().find(node.op_type());
    if (it == unconvertible_until().end() || from > it->second) continue;
    onnx::AttributeProto* real = node.add_attribute();
    real->set_name(kRealOp);
    real->set_type(onnx::AttributeProto::STRING);
    real->set_s(node.op_type());
    node.set_op_type("Identity");
  }
}

Status adapt_disguised_nodes(onnx::GraphProto& graph) {
  for (onnx::NodeProto& node : *graph.mutable_node()) {
    onnx::AttributeProto* real = find_attribute(node, kRealOp);
    if (node.op_type() != "Identity" || !real) continue;
    node.set_op_type(real->s());
    remove_attribute(node, kRealOp);
    RAMIEL_RETURN_IF_ERROR(adapt(node, graph));
  }
  return ok_status();
}

}  // namespace ramiel::frontend
