// What this process may use of the machine: the CPUs its affinity mask and its cgroup's CPU quota
// allow, and the memory its cgroup allows. hardware_concurrency() and the physical memory ignore
// both, so a container given 2 CPUs of a 64-core node would otherwise size itself for 64.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ramiel::server {

// CPUs this process may run on at once: min(affinity mask, ceil(cgroup quota / period)), >= 1.
int available_cpus();

// Bytes of memory: min(physical memory, the cgroup's limit when it has one).
int64_t available_memory_bytes();

// The parsers, for tests: cgroup v2 `cpu.max` ("max 100000", "150000 100000") and the v1 pair;
// memory limits of either version ("max", a number, v1's "no limit" sentinel).
std::optional<double> cpu_quota_from_v2(const std::string& cpu_max);
std::optional<double> cpu_quota_from_v1(int64_t quota_us, int64_t period_us);
std::optional<int64_t> memory_limit_from_text(const std::string& text);

}  // namespace ramiel::server
