#include "core/driver/compile.h"

#include "core/codegen/codegen.h"
#include "core/codegen/engines.h"
#include "core/cost/cost_model.h"
#include "core/cost/measured_costs.h"
#include "core/driver/build_fingerprint.h"
#include "core/driver/engine_costs.h"
#include "core/driver/report.h"
#include "core/driver/version.h"
#include "core/frontend/onnx_import.h"
#include "core/passes/pass_manager.h"
#include "core/passes/split_branches.h"
#include "core/schedule/schedule.h"
#include "core/support/sha256.h"
#include "core/support/stopwatch.h"

namespace ramiel::driver {
namespace {

Status check_cancelled(const CompileOptions& options, const char* next_stage) {
  if (options.is_cancelled && options.is_cancelled()) {
    return cancelled(std::string("compilation cancelled before ") + next_stage);
  }
  return ok_status();
}

std::string options_summary(const CompileOptions& options) {
  std::string summary = "workers=" + std::to_string(options.workers);
  for (const auto& [name, shape] : options.input_shapes) {
    summary += " input-shape " + name + "=" + ir::shape_to_string(shape);
  }
  if (!options.device_profile_json.empty()) summary += " device-profile=custom";
  if (!options.measured_costs_json.empty()) summary += " costs=measured";
  return summary;
}

// The model imported, through the passes, costed and scheduled: what compile() decides before
// it writes the program.
struct Plan {
  std::unique_ptr<ir::Graph> graph;
  std::vector<std::string> warnings;
  int64_t nodes_in = 0;
  passes::PassContext context;  // what the passes counted
  std::string ir_dump;
  schedule::DataflowGraph dataflow;
  schedule::Schedule schedule;
};

// The model parsed and checked once; plan_model builds its graph each time it plans.
StatusOr<frontend::CheckedModel> check_model(std::string_view model_bytes,
                                             const CompileOptions& options) {
  frontend::ImportOptions import_options;
  import_options.input_shapes = options.input_shapes;
  import_options.model_dir = options.model_dir;
  import_options.limits = options.limits;
  return frontend::check_onnx(model_bytes, import_options);
}

// `pass_workers`: the workers the passes plan for (split-branches and clone-nodes only run for
// two or more). Adds each stage's time to `timings`.
StatusOr<Plan> plan_model(const frontend::CheckedModel& model, const CompileOptions& options,
                          const cost::DeviceProfile& profile, const cost::CostModel& costs,
                          int pass_workers, StageTimings& timings) {
  Plan plan;
  Stopwatch stage;
  RAMIEL_ASSIGN_OR_RETURN(frontend::ImportResult imported, model.build());
  plan.graph = std::move(imported.graph);
  plan.warnings = std::move(imported.warnings);
  plan.nodes_in = static_cast<int64_t>(plan.graph->num_nodes());
  timings.import_ms += stage.elapsed_ms();

  RAMIEL_RETURN_IF_ERROR(check_cancelled(options, "optimisation"));
  stage.restart();
  plan.context.workers = pass_workers;
  plan.context.max_folded_elements = options.limits.max_folded_elements;
  plan.context.node_cost_us = [&costs](const ir::Node& node) { return costs.node_cost(node).us; };
  plan.context.transfer_cost_us = [&costs](const ir::Value& value) {
    return costs.transfer_cost_us(value);
  };
  passes::PassManagerOptions pass_options;
  pass_options.print_after = options.print_ir_after;
  passes::PassManager manager(passes::default_pipeline(), pass_options);
  RAMIEL_RETURN_IF_ERROR(manager.run(*plan.graph, plan.context));
  plan.ir_dump = manager.printed_ir();
  timings.passes_ms += stage.elapsed_ms();

  RAMIEL_RETURN_IF_ERROR(check_cancelled(options, "cost estimation"));
  stage.restart();
  RAMIEL_ASSIGN_OR_RETURN(plan.dataflow, schedule::DataflowGraph::from_ir(*plan.graph, costs));
  timings.cost_ms += stage.elapsed_ms();

  RAMIEL_RETURN_IF_ERROR(check_cancelled(options, "scheduling"));
  stage.restart();
  schedule::ScheduleOptions schedule_options;
  schedule_options.workers = options.workers;
  schedule_options.threads = static_cast<int>(profile.cores);
  schedule_options.handoff_us = profile.transfer_latency_us;
  schedule_options.co_run_slowdown = profile.co_run_slowdown;
  // schedule_graph returns only schedules that pass verify_schedule.
  RAMIEL_ASSIGN_OR_RETURN(plan.schedule, schedule::schedule_graph(plan.dataflow, schedule_options));
  timings.schedule_ms += stage.elapsed_ms();
  return plan;
}

}  // namespace

std::string compiler_version() {
  return RAMIEL_VERSION;
}

std::string compiler_build() {
  return RAMIEL_VERSION "+" RAMIEL_BUILD_FINGERPRINT;
}

StatusOr<CompileResult> compile(std::string_view model_bytes, const CompileOptions& options) {
  RAMIEL_RETURN_IF_ERROR(options.validate());
  Stopwatch total;
  StageTimings timings;
  CompileResult result;
  result.model_sha256 =
      options.model_sha256.empty() ? sha256_hex(model_bytes) : options.model_sha256;
  timings.import_ms = total.elapsed_ms();  // hashing the model counts as reading it

  cost::DeviceProfile profile = cost::DeviceProfile::defaults();
  if (!options.device_profile_json.empty()) {
    RAMIEL_ASSIGN_OR_RETURN(profile, cost::DeviceProfile::from_json(options.device_profile_json));
  }
  RAMIEL_ASSIGN_OR_RETURN(cost::MeasuredCosts measured,
                          cost::parse_measured_costs(options.measured_costs_json));
  const cost::CostModel costs(profile, std::move(measured));

  Stopwatch checking;
  RAMIEL_ASSIGN_OR_RETURN(const frontend::CheckedModel model, check_model(model_bytes, options));
  timings.import_ms += checking.elapsed_ms();
  RAMIEL_ASSIGN_OR_RETURN(Plan planned,
                          plan_model(model, options, profile, costs, options.workers, timings));
  // Split convolutions and cloned producers pay only when their parts run on different workers.
  // When the schedule still ends as one cluster they would run one after the other (each half
  // of a split convolution slower than half the whole), so the compile plans the checked model
  // again without them.
  bool parallel_rewrites_dropped = false;
  if (planned.schedule.clusters.size() == 1 &&
      (planned.context.counter(passes::kSplitCounter) > 0 ||
       planned.context.counter(passes::kClonedCounter) > 0)) {
    RAMIEL_ASSIGN_OR_RETURN(planned, plan_model(model, options, profile, costs,
                                                /*pass_workers=*/1, timings));
    parallel_rewrites_dropped = true;
  }
  ir::Graph& graph = *planned.graph;
  const schedule::DataflowGraph& dataflow = planned.dataflow;
  schedule::Schedule& plan = planned.schedule;  // cost_as_run retimes it
  result.warnings = std::move(planned.warnings);
  result.ir_dump = std::move(planned.ir_dump);
  const std::string model_name = options.model_name.empty() ? graph.name : options.model_name;

  Stopwatch stage;
  // The engine of each cluster, and the predictions as the engines run it.
  RAMIEL_ASSIGN_OR_RETURN(const codegen::MeasuredEngines measured_engines,
                          cost::parse_measured_engines(options.measured_costs_json));
  const std::vector<std::string> engines =
      codegen::choose_engines(dataflow, plan, measured_engines);
  RAMIEL_ASSIGN_OR_RETURN(const std::optional<schedule::DataflowGraph> retimed,
                          cost_as_run(graph, costs, dataflow, engines, plan));
  const schedule::DataflowGraph& as_run = retimed ? *retimed : dataflow;
  timings.schedule_ms += stage.elapsed_ms();

  // Codegen.
  RAMIEL_RETURN_IF_ERROR(check_cancelled(options, "code generation"));
  stage.restart();
  codegen::CodegenInput codegen_input;
  codegen_input.graph = &graph;
  codegen_input.dataflow = &as_run;
  codegen_input.schedule = &plan;
  codegen_input.model_sha256 = result.model_sha256;
  codegen_input.model_name = model_name;
  codegen_input.compiler_version = compiler_version();
  codegen_input.options_summary = options_summary(options);
  codegen_input.engines = engines;
  RAMIEL_ASSIGN_OR_RETURN(result.files, codegen::generate_python(codegen_input));
  timings.codegen_ms = stage.elapsed_ms();
  timings.total_ms = total.elapsed_ms();
  result.stage_seconds = {{"import", timings.import_ms / 1e3},
                          {"passes", timings.passes_ms / 1e3},
                          {"cost", timings.cost_ms / 1e3},
                          {"schedule", timings.schedule_ms / 1e3},
                          {"codegen", timings.codegen_ms / 1e3}};

  ReportInput report;
  report.graph = &graph;
  report.dataflow = &as_run;
  report.schedule = &plan;
  report.node_costs = schedule::scheduled_costs(as_run, plan);
  report.options = &options;
  report.model_sha256 = result.model_sha256;
  report.model_name = model_name;
  report.device_profile = profile.to_json_value();
  report.nodes_in = planned.nodes_in;
  report.pass_counters = planned.context.counters;
  report.parallel_rewrites_dropped = parallel_rewrites_dropped;
  report.timings = timings;
  report.warnings = result.warnings;
  result.files["schedule.json"] = schedule_json(report);
  result.files["graph.dot"] = graph_dot(report);
  result.clusters = static_cast<int>(plan.clusters.size());
  result.predicted_speedup = plan.speedup();
  return result;
}

}  // namespace ramiel::driver
