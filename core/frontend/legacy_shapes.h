// Shape inference for models at ai.onnx opsets below 7, before the version converter reads them:
// onnx's own, plus rules for the old ops whose schemas have no inference function (every op with
// the consumed_inputs attribute, Reshape-1, Gemm-1, Concat-1, ...), so that values after them
// get shapes too.
#pragma once

#include <onnx/onnx_pb.h>

namespace ramiel::frontend {

// Adds a value_info entry for every value whose shape it can find (the model's own entries are
// replaced by what inference returns). A failure of onnx's inference leaves the rest unknown:
// the converter then says what it lacks.
void infer_legacy_shapes(onnx::ModelProto& model, int opset);

}  // namespace ramiel::frontend
