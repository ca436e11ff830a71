#include "core/frontend/input_binding.h"

#include <set>

namespace ramiel::frontend {
namespace {

std::string dim_label(const onnx::TensorShapeProto::Dimension& dim) {
  return dim.has_dim_param() && !dim.dim_param().empty() ? "'" + dim.dim_param() + "'" : "?";
}

Status bind_one(onnx::ValueInfoProto& input, const ir::Shape* requested,
                std::vector<std::string>& warnings) {
  const std::string& name = input.name();
  if (!input.type().has_tensor_type()) {
    // A sequence or optional input: its length and presence are known only at run time, and
    // its elements' shapes may vary, so nothing is bound (type_from_proto refuses maps).
    if (requested) {
      return invalid_argument("--input-shape names '" + name +
                              "', which is not a tensor (a sequence or an optional)");
    }
    return ok_status();
  }
  auto* tensor_type = input.mutable_type()->mutable_tensor_type();
  if (requested) {
    if (tensor_type->has_shape() && tensor_type->shape().dim_size() != static_cast<int>(requested->size())) {
      return invalid_argument("input '" + name + "' has rank " +
                              std::to_string(tensor_type->shape().dim_size()) + ", but --input-shape gives " +
                              ir::shape_to_string(*requested));
    }
    auto* shape = tensor_type->mutable_shape();
    for (size_t i = 0; i < requested->size(); ++i) {
      int64_t size = (*requested)[i];
      if (size <= 0) {
        return invalid_argument("--input-shape for '" + name + "' needs positive sizes");
      }
      if (static_cast<int>(i) < shape->dim_size()) {
        auto* dim = shape->mutable_dim(static_cast<int>(i));
        if (dim->has_dim_value() && dim->dim_value() != size) {
          return invalid_argument("input '" + name + "' has size " + std::to_string(dim->dim_value()) +
                                  " at dim " + std::to_string(i) + ", but --input-shape gives " +
                                  std::to_string(size));
        }
        dim->set_dim_value(size);
      } else {
        shape->add_dim()->set_dim_value(size);
      }
    }
    return ok_status();
  }
  if (!tensor_type->has_shape()) {
    return invalid_argument("input '" + name + "' has no shape; give one with --input-shape " + name +
                            "=1x...");
  }
  auto* shape = tensor_type->mutable_shape();
  for (int i = 0; i < shape->dim_size(); ++i) {
    auto* dim = shape->mutable_dim(i);
    if (dim->has_dim_value() && dim->dim_value() >= 0) continue;
    if (i == 0) {
      warnings.push_back("input '" + name + "': symbolic batch dimension " + dim_label(*dim) +
                         " bound to 1 (use --input-shape " + name + "=... to choose)");
      dim->set_dim_value(1);
      continue;
    }
    return invalid_argument("input '" + name + "' has symbolic dimension " + dim_label(*dim) +
                            " at position " + std::to_string(i) + "; bind it with --input-shape " +
                            name + "=1x...");
  }
  return ok_status();
}

}  // namespace

Status bind_input_shapes(onnx::GraphProto& graph, const std::map<std::string, ir::Shape>& shapes,
                         std::vector<std::string>& warnings) {
  std::set<std::string> initializers;
  for (const auto& init : graph.initializer()) initializers.insert(init.name());
  std::set<std::string> bound;
  for (auto& input : *graph.mutable_input()) {
    if (initializers.count(input.name())) continue;  // an initializer listed as input (IR < 4)
    auto it = shapes.find(input.name());
    RAMIEL_RETURN_IF_ERROR(bind_one(input, it == shapes.end() ? nullptr : &it->second, warnings));
    bound.insert(input.name());
  }
  for (const auto& [name, shape] : shapes) {
    if (bound.count(name)) continue;
    std::string known;
    for (const auto& b : bound) known += (known.empty() ? "" : ", ") + b;
    return invalid_argument("--input-shape names '" + name + "', which is not a graph input (inputs: " +
                            known + ")");
  }
  return ok_status();
}

}  // namespace ramiel::frontend
