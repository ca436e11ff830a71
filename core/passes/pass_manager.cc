#include "core/passes/pass_manager.h"

#include <algorithm>

#include "core/ir/printer.h"
#include "core/ir/verifier.h"
#include "core/passes/pass_registry.h"
#include "core/support/stopwatch.h"

namespace ramiel::passes {

std::vector<std::string> default_pipeline() { return registered_pass_names(); }

namespace {

StatusOr<std::vector<std::unique_ptr<Pass>>> create_pipeline(
    const std::vector<std::string>& pipeline, const PassManagerOptions& options) {
  if (!options.print_after.empty() &&
      std::find(pipeline.begin(), pipeline.end(), options.print_after) == pipeline.end()) {
    return invalid_argument("--print-after names \"" + options.print_after +
                            "\", which is not in the pipeline");
  }
  std::vector<std::unique_ptr<Pass>> passes;
  for (const std::string& name : pipeline) {
    RAMIEL_ASSIGN_OR_RETURN(std::unique_ptr<Pass> pass, create_pass(name));
    passes.push_back(std::move(pass));
  }
  return passes;
}

}  // namespace

StatusOr<PassManager> PassManager::create(const std::vector<std::string>& pipeline,
                                          PassManagerOptions options) {
  RAMIEL_ASSIGN_OR_RETURN(auto passes, create_pipeline(pipeline, options));
  return PassManager(std::move(passes), std::move(options));
}

PassManager::PassManager(const std::vector<std::string>& pipeline, PassManagerOptions options)
    : options_(std::move(options)) {
  auto passes = create_pipeline(pipeline, options_);
  if (passes.ok()) {
    passes_ = std::move(*passes);
  } else {
    pipeline_status_ = passes.status();
  }
}

std::vector<std::string> PassManager::pipeline() const {
  std::vector<std::string> names;
  for (const auto& pass : passes_) names.emplace_back(pass->name());
  return names;
}

Status PassManager::run(ir::Graph& graph, PassContext& context) {
  timings_.clear();
  printed_ir_.clear();
  RAMIEL_RETURN_IF_ERROR(pipeline_status_);
  if (options_.verify_each) {
    Status status = ir::verify_graph(graph);
    if (!status.ok()) return status.with_context("IR broken before the first pass");
  }
  for (const auto& pass : passes_) {
    const std::string name(pass->name());
    Stopwatch watch;
    StatusOr<bool> changed = pass->run(graph, context);
    const double ms = watch.elapsed_ms();
    if (!changed.ok()) return changed.status().with_context("pass " + name);
    timings_.push_back({name, ms, *changed});
    if (options_.verify_each) {
      Status status = ir::verify_graph(graph);
      if (!status.ok()) return status.with_context("IR broken after pass " + name);
    }
    if (name == options_.print_after) {
      printed_ir_ += "// IR after " + name + "\n" + ir::print_graph(graph);
    }
  }
  return ok_status();
}

}  // namespace ramiel::passes
