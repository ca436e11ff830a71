#include <nlohmann/json.hpp>

#include "core/driver/compile.h"
#include "core/support/sha256.h"

namespace ramiel::driver {
namespace {

// Parses a JSON option and re-serialises it with sorted keys, so formatting never matters.
StatusOr<std::string> canonical_json(const std::string& text, const char* what) {
  if (text.empty()) return std::string();
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return invalid_argument(std::string(what) + " is not valid JSON");
  if (!parsed.is_object()) return invalid_argument(std::string(what) + " must be a JSON object");
  return parsed.dump();
}

// For canonical(): options were validated, but a raw text still identifies a bad one.
std::string canonical_or_raw(const std::string& text) {
  auto canonical = canonical_json(text, "");
  return canonical.ok() ? *canonical : text;
}

}  // namespace

Status CompileOptions::validate() const {
  if (workers < 1 || workers > 256) {
    return invalid_argument("workers must be between 1 and 256, not " + std::to_string(workers));
  }
  for (const auto& [name, shape] : input_shapes) {
    if (name.empty()) return invalid_argument("an input shape names no input");
    for (int64_t dim : shape) {
      if (dim <= 0) return invalid_argument("input shape of '" + name + "' has a non-positive size");
    }
  }
  const ir::ModelLimits& l = limits;
  for (int64_t value : {l.max_tensor_elements, l.max_tensor_rank, l.max_nodes, l.max_graph_depth, l.max_function_depth,
                        l.max_attribute_bytes, l.max_string_bytes, l.max_name_bytes,
                        l.max_node_inputs, l.max_node_outputs, l.max_folded_elements}) {
    if (value < 0) return invalid_argument("model limits must not be negative");
  }
  if (!model_sha256.empty() && !is_sha256_hex(model_sha256)) {
    return invalid_argument("a known model sha256 must be 64 lower-case hex characters");
  }
  RAMIEL_RETURN_IF_ERROR(canonical_json(device_profile_json, "the device profile").status());
  RAMIEL_RETURN_IF_ERROR(canonical_json(measured_costs_json, "the measured costs").status());
  return ok_status();
}

std::string CompileOptions::canonical() const {
  nlohmann::json shapes = nlohmann::json::object();
  for (const auto& [name, shape] : input_shapes) shapes[name] = shape;
  nlohmann::json out = {
      {"workers", workers},
      {"input_shapes", shapes},
      {"device_profile", canonical_or_raw(device_profile_json)},
      {"measured_costs", canonical_or_raw(measured_costs_json)},
      {"model_name", model_name},
  };
  // Of the limits only the folding bound changes the output of a model that compiles; it is
  // keyed only when set, so default compiles keep their keys.
  if (limits.max_folded_elements != ir::ModelLimits().max_folded_elements) {
    out["max_folded_elements"] = limits.max_folded_elements;
  }
  return out.dump();
}

}  // namespace ramiel::driver
