// Validation of external-data references: they may only name regular files inside the model's
// own directory, so an uploaded model can never make Ramiel read arbitrary files.
#pragma once

#include <filesystem>
#include <optional>

#include <onnx/onnx_pb.h>

#include "core/support/status.h"

namespace ramiel::frontend {

Status check_external_data(const onnx::GraphProto& graph,
                           const std::optional<std::filesystem::path>& model_dir);

}  // namespace ramiel::frontend
