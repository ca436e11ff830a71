#include "core/frontend/graph_builder.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "core/frontend/attribute_proto.h"
#include "core/frontend/tensor_proto.h"

namespace ramiel::frontend {
namespace {

// "node 'Conv_3' (Conv, opset 13)", "node 'step' (Adam, ai.onnx.preview.training opset 1)":
// how every node-level error starts; `opset` is that of the node's domain.
std::string describe(const onnx::NodeProto& node, const std::string& name, int opset) {
  const std::string domain =
      node.domain() == ir::kTrainingDomain ? std::string(ir::kTrainingDomain) + " " : "";
  return "node '" + name + "' (" + node.op_type() + ", " + domain + "opset " +
         std::to_string(opset) + ")";
}

// The value of a Constant node as a tensor.
StatusOr<ir::Tensor> constant_value(const onnx::NodeProto& node, int64_t max_loaded_bytes,
                                    const ir::ModelLimits& limits) {
  for (const auto& attr : node.attribute()) {
    const std::string& key = attr.name();
    if (key == "value") return tensor_from_proto(attr.t(), max_loaded_bytes, limits);
    if (key == "value_float") return ir::Tensor::from_double(ir::DType::kFloat32, {}, {attr.f()});
    if (key == "value_int") return ir::Tensor::from_int64(ir::DType::kInt64, {}, {attr.i()});
    if (key == "value_floats") {
      std::vector<double> v(attr.floats().begin(), attr.floats().end());
      return ir::Tensor::from_double(ir::DType::kFloat32, {static_cast<int64_t>(v.size())}, v);
    }
    if (key == "value_ints") {
      std::vector<int64_t> v(attr.ints().begin(), attr.ints().end());
      return ir::Tensor::from_int64(ir::DType::kInt64, {static_cast<int64_t>(v.size())}, v);
    }
    if (key == "value_string") return ir::Tensor::from_strings({}, {attr.s()});
    if (key == "value_strings") {
      return ir::Tensor::from_strings({attr.strings_size()},
                                      {attr.strings().begin(), attr.strings().end()});
    }
    if (key == "sparse_value") return unimplemented("sparse constant values are not supported");
  }
  return invalid_argument("Constant node has no value attribute");
}

// Integer and bool outer constants up to this size, and scalars of any type, are copied into
// the bodies that read them (see resolve()).
constexpr int64_t kCopiedConstantElements = 64;

bool is_small_parameter(const ir::Value& constant) {
  const ir::Tensor& t = *constant.constant();
  if (t.element_count() == 1) return true;
  const bool integral = ir::is_integer(t.dtype()) || t.dtype() == ir::DType::kBool;
  return integral && t.element_count() <= kCopiedConstantElements;
}

bool takes_subgraphs(ir::OpKind op) {
  return op == ir::OpKind::If || op == ir::OpKind::Loop || op == ir::OpKind::Scan ||
         op == ir::OpKind::SequenceMap;
}

// Builds one graph: the model's main graph, or (with a parent) the body of an If, Loop or Scan.
// A body is isolated from above: a name it reads that it does not define is resolved in the
// enclosing graphs and becomes a captured input (see ir::Node::subgraphs).
class GraphBuilder {
 public:
  GraphBuilder(const onnx::GraphProto& proto, int opset, int64_t max_loaded_bytes,
               const ir::ModelLimits& limits,
               const std::unordered_map<std::string, int64_t>& stripped_bytes,
               GraphBuilder* parent = nullptr)
      : proto_(proto),
        opset_(opset),
        max_loaded_bytes_(max_loaded_bytes),
        limits_(limits),
        stripped_bytes_(stripped_bytes),
        parent_(parent) {}

  // The outer values this body reads, in the order it first read them (parent graph's values).
  const std::vector<ir::Value*>& captures() const { return captured_outer_; }

  StatusOr<std::unique_ptr<ir::Graph>> build() {
    graph_ = std::make_unique<ir::Graph>();
    graph_->name = proto_.name();
    graph_->opset = opset_;
    collect_types();
    RAMIEL_RETURN_IF_ERROR(add_initializers());
    RAMIEL_RETURN_IF_ERROR(add_inputs());
    for (int i = 0; i < proto_.node_size(); ++i) RAMIEL_RETURN_IF_ERROR(add_node(proto_.node(i), i));
    RAMIEL_RETURN_IF_ERROR(set_outputs());
    return std::move(graph_);
  }

 private:
  void collect_types() {
    for (const auto& info : proto_.input()) types_[info.name()] = &info.type();
    for (const auto& info : proto_.value_info()) types_[info.name()] = &info.type();
    for (const auto& info : proto_.output()) types_[info.name()] = &info.type();
  }

  StatusOr<ir::TensorType> type_of(const std::string& name) {
    auto it = types_.find(name);
    if (it == types_.end()) return ir::TensorType{};  // inference could not tell
    auto type = type_from_proto(*it->second);
    if (!type.ok()) return type.status().with_context("value '" + name + "'");
    // Shape inference may derive any shape from constants (an Expand to 2^40 x 2^40); no
    // tensor the model declares or implies may be larger than the limit.
    if (type->shape) {
      RAMIEL_RETURN_IF_ERROR(check_element_limit("value '" + name + "'", *type->shape, limits_));
    }
    return type;
  }

  Status add_initializers() {
    for (const auto& init : proto_.initializer()) {
      if (graph_->find_value(init.name())) {
        return invalid_argument("initializer '" + init.name() + "' is defined twice");
      }
      auto stripped = stripped_bytes_.find(init.name());
      auto tensor = tensor_from_proto(init, max_loaded_bytes_, limits_,
                                      stripped == stripped_bytes_.end()
                                          ? std::nullopt
                                          : std::optional<int64_t>(stripped->second));
      if (!tensor.ok()) return tensor.status().with_context("initializer '" + init.name() + "'");
      RAMIEL_RETURN_IF_ERROR(add_constant(init.name(), std::move(tensor).value()));
    }
    return ok_status();
  }

  // The generated program reads the main graph's weights from the model file by name; a body's
  // constants (small by nature: trip counts, shapes, scalars) travel in the program instead.
  Status add_constant(const std::string& name, ir::Tensor tensor) {
    if (!parent_) {
      graph_->add_constant(name, std::move(tensor), ir::ConstantOrigin::kModel);
      return ok_status();
    }
    if (!tensor.has_data()) {
      return unimplemented("constant '" + name + "' of a subgraph (If, Loop or Scan body) is " +
                           "larger than the loaded-constant limit; move it to the main graph");
    }
    graph_->add_constant(name, std::move(tensor), ir::ConstantOrigin::kFolded);
    return ok_status();
  }

  // The value `name` names here: defined in this graph, or an outer value captured into it.
  ir::Value* resolve(const std::string& name) {
    if (ir::Value* value = graph_->find_value(name)) return value;
    if (!parent_) return nullptr;
    ir::Value* outer = parent_->resolve(name);
    if (!outer) return nullptr;
    // A small outer constant (a shape, axes, indices, a scalar) is copied in: emitters and
    // folding then see its contents inside the body too. Weights stay captured, read from the
    // model file (a copy would write them into the program).
    if (outer->is_constant() && outer->constant()->has_data() && is_small_parameter(*outer)) {
      return graph_->add_constant(name, *outer->constant(), ir::ConstantOrigin::kFolded);
    }
    captured_outer_.push_back(outer);
    return graph_->add_input(name, outer->type());
  }

  Status add_inputs() {
    for (const auto& input : proto_.input()) {
      if (graph_->find_value(input.name())) continue;  // an initializer listed as input (IR < 4)
      RAMIEL_ASSIGN_OR_RETURN(ir::TensorType type, type_of(input.name()));
      graph_->add_input(input.name(), std::move(type));
    }
    return ok_status();
  }

  Status add_node(const onnx::NodeProto& node, int index) {
    const std::string name = graph_->unique_node_name(
        node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name());
    // The training optimizers carry their own domain's opset (the import accepts only that one).
    const int opset = node.domain() == ir::kTrainingDomain ? ir::kTrainingOpset : opset_;
    auto op = ir::op_from_name(node.op_type());
    if (!op) {
      return unimplemented(describe(node, name, opset) + ": unknown operator '" + node.op_type() +
                           "'");
    }
    if (*op == ir::OpKind::Constant) {
      if (node.output_size() != 1 || graph_->find_value(node.output(0))) {
        return invalid_argument(describe(node, name, opset) + " must define one new value");
      }
      auto value = constant_value(node, max_loaded_bytes_, limits_);
      if (!value.ok()) return value.status().with_context(describe(node, name, opset));
      return add_constant(node.output(0), std::move(value).value());
    }

    std::vector<ir::Value*> inputs;
    for (const std::string& input : node.input()) {
      if (input.empty()) {
        inputs.push_back(nullptr);  // an omitted optional input
        continue;
      }
      ir::Value* value = resolve(input);
      if (!value) {
        return invalid_argument(describe(node, name, opset) + " reads '" + input +
                                "', which nothing produces before it");
      }
      inputs.push_back(value);
    }
    while (!inputs.empty() && inputs.back() == nullptr) inputs.pop_back();

    std::vector<ir::OutputSpec> outputs;
    for (int i = 0; i < node.output_size(); ++i) {
      const std::string& output = node.output(i);
      if (output.empty()) {  // an omitted optional output still gets a (never read) value
        outputs.push_back({graph_->unique_value_name(name + "_unused_" + std::to_string(i)), {}});
        continue;
      }
      if (graph_->find_value(output)) {
        return invalid_argument(describe(node, name, opset) + " writes '" + output +
                                "', which is already defined");
      }
      auto type = type_of(output);
      if (!type.ok()) return type.status().with_context(describe(node, name, opset));
      outputs.push_back({output, std::move(type).value()});
    }

    ir::Attributes attributes;
    std::vector<Body> bodies;
    for (const auto& attr : node.attribute()) {
      // Optional's `type` (an empty optional's type) is already its output's, from inference.
      if (*op == ir::OpKind::Optional && attr.type() == onnx::AttributeProto::TYPE_PROTO) continue;
      if (attr.type() == onnx::AttributeProto::GRAPH && takes_subgraphs(*op)) {
        auto body = std::make_unique<GraphBuilder>(attr.g(), opset_, max_loaded_bytes_, limits_,
                                                   stripped_bytes_, this);
        auto built = body->build();
        if (!built.ok()) {
          return built.status().with_context(describe(node, name, opset_) + ", body '" +
                                             attr.name() + "'");
        }
        bodies.push_back({attr.name(), std::move(body), std::move(built).value()});
        continue;
      }
      auto value = attribute_from_proto(attr, limits_);
      if (!value.ok()) return value.status().with_context(describe(node, name, opset));
      attributes.set(attr.name(), std::move(value).value());
    }
    ir::Node* added = graph_->add_node(*op, name, inputs, outputs, std::move(attributes), opset);
    attach_bodies(*added, bodies);
    return ok_status();
  }

  // Gives `node` its bodies and, as extra inputs, every outer value one of them reads; each
  // body gets an input for each capture (unused where only another body reads it), in the
  // node's order, after its own ONNX inputs.
  struct Body {
    std::string attribute;
    std::unique_ptr<GraphBuilder> builder;
    std::unique_ptr<ir::Graph> graph;
  };

  static void attach_bodies(ir::Node& node, std::vector<Body>& bodies) {
    std::vector<ir::Value*> captures;
    for (auto& [attribute, builder, graph] : bodies) {
      for (ir::Value* outer : builder->captures()) {
        if (std::find(captures.begin(), captures.end(), outer) == captures.end()) {
          captures.push_back(outer);
        }
      }
    }
    for (auto& [attribute, builder, graph] : bodies) {
      ir::Graph& body = *graph;
      const std::vector<ir::Value*>& own = builder->captures();
      const size_t onnx_inputs = body.inputs().size() - own.size();
      std::vector<ir::Value*> order(
          body.inputs().begin(), body.inputs().begin() + static_cast<std::ptrdiff_t>(onnx_inputs));
      for (ir::Value* outer : captures) {
        auto it = std::find(own.begin(), own.end(), outer);
        if (it != own.end()) {
          order.push_back(body.inputs()[onnx_inputs + static_cast<size_t>(it - own.begin())]);
        } else {
          order.push_back(body.add_input(body.unique_value_name(outer->name()), outer->type()));
        }
      }
      body.reorder_inputs(order);
      node.set_subgraph(attribute, std::move(graph));
    }
    for (ir::Value* outer : captures) node.add_capture(outer);
  }

  Status set_outputs() {
    std::vector<ir::Value*> outputs;
    for (const auto& output : proto_.output()) {
      ir::Value* value = resolve(output.name());
      if (!value) return invalid_argument("graph output '" + output.name() + "' is never produced");
      outputs.push_back(value);
    }
    if (outputs.empty()) return invalid_argument("the graph has no outputs");
    graph_->set_outputs(outputs);
    return ok_status();
  }

  const onnx::GraphProto& proto_;
  int opset_;
  int64_t max_loaded_bytes_;
  const ir::ModelLimits& limits_;
  const std::unordered_map<std::string, int64_t>& stripped_bytes_;
  GraphBuilder* parent_;
  std::vector<ir::Value*> captured_outer_;
  std::unique_ptr<ir::Graph> graph_;
  std::unordered_map<std::string, const onnx::TypeProto*> types_;
};

}  // namespace

StatusOr<std::unique_ptr<ir::Graph>> build_graph(
    const onnx::GraphProto& proto, int opset, int64_t max_loaded_constant_bytes,
    const ir::ModelLimits& limits, const std::unordered_map<std::string, int64_t>& stripped_bytes) {
  return GraphBuilder(proto, opset, max_loaded_constant_bytes, limits, stripped_bytes).build();
}

}  // namespace ramiel::frontend
