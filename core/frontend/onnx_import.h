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

// A model parsed and checked, ready to become IR graphs: as many as a caller needs (the compile
// plans a model twice when its first plan's parallel rewrites do not pay), each for the cost
// of building it alone. It keeps the parsed model less its large weights.
class CheckedModel {
 public:
  CheckedModel(CheckedModel&&) noexcept;
  CheckedModel& operator=(CheckedModel&&) noexcept;
  ~CheckedModel();

  // A fresh graph of the model, with the import's warnings.
  StatusOr<ImportResult> build() const;

 private:
  struct Parsed;
  explicit CheckedModel(std::unique_ptr<Parsed> parsed);
  std::unique_ptr<Parsed> parsed_;
  friend StatusOr<CheckedModel> check_onnx(std::string_view, const ImportOptions&);
};

// Parses and checks a model (Ramiel's limits, the onnx checker, strict shape inference).
// Malformed or unsupported models are INVALID_ARGUMENT or UNIMPLEMENTED with a message that
// names what is wrong (node, op and opset where it applies). Ramiel's own checks (limits,
// function recursion, external data) run on the parsed model before any ONNX library code
// (version converter, checker, shape inference) sees it.
StatusOr<CheckedModel> check_onnx(std::string_view model_bytes, const ImportOptions& options);

// check_onnx, then one graph of the model.
StatusOr<ImportResult> import_onnx(std::string_view model_bytes, const ImportOptions& options);

}  // namespace ramiel::frontend
