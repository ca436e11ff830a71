#include "server/process_metrics.h"

#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "core/support/file_contents.h"

namespace ramiel::server {
namespace {

// Fields of /proc/<pid>/stat counted from 1; the text after the command's closing ')' starts at
// field 3 (state).
constexpr int kFirstFieldAfterComm = 3;
constexpr int kUtimeField = 14;
constexpr int kStimeField = 15;
constexpr int kRssField = 24;

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return {std::move(name), std::move(help), type, {metric}};
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(const std::string& text, long ticks_per_second,
                                        long page_bytes) {
  const size_t comm_end = text.rfind(')');
  if (comm_end == std::string::npos || ticks_per_second <= 0) return std::nullopt;
  std::istringstream fields(text.substr(comm_end + 1));
  std::string field;
  double utime = -1, stime = -1;
  int64_t rss_pages = -1;
  for (int index = kFirstFieldAfterComm; fields >> field && index <= kRssField; ++index) {
    try {
      if (index == kUtimeField) utime = std::stod(field);
      if (index == kStimeField) stime = std::stod(field);
      if (index == kRssField) rss_pages = std::stoll(field);
    } catch (...) {
      return std::nullopt;
    }
  }
  if (utime < 0 || stime < 0 || rss_pages < 0) return std::nullopt;
  return ProcStat{(utime + stime) / static_cast<double>(ticks_per_second), rss_pages * page_bytes};
}

std::optional<int64_t> parse_max_open_files(const std::string& limits_text) {
  std::istringstream lines(limits_text);
  const std::string prefix = "Max open files";
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::istringstream values(line.substr(prefix.size()));
    std::string soft;
    values >> soft;
    if (soft == "unlimited") return std::nullopt;
    try {
      return std::stoll(soft);
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> families;
  if (auto stat = parse_proc_stat(file_contents(proc_dir_ + "/stat").value_or(""), sysconf(_SC_CLK_TCK),
                                  sysconf(_SC_PAGESIZE))) {
    families.push_back(family("process_cpu_seconds_total", "User and system CPU time spent",
                              MetricType::Counter, stat->cpu_seconds));
    families.push_back(family("process_resident_memory_bytes", "Resident memory size",
                              MetricType::Gauge, static_cast<double>(stat->resident_bytes)));
  }
  std::error_code error;
  int64_t open_fds = 0;
  for (std::filesystem::directory_iterator it(proc_dir_ + "/fd", error), end; !error && it != end;
       it.increment(error)) {
    ++open_fds;
  }
  if (!error) {
    families.push_back(family("process_open_fds", "Open file descriptors", MetricType::Gauge,
                              static_cast<double>(open_fds)));
  }
  if (auto max_fds = parse_max_open_files(file_contents(proc_dir_ + "/limits").value_or(""))) {
    families.push_back(family("process_max_fds", "Limit of open file descriptors (soft)",
                              MetricType::Gauge, static_cast<double>(*max_fds)));
  }
  return families;
}

}  // namespace ramiel::server
