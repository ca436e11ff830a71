#include "server/machine_resources.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace ramiel::server {
namespace {

std::optional<std::string> read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

std::optional<int64_t> read_int(const std::string& path) {
  const auto line = read_first_line(path);
  if (!line) return std::nullopt;
  try {
    return std::stoll(*line);
  } catch (...) {
    return std::nullopt;
  }
}

// The process's own cgroup v2 directory ("0::/kubepods/..." in /proc/self/cgroup).
std::string cgroup_v2_dir() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
  }
  return "/sys/fs/cgroup";
}

std::optional<double> cgroup_cpu_quota() {
  if (auto v2 = read_first_line(cgroup_v2_dir() + "/cpu.max")) return cpu_quota_from_v2(*v2);
  if (auto v2 = read_first_line("/sys/fs/cgroup/cpu.max")) return cpu_quota_from_v2(*v2);
  const auto quota = read_int("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
  const auto period = read_int("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
  if (quota && period) return cpu_quota_from_v1(*quota, *period);
  return std::nullopt;
}

std::optional<int64_t> cgroup_memory_limit() {
  for (const std::string& path :
       {cgroup_v2_dir() + "/memory.max", std::string("/sys/fs/cgroup/memory.max"),
        std::string("/sys/fs/cgroup/memory/memory.limit_in_bytes")}) {
    if (auto text = read_first_line(path)) return memory_limit_from_text(*text);
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> cpu_quota_from_v2(const std::string& cpu_max) {
  std::istringstream in(cpu_max);
  std::string quota;
  int64_t period = 0;
  if (!(in >> quota >> period) || quota == "max" || period <= 0) return std::nullopt;
  try {
    return static_cast<double>(std::stoll(quota)) / static_cast<double>(period);
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<double> cpu_quota_from_v1(int64_t quota_us, int64_t period_us) {
  if (quota_us <= 0 || period_us <= 0) return std::nullopt;  // -1: no quota
  return static_cast<double>(quota_us) / static_cast<double>(period_us);
}

std::optional<int64_t> memory_limit_from_text(const std::string& text) {
  if (text.empty() || text == "max") return std::nullopt;
  try {
    const int64_t bytes = std::stoll(text);
    // cgroup v1 writes "no limit" as a page-rounded LONG_MAX.
    if (bytes <= 0 || bytes >= (int64_t{1} << 62)) return std::nullopt;
    return bytes;
  } catch (...) {
    return std::nullopt;
  }
}

int available_cpus() {
  int cpus = 0;
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof mask, &mask) == 0) cpus = CPU_COUNT(&mask);
  if (cpus <= 0) cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  if (const auto quota = cgroup_cpu_quota()) {
    cpus = std::min(cpus, static_cast<int>(std::ceil(*quota)));
  }
  return std::max(1, cpus);
}

int64_t available_memory_bytes() {
  const int64_t physical = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  const auto limit = cgroup_memory_limit();
  return limit ? std::min(physical, *limit) : physical;
}

}  // namespace ramiel::server
