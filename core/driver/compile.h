// compile(): the single entry point of the compiler core, from model bytes to output files.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ir/limits.h"
#include "core/ir/tensor.h"
#include "core/support/status.h"

namespace ramiel::driver {

struct CompileOptions {
  int workers = 2;
  // Binds symbolic input dimensions: input name -> full static shape.
  std::map<std::string, ir::Shape> input_shapes;
  // Device profile and measured node costs, as JSON text (empty: built-in defaults).
  std::string device_profile_json;
  std::string measured_costs_json;
  // Recorded in the output; defaults to the graph's name.
  std::string model_name;
  // Directory the model file lives in, which external data must resolve inside; without it,
  // models with external data are refused.
  std::optional<std::filesystem::path> model_dir;
  // What a model may ask for (tensor elements, nodes, nesting, sizes, names) and how large a
  // tensor constant folding may create; README.md lists the defaults.
  ir::ModelLimits limits;
  // Polled between stages; when it returns true, compile() stops with CANCELLED.
  std::function<bool()> is_cancelled;
  // Debugging: the IR printed after the named pass lands in CompileResult::ir_dump.
  std::string print_ir_after;
  // The sha256 (lower-case hex) of the model bytes when the caller already knows it, as the
  // server does after verifying an upload: compile() then records it instead of hashing the
  // model again. Empty: compile() hashes. Not checked against the bytes, and not part of
  // canonical(): it follows from the model, which cache keys name on their own.
  std::string model_sha256;

  // Validates ranges (workers >= 1, positive dims, parsable JSON, a well-formed model_sha256).
  Status validate() const;
  // A canonical text of every option that changes the output (for cache keys).
  std::string canonical() const;
};

struct CompileResult {
  std::map<std::string, std::string> files;  // "schedule.json", "graph.dot", "model.py", ...
  std::vector<std::string> warnings;         // e.g. a symbolic dim defaulted to 1
  std::string ir_dump;
  // Summary for clients that do not parse schedule.json.
  int clusters = 0;
  double predicted_speedup = 1.0;
  std::string model_sha256;
  // Wall-clock seconds of this compile's stages, in order: import, passes, cost, schedule,
  // codegen (the server's ramiel_compile_duration_seconds{stage}).
  std::vector<std::pair<std::string, double>> stage_seconds;
};

// The release version recorded in every output ("0.1.0").
std::string compiler_version();
// The version and a digest of the compiler's sources ("0.1.0+3f2a9c1b7e10"): what the server
// keys its cache with and reports, so a rebuilt compiler never serves an older build's output.
std::string compiler_build();

// Errors are Status values whose messages never exceed kMaxStatusMessageBytes, whatever the
// model holds (core/support/status.h).
StatusOr<CompileResult> compile(std::string_view model_bytes, const CompileOptions& options);

}  // namespace ramiel::driver
