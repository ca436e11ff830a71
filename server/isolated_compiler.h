// IsolatedCompiler: the server's CompileFn that runs every compile in a ramiel-compile-worker
// process of its own, under CPU-time and address-space limits and a seccomp filter. A crash, a
// limit hit or a hung compile costs that one request; the daemon, other compiles and the cache
// carry on. A caller that stops waiting (deadline, cancellation, drain) gets the worker killed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/driver/compile.h"
#include "core/support/status.h"
#include "server/metrics.h"
#include "server/request_log.h"
#include "server/spare_workers.h"

namespace ramiel::server {

struct WorkerLimits {
  std::string worker_path;  // the ramiel-compile-worker executable
  int64_t memory_bytes = 0;
  int64_t cpu_seconds = 0;
  int64_t max_job_bytes = 0;  // the largest model plus its options
  std::string debug_fault;    // tests only: see server/worker/protocol.h
};

class IsolatedCompiler {
 public:
  // Keeps `spares` workers started ahead of need (one per compile thread hides start-up).
  IsolatedCompiler(WorkerLimits limits, size_t spares, Metrics& metrics, RequestLog& log);

  // Same contract as driver::compile(); options.is_cancelled is polled while the worker runs.
  StatusOr<driver::CompileResult> operator()(std::string_view model,
                                             const driver::CompileOptions& options) const;

 private:
  // Counts ramiel_compile_worker_failures_total{reason}, writes a log line, returns `status`.
  Status worker_failed(std::string_view reason, Status status, std::string_view detail) const;

  const WorkerLimits limits_;
  // Shared: std::function copies the compiler, and every copy hands out the same spares.
  std::shared_ptr<SpareWorkers> spares_;
  Metrics& metrics_;
  RequestLog& log_;
};

// The worker executable installed beside the running server (/proc/self/exe's directory).
std::string default_worker_path();

}  // namespace ramiel::server
