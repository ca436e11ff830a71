// Reads one sample out of a prometheus-cpp registry, so tests assert on what /metrics would show.
#pragma once

#include <map>
#include <string>

#include <prometheus/registry.h>

namespace ramiel::server::testing {

// The value of a counter or gauge sample, or the count of a histogram sample, whose labels
// include `labels`; summed over matching samples. 0 when none matches.
inline double metric_value(const prometheus::Registry& registry, const std::string& name,
                           const std::map<std::string, std::string>& labels = {}) {
  double total = 0;
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      bool match = true;
      for (const auto& [key, value] : labels) {
        bool found = false;
        for (const auto& label : metric.label) found |= label.name == key && label.value == value;
        match &= found;
      }
      if (!match) continue;
      switch (family.type) {
        case prometheus::MetricType::Counter:
          total += metric.counter.value;
          break;
        case prometheus::MetricType::Gauge:
          total += metric.gauge.value;
          break;
        case prometheus::MetricType::Histogram:
          total += static_cast<double>(metric.histogram.sample_count);
          break;
        default:
          break;
      }
    }
  }
  return total;
}

}  // namespace ramiel::server::testing
