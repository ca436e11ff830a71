// Binds the symbolic dimensions of graph inputs to static sizes (Ramiel compiles batch-1 shapes).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/ir/tensor.h"
#include "core/support/status.h"

namespace ramiel::frontend {

// Rewrites the input shapes of `graph` in place: inputs named in `shapes` take that shape
// (rank and known dims must agree); other symbolic dims are an error, except a leading batch
// dim, which becomes 1 with a warning.
Status bind_input_shapes(onnx::GraphProto& graph, const std::map<std::string, ir::Shape>& shapes,
                         std::vector<std::string>& warnings);

}  // namespace ramiel::frontend
