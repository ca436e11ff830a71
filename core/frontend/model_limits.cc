#include "core/frontend/model_limits.h"

#include "core/frontend/model_walk.h"
#include "core/frontend/tensor_proto.h"

namespace ramiel::frontend {
namespace {

class LimitsCheck final : public ModelVisitor {
 public:
  LimitsCheck(const ir::ModelLimits& limits,
              const std::unordered_map<std::string, int64_t>& stripped_bytes)
      : limits_(limits), stripped_bytes_(stripped_bytes) {}

  Status graph(const onnx::GraphProto& g, int depth) override {
    if (depth > limits_.max_graph_depth) {
      return invalid_argument("subgraphs (If, Loop, Scan bodies) nest deeper than " +
                              ir::limit_text("max_graph_depth", limits_.max_graph_depth));
    }
    return name("graph", g.name());
  }

  Status function(const onnx::FunctionProto& f) override {
    RAMIEL_RETURN_IF_ERROR(name("function", f.name()));
    return name("domain of function '" + f.name() + "'", f.domain());
  }

  Status node(const onnx::NodeProto& n) override {
    if (++nodes_ > limits_.max_nodes) {
      return invalid_argument("the model has more nodes than " +
                              ir::limit_text("max_nodes", limits_.max_nodes));
    }
    RAMIEL_RETURN_IF_ERROR(name("node", n.name()));
    RAMIEL_RETURN_IF_ERROR(name("operator of node '" + n.name() + "'", n.op_type()));
    RAMIEL_RETURN_IF_ERROR(name("domain of node '" + n.name() + "'", n.domain()));
    const std::string what = "node '" + n.name() + "' (" + n.op_type() + ")";
    if (n.input_size() > limits_.max_node_inputs) {
      return invalid_argument(what + " has " + std::to_string(n.input_size()) + " inputs, over " +
                              ir::limit_text("max_node_inputs", limits_.max_node_inputs));
    }
    if (n.output_size() > limits_.max_node_outputs) {
      return invalid_argument(what + " has " + std::to_string(n.output_size()) + " outputs, over " +
                              ir::limit_text("max_node_outputs", limits_.max_node_outputs));
    }
    for (const auto& input : n.input()) RAMIEL_RETURN_IF_ERROR(name("input of " + what, input));
    for (const auto& output : n.output()) RAMIEL_RETURN_IF_ERROR(name("output of " + what, output));
    return ok_status();
  }

  Status attribute(const onnx::AttributeProto& a, const onnx::NodeProto& n) override {
    RAMIEL_RETURN_IF_ERROR(name("attribute of node '" + n.name() + "'", a.name()));
    RAMIEL_RETURN_IF_ERROR(
        name("attribute reference of node '" + n.name() + "'", a.ref_attr_name()));
    const std::string what = "attribute '" + a.name() + "' of node '" + n.name() + "'";
    if (static_cast<int64_t>(a.s().size()) > limits_.max_string_bytes) {
      return invalid_argument(what + " is a string of " + std::to_string(a.s().size()) +
                              " bytes, over " +
                              ir::limit_text("max_string_bytes", limits_.max_string_bytes));
    }
    int64_t bytes =
        8 * static_cast<int64_t>(a.ints_size()) + 4 * static_cast<int64_t>(a.floats_size());
    for (const std::string& s : a.strings()) {
      if (static_cast<int64_t>(s.size()) > limits_.max_string_bytes) {
        return invalid_argument(what + " holds a string of " + std::to_string(s.size()) +
                                " bytes, over " +
                                ir::limit_text("max_string_bytes", limits_.max_string_bytes));
      }
      bytes += static_cast<int64_t>(s.size());  // at most 2^31 strings of 2^31 bytes: no overflow
    }
    if (bytes > limits_.max_attribute_bytes) {
      return invalid_argument(what + " holds " + std::to_string(bytes) + " bytes, over " +
                              ir::limit_text("max_attribute_bytes", limits_.max_attribute_bytes));
    }
    return ok_status();
  }

  Status value_info(const onnx::ValueInfoProto& info) override {
    RAMIEL_RETURN_IF_ERROR(name("value", info.name()));
    const auto& type = info.type();
    if (type.has_tensor_type() && type.tensor_type().shape().dim_size() > limits_.max_tensor_rank) {
      return invalid_argument("value '" + info.name() + "' has " +
                              std::to_string(type.tensor_type().shape().dim_size()) +
                              " dims, over " +
                              ir::limit_text("max_tensor_rank", limits_.max_tensor_rank));
    }
    return ok_status();
  }

  Status tensor(const onnx::TensorProto& t, const std::string& where,
                bool top_level_initializer) override {
    RAMIEL_RETURN_IF_ERROR(name("tensor", t.name()));
    std::optional<int64_t> stripped;
    if (top_level_initializer) {
      auto it = stripped_bytes_.find(t.name());
      if (it != stripped_bytes_.end()) stripped = it->second;
    }
    Status status = check_tensor_proto(t, limits_, stripped);
    return status.ok() ? status : status.with_context(where);
  }

 private:
  // Names are quoted in messages by their size only: the name itself is what is too long.
  Status name(const std::string& what, const std::string& text) {
    if (static_cast<int64_t>(text.size()) <= limits_.max_name_bytes) return ok_status();
    return invalid_argument("a name (" + what + ") is " + std::to_string(text.size()) +
                            " bytes long, over " +
                            ir::limit_text("max_name_bytes", limits_.max_name_bytes));
  }

  const ir::ModelLimits& limits_;
  const std::unordered_map<std::string, int64_t>& stripped_bytes_;
  int64_t nodes_ = 0;
};

}  // namespace

Status check_model_limits(const onnx::ModelProto& model, const ir::ModelLimits& limits,
                          const std::unordered_map<std::string, int64_t>& stripped_bytes) {
  for (const auto& import : model.opset_import()) {
    if (static_cast<int64_t>(import.domain().size()) > limits.max_name_bytes) {
      return invalid_argument("a name (opset domain) is " + std::to_string(import.domain().size()) +
                              " bytes long, over " +
                              ir::limit_text("max_name_bytes", limits.max_name_bytes));
    }
  }
  LimitsCheck check(limits, stripped_bytes);
  return walk_model(model, check);
}

}  // namespace ramiel::frontend
