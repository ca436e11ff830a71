// Emits the parallel PyTorch program for a scheduled graph.
//
// The program is two files. model.py holds the model: one function per cluster, run concurrently
// by workers that hand tensors to each other, the whole graph as one serial function (the one
// cluster's, when there is one), the tables and load(); it loads the weights from the model file
// and checks the file's sha256. ramiel_runtime.py beside it holds what every program shares (the
// drivers, measuring, the command line, op helpers). See core/codegen/README.md for the layout.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/codegen/engines.h"
#include "core/ir/graph.h"
#include "core/schedule/schedule.h"
#include "core/support/status.h"

namespace ramiel::codegen {

struct CodegenInput {
  const ir::Graph* graph = nullptr;
  const schedule::DataflowGraph* dataflow = nullptr;  // the snapshot scheduled: index <-> IR node
  const schedule::Schedule* schedule = nullptr;
  std::string model_sha256;  // hex of the model file the program loads its weights from
  std::string compiler_version;
  std::string options_summary;  // one line, for the header comment
  std::string model_name;       // for the header and messages; empty: the graph's name
  // ENGINES, one per cluster (choose_engines); empty: from the op mix alone.
  std::vector<std::string> engines;
};

// File name -> contents: "model.py" and "ramiel_runtime.py". Deterministic byte for byte.
// An op or attribute the emitters cannot translate is UNIMPLEMENTED naming node, op and opset;
// a schedule that does not cover the graph is INTERNAL. The schedule must have passed
// verify_schedule (schedule_graph's results have).
StatusOr<std::map<std::string, std::string>> generate_python(const CodegenInput& input);

}  // namespace ramiel::codegen
