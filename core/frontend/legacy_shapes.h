// Shape inference for models at ai.onnx opsets below 7, before the version converter reads them:
// onnx's own, plus rules for the old ops whose schemas have no inference function (every op with
// the consumed_inputs attribute, Reshape-1, Gemm-1, Concat-1, ...), so that values after them
// get shapes too.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ramiel::frontend {

// A value's element type and dims (-1 for an unknown dim).
struct Known {
  int32_t elem_type = 0;
  std::vector<int64_t> dims;
};
using KnownShapes = std::map<std::string, Known>;

// What the graph's inputs, outputs, value_info entries and initializers say.
KnownShapes known_shapes(const onnx::GraphProto& graph);
// The value_info entry of `name` with that type and shape.
onnx::ValueInfoProto value_info(const std::string& name, const Known& known);

// Adds a value_info entry for every value whose shape it can find (the model's own entries are
// replaced by what inference returns). A failure of onnx's inference leaves the rest unknown:
// the converter then says what it lacks.
void infer_legacy_shapes(onnx::ModelProto& model, int opset);

}  // namespace ramiel::frontend
