// ONNX import: the only code in Ramiel that touches ONNX protobufs.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ir/graph.h"
#include "core/ir/limits.h"
#include "core/support/status.h"

namespace ramiel::frontend {

// Oldest and newest ai.onnx opsets Ramiel imports; older models are upgraded to kMinOpset first.
inline constexpr int kMinOpset = 7;
inline constexpr int kMaxOpset = 17;

struct ImportOptions {
  // Binds symbolic input dimensions: input name -> full static shape.
  std::map<std::string, ir::Shape> input_shapes;
  // Directory the model file lives in; external data must resolve to a regular file inside it.
  // Without it, models with external data are refused.
  std::optional<std::filesystem::path> model_dir;
  // Constants up to this size keep their contents in the IR (for folding); larger ones stay
  // in the model file and are only described by their type.
  int64_t max_loaded_constant_bytes = 64 * 1024;
  // What the model may ask for (counts, sizes, nesting); see core/ir/limits.h.
  ir::ModelLimits limits;
};

struct ImportResult {
  std::unique_ptr<ir::Graph> graph;
  std::vector<std::string> warnings;  // e.g. a symbolic batch dimension bound to 1
};

// Parses, checks (onnx checker + strict shape inference) and converts a model.
// Malformed or unsupported models are INVALID_ARGUMENT or UNIMPLEMENTED with a message that
// names what is wrong (node, op and opset where it applies). Ramiel's own checks (limits,
// function recursion, external data) run on the parsed model before any ONNX library code
// (version converter, checker, shape inference) sees it.
StatusOr<ImportResult> import_onnx(std::string_view model_bytes, const ImportOptions& options);

}  // namespace ramiel::frontend
