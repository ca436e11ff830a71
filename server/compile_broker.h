// CompileBroker: cache lookups, coalescing of identical requests, the bounded compile queue and
// the worker pool, independent of gRPC so that tests can drive it directly.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/support/status.h>
#include <boost/asio/thread_pool.hpp>

#include "core/driver/compile.h"
#include "server/metrics.h"
#include "server/result_cache.h"
#include "server/settings.h"

namespace ramiel::server {

// Where an answer came from, for logs and the response's cache_hit flag.
enum class CacheOutcome {
  kNone,       // no answer (an error before or instead of a compile)
  kHit,        // memory or disk
  kMiss,       // compiled for this request
  kCoalesced,  // joined an identical compile already in flight
};
const char* cache_outcome_name(CacheOutcome outcome);

struct Completion {
  grpc::Status status;
  CachedResult result;  // set when status is OK
  CacheOutcome cache = CacheOutcome::kNone;
  // False when the same request would fail the same way again (a compile that hit its limits):
  // the call then tells the client not to retry (proto/retry_metadata.h).
  bool retryable = true;
};

// One caller's interest in a result. A compile runs while at least one of its callers still
// wants it: cancelling every ticket (or letting every deadline pass) stops it between stages.
class Ticket {
 public:
  explicit Ticket(
      std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max())
      : deadline_(deadline) {}
  void cancel() { cancelled_.store(true); }
  bool abandoned(std::chrono::system_clock::time_point now) const {
    return cancelled_.load() || now >= deadline_;
  }
  bool expired(std::chrono::system_clock::time_point now) const { return now >= deadline_; }

 private:
  std::atomic<bool> cancelled_{false};
  const std::chrono::system_clock::time_point deadline_;
};

struct CompileJob {
  std::string key;  // cache_key()
  std::string model_sha256;
  std::shared_ptr<const std::string> model;
  driver::CompileOptions options;  // validated
};

class CompileBroker {
 public:
  using CompileFn = std::function<StatusOr<driver::CompileResult>(std::string_view,
                                                                  const driver::CompileOptions&)>;
  using Callback = std::function<void(Completion)>;
  // Runs once when the caller's compile takes a worker (or at once for a caller that joins a
  // running compile), with the seconds it queued; never for an answer from the cache.
  using Started = std::function<void(double queued_seconds)>;

  // Uses settings.resolved_workers(), queue_length, io_threads and debug_compile_delay_ms.
  CompileBroker(const ServerSettings& settings, ResultCache& cache, Metrics& metrics,
                std::string compiler_version, CompileFn compile);
  // Drains without waiting, then joins the threads.
  ~CompileBroker();
  CompileBroker(const CompileBroker&) = delete;
  CompileBroker& operator=(const CompileBroker&) = delete;

  // Answers from memory inline; otherwise joins an identical compile in flight or starts one
  // (disk, then shared cache lookup on an I/O thread, then the compile queue). `done` runs
  // exactly once, possibly before compile() returns, on any thread. `started`, if given, runs
  // before `done`.
  void compile(CompileJob job, std::shared_ptr<Ticket> ticket, Callback done,
               Started started = {});
  // A cached result or NOT_FOUND; never compiles.
  void lookup(const std::string& key, Callback done);

  // Refuses new work with UNAVAILABLE, waits until the work in flight is done or `deadline`
  // passes, then cancels what is left (those callers get UNAVAILABLE) and waits for it to stop.
  // Returns true when everything finished before the deadline.
  bool drain(std::chrono::steady_clock::time_point deadline);

  int64_t queue_depth() const;
  std::string compiler_version() const { return compiler_version_; }

 private:
  struct Waiter {
    std::shared_ptr<Ticket> ticket;
    Callback done;
    bool joined;  // true for callers that joined a flight someone else started
    Started started;
  };
  // One compile shared by every identical request that arrives before it completes.
  struct Flight {
    CompileJob job;
    std::vector<Waiter> waiters;  // guarded by mutex_
    std::chrono::steady_clock::time_point queued_at;
    std::optional<double> queued_seconds;  // set when it takes a worker; guarded by mutex_
  };

  void check_disk(std::shared_ptr<Flight> flight);
  void run_compile(std::shared_ptr<Flight> flight);
  bool abandoned(const Flight& flight);
  // Completes every waiter of `flight`; `ran` when it held a worker.
  void finish(const std::shared_ptr<Flight>& flight, grpc::Status status, CachedResult result,
              CacheOutcome outcome, bool ran = false, bool retryable = true);
  void release_io();

  ResultCache& cache_;
  Metrics& metrics_;
  const std::string compiler_version_;
  const CompileFn compile_;
  const int workers_;
  const int queue_length_;
  const std::chrono::milliseconds debug_delay_;

  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;
  int64_t queued_ = 0;      // compiles accepted, not yet started
  int64_t running_ = 0;     // compiles holding a worker
  int64_t io_pending_ = 0;  // lookups on the I/O threads
  bool draining_ = false;
  std::atomic<bool> aborting_{false};

  boost::asio::thread_pool io_pool_;
  boost::asio::thread_pool worker_pool_;
};

}  // namespace ramiel::server
