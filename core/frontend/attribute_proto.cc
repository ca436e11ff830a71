#include "core/frontend/attribute_proto.h"

#include <limits>

#include "core/frontend/tensor_proto.h"

namespace ramiel::frontend {

StatusOr<ir::AttributeValue> attribute_from_proto(const onnx::AttributeProto& proto,
                                                  const ir::ModelLimits& limits) {
  using A = onnx::AttributeProto;
  switch (proto.type()) {
    case A::INT: return ir::AttributeValue(static_cast<int64_t>(proto.i()));
    case A::FLOAT: return ir::AttributeValue(proto.f());
    case A::STRING: return ir::AttributeValue(proto.s());
    case A::INTS: return ir::AttributeValue(std::vector<int64_t>(proto.ints().begin(), proto.ints().end()));
    case A::FLOATS:
      return ir::AttributeValue(std::vector<float>(proto.floats().begin(), proto.floats().end()));
    case A::STRINGS:
      return ir::AttributeValue(
          std::vector<std::string>(proto.strings().begin(), proto.strings().end()));
    case A::TENSOR: {
      // Attribute tensors are small by nature (Constant values, ConstantOfShape fill values).
      RAMIEL_ASSIGN_OR_RETURN(ir::Tensor t,
                              tensor_from_proto(proto.t(), std::numeric_limits<int64_t>::max(), limits));
      return ir::AttributeValue(std::move(t));
    }
    case A::GRAPH:
    case A::GRAPHS:
      return unimplemented("attribute '" + proto.name() +
                           "' is a subgraph; only If, Loop and Scan take one (GRAPH, not GRAPHS)");
    case A::SPARSE_TENSOR:
    case A::SPARSE_TENSORS:
      return unimplemented("attribute '" + proto.name() + "' is a sparse tensor");
    case A::TYPE_PROTO:
    case A::TYPE_PROTOS:
      return unimplemented("attribute '" + proto.name() + "' is a type");
    case A::TENSORS:
      return unimplemented("attribute '" + proto.name() + "' is a list of tensors");
    default:
      return invalid_argument("attribute '" + proto.name() + "' has no type");
  }
}

}  // namespace ramiel::frontend
