// Emits the parallel PyTorch program for a scheduled graph.
#pragma once

#include <map>
#include <string>

#include "core/ir/graph.h"
#include "core/schedule/schedule.h"
#include "core/support/status.h"

namespace ramiel::codegen {

struct CodegenInput {
  const ir::Graph* graph = nullptr;
  const schedule::IndexedGraph* indexed = nullptr;  // node index -> IR node
  const schedule::Schedule* schedule = nullptr;
  std::string model_sha256;      // hex of the model file the program loads its weights from
  std::string compiler_version;
  std::string options_summary;   // one line, for the header comment
};

// File name -> contents: "model.py" and any sidecar it needs. Deterministic byte for byte.
// An op or attribute the emitters cannot translate is UNIMPLEMENTED naming node, op and opset.
StatusOr<std::map<std::string, std::string>> generate_python(const CodegenInput& input);

}  // namespace ramiel::codegen
