// A walk over everything a ModelProto holds that the compiler or ONNX's own code may read:
// the main graph, every subgraph (If/Loop/Scan bodies, GRAPH and GRAPHS attributes) and every
// model-local function body, with their nodes, attributes and tensors (initializers, sparse
// initializers, TENSOR/TENSORS/SPARSE_TENSOR(S) attributes). The import checks (limits,
// external data) are visitors of this one walk, so none can miss a place a tensor hides.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "core/support/status.h"

namespace ramiel::frontend {

// Receives each part of the model; the first error stops the walk and is its result.
class ModelVisitor {
 public:
  virtual ~ModelVisitor() = default;
  // `depth` is 0 for the main graph, 1 for a subgraph of one of its nodes, and so on; a
  // function body's subgraphs start again at 1.
  virtual Status graph(const onnx::GraphProto&, int) { return ok_status(); }
  virtual Status function(const onnx::FunctionProto&) { return ok_status(); }
  virtual Status node(const onnx::NodeProto&) { return ok_status(); }
  virtual Status attribute(const onnx::AttributeProto&, const onnx::NodeProto&) {
    return ok_status();
  }
  virtual Status value_info(const onnx::ValueInfoProto&) { return ok_status(); }
  // `top_level_initializer`: an initializer of the main graph (the only tensors slim_model()
  // cuts payloads out of). `where` says where the tensor sits, for messages.
  virtual Status tensor(const onnx::TensorProto&, const std::string&, bool) { return ok_status(); }
};

Status walk_model(const onnx::ModelProto& model, ModelVisitor& visitor);

}  // namespace ramiel::frontend
