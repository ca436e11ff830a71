// The compile worker's confinement: resource limits, then a seccomp filter that leaves it no way
// to open files, start programs or reach the network. Applied by the worker to itself before it
// parses a single byte of the model.
#pragma once

#include <cstdint>

#include "core/support/status.h"

namespace ramiel::server::worker {

struct SandboxLimits {
  int64_t memory_bytes = 0;  // address space (RLIMIT_AS); 0: unlimited
  int64_t cpu_seconds = 0;   // CPU time (RLIMIT_CPU: SIGXCPU, then SIGKILL a second later)
};

// Sanitizer runtimes reserve terabytes of address space, so an address-space limit cannot be
// enforced in sanitized builds; they run without one.
constexpr bool kAddressSpaceLimitEnforceable =
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    false;
#else
    true;
#endif

// setrlimit: address space, CPU time, no core dumps, no file growth, few descriptors.
Status apply_limits(const SandboxLimits& limits);

// Denies (EACCES) every system call that opens or changes a file, executes a program, creates a
// socket or a process, or touches another process. Reading stdin and writing stdout and stderr
// still work; so do memory allocation and threads.
Status deny_files_and_network();

}  // namespace ramiel::server::worker
