#include "core/frontend/legacy_rules.h"

#include <onnx/defs/schema.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/frontend/legacy_shapes.h"
#include "core/frontend/node_attributes.h"

namespace ramiel::frontend {
namespace {

const std::set<std::string>& broadcasting_ops() {
  static const std::set<std::string> ops = {"Add", "Sub", "Mul",   "Div",     "Pow", "And",
                                            "Or",  "Xor", "Equal", "Greater", "Less"};
  return ops;
}

bool is_default_domain(const std::string& domain) {
  return domain.empty() || domain == "ai.onnx";
}

// The dims of a value, when known.
std::optional<std::vector<int64_t>> dims_of(const KnownShapes& known, const std::string& name) {
  auto it = known.find(name);
  if (it == known.end()) return std::nullopt;
  return it->second.dims;
}

// Names not yet used by any value of the graph.
class NameSupply {
 public:
  explicit NameSupply(const onnx::GraphProto& graph) {
    for (const auto& v : graph.input()) used_.insert(v.name());
    for (const auto& t : graph.initializer()) used_.insert(t.name());
    for (const auto& n : graph.node()) {
      used_.insert(n.output().begin(), n.output().end());
      used_.insert(n.name());
    }
  }
  std::string fresh(const std::string& base) {
    std::string name = base;
    for (int k = 1; used_.contains(name); ++k) name = base + "_" + std::to_string(k);
    used_.insert(name);
    return name;
  }

 private:
  std::set<std::string> used_;
};

onnx::NodeProto unsqueeze(const std::string& input, const std::string& output,
                          const std::vector<int64_t>& axes) {
  onnx::NodeProto node;
  node.set_op_type("Unsqueeze");
  node.set_name(output);
  node.add_input(input);
  node.add_output(output);
  onnx::AttributeProto* attribute = node.add_attribute();
  attribute->set_name("axes");
  attribute->set_type(onnx::AttributeProto::INTS);
  for (int64_t axis : axes) attribute->add_ints(axis);
  return node;
}

std::string node_label(const onnx::NodeProto& node, int index, int opset) {
  return "node '" + (node.name().empty() ? "#" + std::to_string(index) : node.name()) + "' (" +
         node.op_type() + ", opset " + std::to_string(opset) + ")";
}

// The axes that make operand B (rank b) of a broadcast with `axis` end at A's last dimension
// (rank a): B's dims stay where they are, trailing ones follow. Empty when none are needed.
std::vector<int64_t> trailing_axes(int64_t a, int64_t b, int64_t axis) {
  std::vector<int64_t> axes;
  for (int64_t k = b; k < a - axis; ++k) axes.push_back(k);
  return axes;
}

}  // namespace

Status apply_pre_conversion_rules(onnx::ModelProto& model, int from) {
  infer_legacy_shapes(model, from);
  onnx::GraphProto& graph = *model.mutable_graph();
  const KnownShapes shapes = known_shapes(graph);
  NameSupply names(graph);
  google::protobuf::RepeatedPtrField<onnx::NodeProto> rewritten;
  for (int i = 0; i < graph.node_size(); ++i) {
    onnx::NodeProto node = graph.node(i);
    if (!is_default_domain(node.domain()) || node.input_size() < 2) {
      *rewritten.Add() = std::move(node);
      continue;
    }
    std::vector<int64_t> axes;
    const auto* broadcast = find_attribute(node, "broadcast");
    const auto* axis = find_attribute(node, "axis");
    if (broadcasting_ops().contains(node.op_type()) && broadcast && broadcast->i() != 0 && axis) {
      const auto a = dims_of(shapes, node.input(0));
      const auto b = dims_of(shapes, node.input(1));
      if (!a || !b) {
        return unimplemented(node_label(node, i, from) +
                             ": broadcasting with an axis needs both operands' ranks, and shape "
                             "inference found none");
      }
      const auto a_rank = static_cast<int64_t>(a->size());
      const auto b_rank = static_cast<int64_t>(b->size());
      const int64_t start = axis->i() < 0 ? axis->i() + a_rank : axis->i();
      if (start < 0 || start + b_rank > a_rank) {
        return invalid_argument(node_label(node, i, from) + ": axis " + std::to_string(axis->i()) +
                                " does not place a rank-" + std::to_string(b_rank) +
                                " operand inside a rank-" + std::to_string(a_rank) + " one");
      }
      axes = trailing_axes(a_rank, b_rank, start);
      remove_attribute(node, "axis");  // suffix-aligned now, as the converter's adapter expects
    } else if (node.op_type() == "PRelu") {
      const auto x = dims_of(shapes, node.input(0));
      const auto slope = dims_of(shapes, node.input(1));
      if (slope && slope->size() == 1 && (*slope)[0] != 1) {
        if (!x) {
          return unimplemented(node_label(node, i, from) +
                               ": a 1-D slope applies to the input's channel axis, and the "
                               "input's rank is not known");
        }
        axes = trailing_axes(static_cast<int64_t>(x->size()), 1, 1);
      }
    }
    if (!axes.empty()) {
      const std::string operand = node.input(1);
      const std::string unsqueezed = names.fresh(operand + "_unsqueezed");
      *rewritten.Add() = unsqueeze(operand, unsqueezed, axes);
      node.set_input(1, unsqueezed);
      // The converter's adapters read sizes from value_info: the new value needs its own.
      if (auto it = shapes.find(operand); it != shapes.end()) {
        Known known = it->second;
        known.dims.insert(known.dims.end(), axes.size(), 1);
        *graph.add_value_info() = value_info(unsqueezed, known);
      }
    }
    *rewritten.Add() = std::move(node);
  }
  *graph.mutable_node() = std::move(rewritten);
  return ok_status();
}

void apply_post_conversion_rules(onnx::ModelProto& model) {
  onnx::GraphProto& graph = *model.mutable_graph();
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (onnx::NodeProto& node : *graph.mutable_node()) {
    const onnx::AttributeProto* value = find_attribute(node, "value");
    const bool float_typed = value && value->has_t() &&
                             (value->t().data_type() == onnx::TensorProto::FLOAT ||
                              value->t().data_type() == onnx::TensorProto::DOUBLE ||
                              value->t().data_type() == onnx::TensorProto::FLOAT16);
    if (node.op_type() != "Constant" || !is_default_domain(node.domain()) ||
        node.output_size() != 1 || !value || !value->has_t() || float_typed) {
      *kept.Add() = std::move(node);
      continue;
    }
    onnx::TensorProto tensor = value->t();
    tensor.set_name(node.output(0));
    // The Reshape 4->5 adapter writes its shape's values without dims, as if a scalar.
    const int count = tensor.int64_data_size() + tensor.int32_data_size();
    if (tensor.dims_size() == 0 && count > 1) tensor.add_dims(count);
    if (model.ir_version() < 4) {  // then an initializer is a value only when also an input
      onnx::ValueInfoProto* input = graph.add_input();
      input->set_name(tensor.name());
      auto* type = input->mutable_type()->mutable_tensor_type();
      type->set_elem_type(tensor.data_type());
      type->mutable_shape();  // a scalar's shape has no dims, but is there
      for (int64_t dim : tensor.dims()) type->mutable_shape()->add_dim()->set_dim_value(dim);
    }
    *graph.add_initializer() = std::move(tensor);
  }
  *graph.mutable_node() = std::move(kept);
}

}  // namespace ramiel::frontend
