#include "core/frontend/model_walk.h"

namespace ramiel::frontend {
namespace {

class Walker {
 public:
  explicit Walker(ModelVisitor& visitor) : visitor_(visitor) {}

  // protobuf refuses messages nested deeper than 100 while parsing, so this recursion is
  // bounded before any visitor's own depth limit.
  Status graph(const onnx::GraphProto& g, int depth) {
    RAMIEL_RETURN_IF_ERROR(visitor_.graph(g, depth));
    for (const auto& info : g.input()) RAMIEL_RETURN_IF_ERROR(visitor_.value_info(info));
    for (const auto& info : g.output()) RAMIEL_RETURN_IF_ERROR(visitor_.value_info(info));
    for (const auto& info : g.value_info()) RAMIEL_RETURN_IF_ERROR(visitor_.value_info(info));
    for (const auto& init : g.initializer()) {
      RAMIEL_RETURN_IF_ERROR(
          visitor_.tensor(init, "initializer '" + init.name() + "'", depth == 0));
    }
    for (const auto& init : g.sparse_initializer()) {
      RAMIEL_RETURN_IF_ERROR(sparse(init, "sparse initializer"));
    }
    for (const auto& n : g.node()) RAMIEL_RETURN_IF_ERROR(node(n, depth));
    return ok_status();
  }

  Status function(const onnx::FunctionProto& f) {
    RAMIEL_RETURN_IF_ERROR(visitor_.function(f));
    for (const auto& n : f.node()) RAMIEL_RETURN_IF_ERROR(node(n, 0));
    return ok_status();
  }

 private:
  Status node(const onnx::NodeProto& n, int depth) {
    RAMIEL_RETURN_IF_ERROR(visitor_.node(n));
    for (const auto& attr : n.attribute()) {
      RAMIEL_RETURN_IF_ERROR(visitor_.attribute(attr, n));
      const std::string where = "attribute '" + attr.name() + "' of node '" + n.name() + "'";
      if (attr.has_t()) RAMIEL_RETURN_IF_ERROR(visitor_.tensor(attr.t(), where, false));
      for (const auto& t : attr.tensors()) RAMIEL_RETURN_IF_ERROR(visitor_.tensor(t, where, false));
      if (attr.has_sparse_tensor()) RAMIEL_RETURN_IF_ERROR(sparse(attr.sparse_tensor(), where));
      for (const auto& s : attr.sparse_tensors()) RAMIEL_RETURN_IF_ERROR(sparse(s, where));
      if (attr.has_g()) RAMIEL_RETURN_IF_ERROR(graph(attr.g(), depth + 1));
      for (const auto& g : attr.graphs()) RAMIEL_RETURN_IF_ERROR(graph(g, depth + 1));
    }
    return ok_status();
  }

  Status sparse(const onnx::SparseTensorProto& s, const std::string& where) {
    RAMIEL_RETURN_IF_ERROR(visitor_.tensor(s.values(), where + " (sparse values)", false));
    return visitor_.tensor(s.indices(), where + " (sparse indices)", false);
  }

  ModelVisitor& visitor_;
};

}  // namespace

Status walk_model(const onnx::ModelProto& model, ModelVisitor& visitor) {
  Walker walker(visitor);
  RAMIEL_RETURN_IF_ERROR(walker.graph(model.graph(), 0));
  for (const auto& f : model.functions()) RAMIEL_RETURN_IF_ERROR(walker.function(f));
  return ok_status();
}

}  // namespace ramiel::frontend
