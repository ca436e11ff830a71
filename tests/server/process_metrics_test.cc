#include "server/process_metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ramiel::server {
namespace {

std::map<std::string, double> collect(const ProcessMetrics& metrics) {
  std::map<std::string, double> values;
  for (const auto& family : metrics.Collect()) {
    const auto& metric = family.metric.at(0);
    values[family.name] =
        family.type == prometheus::MetricType::Counter ? metric.counter.value : metric.gauge.value;
  }
  return values;
}

TEST(ProcessMetrics, ParsesStatPastACommandNameWithSpacesAndParentheses) {
  // Fields 14 and 15 (utime, stime) are 250 and 50 ticks; field 24 (rss) is 1000 pages.
  const std::string stat =
      "4242 (ramiel (x) y) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 8 0 12345 "
      "999999 1000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  const auto parsed = parse_proc_stat(stat, 100, 4096);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_DOUBLE_EQ(parsed->cpu_seconds, 3.0);
  EXPECT_EQ(parsed->resident_bytes, 1000 * 4096);
}

TEST(ProcessMetrics, RefusesMalformedStat) {
  EXPECT_FALSE(parse_proc_stat("", 100, 4096));
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 2 3", 100, 4096));                     // too short
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 2 3 4 5 6 7 8 9 10 x y", 100, 4096));  // not numbers
  EXPECT_FALSE(parse_proc_stat("1 x S", 100, 4096));                             // no ')'
}

TEST(ProcessMetrics, ReadsTheSoftOpenFileLimit) {
  const std::string limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max open files            1024                 524288               files     \n";
  EXPECT_EQ(parse_max_open_files(limits), 1024);
  EXPECT_FALSE(parse_max_open_files("Max open files            unlimited  unlimited  files\n"));
  EXPECT_FALSE(parse_max_open_files("Max cpu time  unlimited  unlimited  seconds\n"));
}

TEST(ProcessMetrics, DescribesThisProcessAndFollowsItsDescriptors) {
  ProcessMetrics metrics;
  auto before = collect(metrics);
  ASSERT_EQ(before.size(), 4u);
  EXPECT_GT(before["process_resident_memory_bytes"], 1 << 20);  // a test binary is megabytes
  EXPECT_GE(before["process_cpu_seconds_total"], 0);
  EXPECT_GT(before["process_max_fds"], 0);
  std::vector<int> opened;
  for (int i = 0; i < 5; ++i) opened.push_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
  auto during = collect(metrics);
  EXPECT_EQ(during["process_open_fds"], before["process_open_fds"] + 5);
  for (int fd : opened) close(fd);
  EXPECT_EQ(collect(metrics)["process_open_fds"], before["process_open_fds"]);
}

TEST(ProcessMetrics, LeavesOutWhatProcCannotGive) {
  EXPECT_TRUE(ProcessMetrics("/nonexistent/proc/dir").Collect().empty());
}

}  // namespace
}  // namespace ramiel::server
