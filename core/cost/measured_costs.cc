#include "core/cost/measured_costs.h"

#include <nlohmann/json.hpp>
#include <string>

namespace ramiel::cost {
namespace {

// A time in microseconds: a non-negative number.
bool read_time(const nlohmann::json& value, double& out) {
  if (!value.is_number() || value.get<double>() < 0) return false;
  out = value.get<double>();
  return true;
}

}  // namespace

StatusOr<MeasuredCosts> parse_measured_costs(std::string_view json_text) {
  MeasuredCosts costs;
  if (json_text.empty()) return costs;
  auto json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  const bool profile = json.is_object() && json.contains("nodes");  // else a plain table
  const nlohmann::json& table = profile ? json["nodes"] : json;
  if (!table.is_object())
    return invalid_argument("measured costs must map node names to microseconds");
  // The profile's traced node times scaled to its untraced whole runs, per thread count.
  double scale_1 = 1, scale_t = 1;
  if (profile && json.contains("untraced_scale")) {
    const nlohmann::json& scale = json["untraced_scale"];
    auto read_scale = [&scale](const char* key, double& out) {
      return !scale.contains(key) || (read_time(scale[key], out) && out > 0);
    };
    if (!scale.is_object() || !read_scale("us_1", scale_1) || !read_scale("us_T", scale_t)) {
      return invalid_argument(
          "untraced_scale must be {\"us_1\": ..., \"us_T\": ...}, positive numbers");
    }
  }
  for (const auto& [name, value] : table.items()) {
    MeasuredCost& cost = costs[name];
    const bool ok = value.is_object()
                        ? value.contains("us_1") && read_time(value["us_1"], cost.us) &&
                              (!value.contains("us_T") || read_time(value["us_T"], cost.wide_us))
                        : read_time(value, cost.us);
    if (!ok) {
      return invalid_argument("measured cost of node '" + name +
                              "' must be microseconds or {\"us_1\": ..., \"us_T\": ...}");
    }
    if (!value.is_object()) continue;
    cost.us *= scale_1;  // a profile's entry: traced times
    if (cost.wide_us >= 0) cost.wide_us *= scale_t;
    if (value.contains("frozen_scale") &&
        (!read_time(value["frozen_scale"], cost.frozen_scale) || cost.frozen_scale == 0)) {
      return invalid_argument("the frozen_scale of node '" + name +
                              "' must be a positive number (frozen over eager time)");
    }
  }
  return costs;
}

StatusOr<MeasuredEngines> parse_measured_engines(std::string_view json_text) {
  MeasuredEngines engines;
  if (json_text.empty()) return engines;
  auto json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("nodes") || !json["nodes"].is_object()) return engines;
  for (const auto& [name, value] : json["nodes"].items()) {
    if (!value.is_object() || !value.contains("engine")) continue;
    const nlohmann::json& engine = value["engine"];
    if (!engine.is_string() || (engine != "eager" && engine != "frozen" && engine != "prepacked")) {
      return invalid_argument("the engine of node '" + name +
                              "' must be \"eager\", \"frozen\" or \"prepacked\"");
    }
    engines[name] = engine.get<std::string>();
  }
  return engines;
}

}  // namespace ramiel::cost
