#include "core/driver/schedule_summary.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace ramiel::driver {

std::string schedule_summary(std::string_view schedule_json) {
  auto s = nlohmann::json::parse(schedule_json, nullptr, false);
  if (s.is_discarded()) return "(schedule.json is not valid JSON)\n";
  char line[256];
  std::string out;
  const auto& g = s["graph"];
  std::snprintf(line, sizeof line, "model %s (sha256 %.12s...), opset %d\n",
                s["model"]["name"].get<std::string>().c_str(),
                s["model"]["sha256"].get<std::string>().c_str(), s["model"]["opset"].get<int>());
  out += line;
  std::snprintf(line, sizeof line,
                "graph: %lld nodes in, %lld out (%lld folded, %lld removed, %lld cloned)\n",
                g["nodes_in"].get<long long>(), g["nodes_out"].get<long long>(),
                g["folded"].get<long long>(), g["removed"].get<long long>(),
                g["cloned"].get<long long>());
  out += line;
  out += "cluster  nodes  cost_us\n";
  for (const auto& c : s["clusters"]) {
    std::snprintf(line, sizeof line, "%7d  %5zu  %9.1f\n", c["id"].get<int>(), c["nodes"].size(),
                  c["cost_us"].get<double>());
    out += line;
  }
  const auto& p = s["prediction"];
  std::snprintf(
      line, sizeof line,
      "predicted: serial %.1f us, critical path %.1f us, makespan %.1f us, speedup %.2fx\n",
      p["serial_us"].get<double>(), p["critical_path_us"].get<double>(),
      p["makespan_us"].get<double>(), p["speedup"].get<double>());
  out += line;
  const auto& t = s["timings_ms"];
  std::snprintf(line, sizeof line,
                "compile: import %.1f ms, passes %.1f ms, cost %.1f ms, schedule %.1f ms, "
                "codegen %.1f ms, total %.1f ms\n",
                t["import"].get<double>(), t["passes"].get<double>(), t["cost"].get<double>(),
                t["schedule"].get<double>(), t["codegen"].get<double>(), t["total"].get<double>());
  out += line;
  return out;
}

}  // namespace ramiel::driver
