#include "core/frontend/onnx_import.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <climits>
#include <exception>

#include "core/frontend/external_data.h"
#include "core/frontend/function_calls.h"
#include "core/frontend/graph_builder.h"
#include "core/frontend/inference_guards.h"
#include "core/frontend/input_binding.h"
#include "core/frontend/model_limits.h"
#include "core/frontend/normalize_operands.h"
#include "core/frontend/opset_upgrade.h"
#include "core/frontend/slim_model.h"

namespace ramiel::frontend {
namespace {

bool is_default_domain(const std::string& domain) {
  return domain.empty() || domain == "ai.onnx";
}

// The training domain's optimizers are element-wise formulas Ramiel translates (opset 1, the
// only one); its Gradient, which needs automatic differentiation, stays refused.
using ir::kTrainingDomain;
using ir::kTrainingOpset;

bool is_translated_training_op(const onnx::NodeProto& node) {
  return node.domain() == kTrainingDomain &&
         (node.op_type() == "Adagrad" || node.op_type() == "Adam" || node.op_type() == "Momentum");
}

bool imports_training_domain(const onnx::ModelProto& model) {
  for (const auto& import : model.opset_import()) {
    if (import.domain() == kTrainingDomain) return true;
  }
  return false;
}

// The model's ai.onnx opset; models older than kMinOpset are upgraded to it first.
StatusOr<int> default_opset(onnx::ModelProto& model) {
  for (const auto& import : model.opset_import()) {
    if (!is_default_domain(import.domain())) continue;
    const auto version = import.version();
    if (version >= 1 && version < kMinOpset) {
      RAMIEL_RETURN_IF_ERROR(upgrade_opset(model, static_cast<int>(version), kMinOpset));
      return kMinOpset;
    }
    if (version < kMinOpset || version > kMaxOpset) {
      return unimplemented("the model uses ai.onnx opset " + std::to_string(version) +
                           "; Ramiel supports opsets " + std::to_string(kMinOpset) + " to " +
                           std::to_string(kMaxOpset));
    }
    return static_cast<int>(version);
  }
  // An optimizer step alone imports only the training domain: no ai.onnx op to read an opset for.
  if (imports_training_domain(model)) return kMaxOpset;
  return invalid_argument("the model imports no ai.onnx opset");
}

Status check_domains(const onnx::GraphProto& graph, const onnx::ModelProto& model) {
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto& node = graph.node(i);
    for (const auto& attr : node.attribute()) {  // If, Loop and Scan bodies
      if (attr.has_g()) RAMIEL_RETURN_IF_ERROR(check_domains(attr.g(), model));
    }
    if (is_default_domain(node.domain())) continue;
    int64_t version = 0;
    for (const auto& import : model.opset_import()) {
      if (import.domain() == node.domain()) version = import.version();
    }
    if (is_translated_training_op(node) && version == kTrainingOpset) continue;
    const std::string name = node.name().empty() ? "#" + std::to_string(i) : node.name();
    return unimplemented("node '" + name + "' (" + node.op_type() + ", " + node.domain() +
                         " opset " + std::to_string(version) +
                         "): only ai.onnx operators and ai.onnx.preview.training's Adagrad, Adam "
                         "and Momentum (opset 1) are supported");
  }
  return ok_status();
}

// The onnx checker with the model's directory, so external data resolves against it.
Status run_checker(const onnx::ModelProto& model, const std::optional<std::filesystem::path>& dir) {
  try {
    onnx::checker::CheckerContext context;
    context.set_ir_version(static_cast<int>(model.ir_version()));
    std::unordered_map<std::string, int> opsets;
    for (const auto& import : model.opset_import()) {
      opsets[import.domain()] = static_cast<int>(import.version());
    }
    context.set_opset_imports(opsets);
    if (dir) context.set_model_dir(dir->string());
    onnx::checker::LexicalScopeContext scope;
    onnx::checker::check_graph(model.graph(), context, scope);
  } catch (const std::exception& e) {
    return invalid_argument(std::string("the ONNX checker rejected the model: ") + e.what());
  }
  return ok_status();
}

Status infer_shapes(onnx::ModelProto& model) {
  install_shape_inference_guards();
  try {
    // Strict mode: a node whose shapes cannot be inferred is an error here, not at run time.
    onnx::ShapeInferenceOptions options(/*check_type=*/true, /*strict_mode=*/1,
                                        /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    return invalid_argument(std::string("shape inference failed: ") + e.what());
  }
  return ok_status();
}

}  // namespace

struct CheckedModel::Parsed {
  onnx::ModelProto model;  // its large weights stripped (slim_model)
  int opset = 0;
  std::unordered_map<std::string, int64_t> stripped_bytes;
  std::vector<std::string> warnings;
  int64_t max_loaded_constant_bytes = 0;
  ir::ModelLimits limits;
};

CheckedModel::CheckedModel(std::unique_ptr<Parsed> parsed) : parsed_(std::move(parsed)) {}
CheckedModel::CheckedModel(CheckedModel&&) noexcept = default;
CheckedModel& CheckedModel::operator=(CheckedModel&&) noexcept = default;
CheckedModel::~CheckedModel() = default;

StatusOr<ImportResult> CheckedModel::build() const {
  const Parsed& p = *parsed_;
  ImportResult result;
  result.warnings = p.warnings;
  RAMIEL_ASSIGN_OR_RETURN(
      result.graph, build_graph(p.model.graph(), p.opset, p.max_loaded_constant_bytes, p.limits,
                                p.stripped_bytes));
  normalize_operands(*result.graph);
  result.graph->ir_version = p.model.ir_version();
  if (result.graph->name.empty()) result.graph->name = "model";
  return result;
}

StatusOr<CheckedModel> check_onnx(std::string_view model_bytes, const ImportOptions& options) {
  if (model_bytes.empty()) return invalid_argument("the model is empty (0 bytes)");
  if (model_bytes.size() > static_cast<size_t>(INT_MAX)) {
    return invalid_argument("the model is larger than 2 GiB; store its weights as external data");
  }
  RAMIEL_ASSIGN_OR_RETURN(SlimModel slim,
                          slim_model(model_bytes, options.max_loaded_constant_bytes));
  auto parsed = std::make_unique<CheckedModel::Parsed>();
  onnx::ModelProto& model = parsed->model;
  if (!model.ParseFromString(slim.bytes)) {
    return invalid_argument(
        "not an ONNX model: the bytes do not parse as a ModelProto (truncated or "
        "corrupt file?)");
  }
  if (model.ir_version() <= 0 || !model.has_graph()) {
    return invalid_argument(
        "not an ONNX model: no IR version or no graph (truncated or corrupt file?)");
  }
  // Ramiel's own checks, before any ONNX library code reads the model.
  RAMIEL_RETURN_IF_ERROR(check_external_data(model, options.model_dir));
  RAMIEL_RETURN_IF_ERROR(check_model_limits(model, options.limits, slim.stripped_bytes));
  RAMIEL_RETURN_IF_ERROR(check_function_calls(model, options.limits));
  RAMIEL_ASSIGN_OR_RETURN(parsed->opset, default_opset(model));
  RAMIEL_RETURN_IF_ERROR(check_domains(model.graph(), model));

  RAMIEL_RETURN_IF_ERROR(
      bind_input_shapes(*model.mutable_graph(), options.input_shapes, parsed->warnings));
  RAMIEL_RETURN_IF_ERROR(run_checker(model, options.model_dir));
  RAMIEL_RETURN_IF_ERROR(infer_shapes(model));
  parsed->stripped_bytes = std::move(slim.stripped_bytes);
  parsed->max_loaded_constant_bytes = options.max_loaded_constant_bytes;
  parsed->limits = options.limits;
  return CheckedModel(std::move(parsed));
}

StatusOr<ImportResult> import_onnx(std::string_view model_bytes, const ImportOptions& options) {
  RAMIEL_ASSIGN_OR_RETURN(const CheckedModel checked, check_onnx(model_bytes, options));
  return checked.build();
}

}  // namespace ramiel::frontend
