#include "core/driver/schedule_summary.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace ramiel::driver {

namespace {

std::string summary_of(const nlohmann::json& s) {
  char line[256];
  std::string out;
  const auto& g = s.at("graph");
  std::snprintf(line, sizeof line, "model %s (sha256 %.12s...), opset %d\n",
                s.at("model").at("name").get<std::string>().c_str(),
                s.at("model").at("sha256").get<std::string>().c_str(),
                s.at("model").at("opset").get<int>());
  out += line;
  // Keys newer than the first servers' files are read with defaults.
  std::snprintf(line, sizeof line,
                "graph: %lld nodes in, %lld out (%lld folded, %lld removed, %lld cloned, %lld "
                "split%s)\n",
                g.at("nodes_in").get<long long>(), g.at("nodes_out").get<long long>(),
                g.at("folded").get<long long>(), g.at("removed").get<long long>(),
                g.at("cloned").get<long long>(), g.value("split", 0LL),
                g.value("parallel_rewrites_dropped", false)
                    ? "; splits and clones dropped: the schedule is one cluster"
                    : "");
  out += line;
  out += "cluster  nodes  cost_us\n";
  for (const auto& c : s.at("clusters")) {
    std::snprintf(line, sizeof line, "%7d  %5zu  %9.1f\n", c.at("id").get<int>(),
                  c.at("nodes").size(), c.at("cost_us").get<double>());
    out += line;
  }
  const auto& p = s.at("prediction");
  std::snprintf(
      line, sizeof line,
      "predicted: serial %.1f us, critical path %.1f us, makespan %.1f us, speedup %.2fx\n",
      p.at("serial_us").get<double>(), p.at("critical_path_us").get<double>(),
      p.at("makespan_us").get<double>(), p.at("speedup").get<double>());
  out += line;
  const auto& t = s.at("timings_ms");
  std::snprintf(line, sizeof line,
                "compile: import %.1f ms, passes %.1f ms, cost %.1f ms, schedule %.1f ms, "
                "codegen %.1f ms, total %.1f ms\n",
                t.at("import").get<double>(), t.at("passes").get<double>(),
                t.at("cost").get<double>(), t.at("schedule").get<double>(),
                t.at("codegen").get<double>(), t.at("total").get<double>());
  out += line;
  return out;
}

}  // namespace

std::string schedule_summary(std::string_view schedule_json) {
  const auto s = nlohmann::json::parse(schedule_json, nullptr, false);
  if (s.is_discarded()) return "(schedule.json is not valid JSON)\n";
  // A server of another version may write other keys; the summary is a courtesy, never a crash.
  try {
    return summary_of(s);
  } catch (const nlohmann::json::exception&) {
    return "(schedule.json lacks the keys this client summarises)\n";
  }
}

}  // namespace ramiel::driver
