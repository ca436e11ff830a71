// Validation of external-data references: they may only name regular files inside the model's
// own directory, so an uploaded model can never make Ramiel read arbitrary files.
#pragma once

#include <filesystem>
#include <optional>

#include <onnx/onnx_pb.h>

#include "core/support/status.h"

namespace ramiel::frontend {

// Checks every tensor of the model that stores its data externally: initializers, sparse
// initializers, Constant values and other tensor attributes, in the main graph, in every
// subgraph and in every function body. Without `model_dir` (a model received over the network)
// each is refused, with a message that never depends on the named path, so the answer tells
// nothing about the server's files. Runs before any ONNX library code sees the model.
Status check_external_data(const onnx::ModelProto& model,
                           const std::optional<std::filesystem::path>& model_dir);

}  // namespace ramiel::frontend
