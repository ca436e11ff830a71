// The pass manager: runs a pipeline (a list of pass names, i.e. data), timing every pass,
// optionally verifying the IR after each and printing it after a named one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/passes/pass.h"

namespace ramiel::passes {

// The pipeline compile() runs: every registered pass, in the registry's order (the one list of
// passes, in pass_registry.cc, says why that order).
std::vector<std::string> default_pipeline();

struct PassManagerOptions {
  // Runs ir::verify_graph before the first pass and after each (tests; cheap enough for
  // debugging); a broken graph is an INTERNAL error naming the pass.
  bool verify_each = false;
  // A pass name: the IR is printed after each run of that pass into printed_ir().
  std::string print_after;
};

// How one pass run went.
struct PassTiming {
  std::string name;
  double ms = 0;
  bool changed = false;
};

class PassManager {
 public:
  // A manager for named passes; INVALID_ARGUMENT when a name is unknown or print_after names
  // no pass of the pipeline.
  static StatusOr<PassManager> create(const std::vector<std::string>& pipeline,
                                      PassManagerOptions options = {});
  // The same, for callers that want one error path: a bad pipeline makes run() return the
  // INVALID_ARGUMENT that create() would have, before touching the graph.
  explicit PassManager(const std::vector<std::string>& pipeline, PassManagerOptions options = {});
  // A manager for given pass objects (tests use it to run passes of their own).
  explicit PassManager(std::vector<std::unique_ptr<Pass>> passes, PassManagerOptions options = {})
      : passes_(std::move(passes)), options_(std::move(options)) {}

  // Runs the pipeline once; timings() and printed_ir() then describe this run. A failing pass
  // stops the pipeline with its status, prefixed by the pass name.
  Status run(ir::Graph& graph, PassContext& context);

  std::vector<std::string> pipeline() const;
  const std::vector<PassTiming>& timings() const { return timings_; }
  const std::string& printed_ir() const { return printed_ir_; }

 private:
  std::vector<std::unique_ptr<Pass>> passes_;
  PassManagerOptions options_;
  Status pipeline_status_;  // why the named pipeline is unusable, if it is
  std::vector<PassTiming> timings_;
  std::string printed_ir_;
};

}  // namespace ramiel::passes
