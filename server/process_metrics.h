// ProcessMetrics: the standard process_* metrics (CPU time, resident memory, descriptors) read
// from /proc on each scrape; prometheus-cpp's exposer exports none of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace ramiel::server {

// What /proc/<pid>/stat says about CPU time and resident memory.
struct ProcStat {
  double cpu_seconds = 0;  // user + system
  int64_t resident_bytes = 0;
};

// Parses the text of /proc/<pid>/stat (the command name may hold spaces and parentheses, so the
// fields are counted from the last ')'); nullopt when it is malformed.
std::optional<ProcStat> parse_proc_stat(const std::string& text, long ticks_per_second,
                                        long page_bytes);

// The soft "Max open files" limit from the text of /proc/<pid>/limits; nullopt when unlimited.
std::optional<int64_t> parse_max_open_files(const std::string& limits_text);

class ProcessMetrics : public prometheus::Collectable {
 public:
  // `proc_dir`: the process to describe, /proc/self for this one.
  explicit ProcessMetrics(std::string proc_dir = "/proc/self") : proc_dir_(std::move(proc_dir)) {}
  // process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds, process_max_fds;
  // a value /proc cannot give is left out rather than reported as 0.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string proc_dir_;
};

}  // namespace ramiel::server
