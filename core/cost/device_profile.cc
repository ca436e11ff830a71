#include "core/cost/device_profile.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace ramiel::cost {
namespace {

// The numeric keys of the JSON form, each bound to its field.
struct NumberField {
  const char* key;
  double DeviceProfile::*field;
};

constexpr NumberField kNumberFields[] = {
    {"co_run_slowdown", &DeviceProfile::co_run_slowdown},
    {"compute_intra_op_half_us", &DeviceProfile::compute_intra_op_half_us},
    {"cores", &DeviceProfile::cores},
    {"intra_op_efficiency", &DeviceProfile::intra_op_efficiency},
    {"intra_op_half_us", &DeviceProfile::intra_op_half_us},
    {"inplace_gbps", &DeviceProfile::inplace_gbps},
    {"intra_op_sync_us", &DeviceProfile::intra_op_sync_us},
    {"matvec_gbps", &DeviceProfile::matvec_gbps},
    {"memory_gbps", &DeviceProfile::memory_gbps},
    {"op_overhead_us", &DeviceProfile::op_overhead_us},
    {"peak_gflops", &DeviceProfile::peak_gflops},
    {"pool_gops", &DeviceProfile::pool_gops},
    {"separable_pool_gops", &DeviceProfile::separable_pool_gops},
    {"traced_op_overhead_us", &DeviceProfile::traced_op_overhead_us},
    {"transfer_gbps", &DeviceProfile::transfer_gbps},
    {"transfer_latency_us", &DeviceProfile::transfer_latency_us},
    {"vector_gops", &DeviceProfile::vector_gops},
    {"weight_gbps", &DeviceProfile::weight_gbps},
};

// Keys added after profiles were in use: a profile without one takes the older key's value.
struct FallbackField {
  const char* key;
  double DeviceProfile::*field;
  double DeviceProfile::*older;
};

constexpr FallbackField kFallbackFields[] = {
    // Calibrated before convolutions had their own curve: one curve for every op.
    {"compute_intra_op_half_us", &DeviceProfile::compute_intra_op_half_us,
     &DeviceProfile::intra_op_half_us},
    // Calibrated before traced dispatch was timed: every op dispatched from Python.
    {"traced_op_overhead_us", &DeviceProfile::traced_op_overhead_us,
     &DeviceProfile::op_overhead_us},
};

const NumberField* find_number_field(const std::string& key) {
  for (const NumberField& f : kNumberFields) {
    if (key == f.key) return &f;
  }
  return nullptr;
}

}  // namespace

StatusOr<DeviceProfile> DeviceProfile::from_json(std::string_view json_text) {
  // No exceptions in core/: a parse failure comes back as a discarded value.
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid_argument("device profile: not valid JSON");
  if (!doc.is_object()) return invalid_argument("device profile: expected a JSON object");

  DeviceProfile profile = defaults();
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& key = it.key();
    if (key == "name") {
      if (!it->is_string()) return invalid_argument("device profile: 'name' must be a string");
      profile.name = it->get<std::string>();
      continue;
    }
    const NumberField* field = find_number_field(key);
    if (field == nullptr) return invalid_argument("device profile: unknown key '" + key + "'");
    if (!it->is_number()) {
      return invalid_argument("device profile: '" + key + "' must be a number");
    }
    double value = it->get<double>();
    if (!std::isfinite(value) || value <= 0) {
      return invalid_argument("device profile: '" + key + "' must be a positive number");
    }
    if (field->field == &DeviceProfile::cores && (value < 1 || value != std::floor(value))) {
      return invalid_argument("device profile: 'cores' must be a whole number of at least 1");
    }
    if (field->field == &DeviceProfile::co_run_slowdown && value < 1) {
      return invalid_argument("device profile: 'co_run_slowdown' must be at least 1");
    }
    if (field->field == &DeviceProfile::intra_op_efficiency && value > 1) {
      return invalid_argument("device profile: 'intra_op_efficiency' must be at most 1");
    }
    profile.*(field->field) = value;
  }
  for (const FallbackField& f : kFallbackFields) {
    if (!doc.contains(f.key)) profile.*(f.field) = profile.*(f.older);
  }
  return profile;
}

nlohmann::json DeviceProfile::to_json_value() const {
  nlohmann::json doc = nlohmann::json::object();  // keys kept sorted: deterministic text
  doc["name"] = name;
  for (const NumberField& f : kNumberFields) doc[f.key] = this->*(f.field);
  return doc;
}

std::string DeviceProfile::to_json() const {
  return to_json_value().dump(2) + "\n";
}

}  // namespace ramiel::cost
