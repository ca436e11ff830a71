#include "server/compile_broker.h"

#include <thread>
#include <utility>

#include <boost/asio/post.hpp>

#include "core/support/stopwatch.h"
#include "driver_proto/convert.h"
#include "server/status_mapping.h"

namespace ramiel::server {
namespace {

using SystemClock = std::chrono::system_clock;

grpc::Status draining_status() {
  return {grpc::StatusCode::UNAVAILABLE, "the server is shutting down; retry on another replica"};
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

const char* cache_outcome_name(CacheOutcome outcome) {
  switch (outcome) {
    case CacheOutcome::kNone:
      return "none";
    case CacheOutcome::kHit:
      return "hit";
    case CacheOutcome::kMiss:
      return "miss";
    case CacheOutcome::kCoalesced:
      return "coalesced";
  }
  return "none";
}

CompileBroker::CompileBroker(const ServerSettings& settings, ResultCache& cache, Metrics& metrics,
                             std::string compiler_version, CompileFn compile)
    : cache_(cache),
      metrics_(metrics),
      compiler_version_(std::move(compiler_version)),
      compile_(std::move(compile)),
      workers_(settings.resolved_workers()),
      queue_length_(settings.queue_length),
      debug_delay_(settings.debug_compile_delay_ms),
      io_pool_(static_cast<size_t>(settings.io_threads)),
      worker_pool_(static_cast<size_t>(workers_)) {}

CompileBroker::~CompileBroker() {
  drain(std::chrono::steady_clock::now());
  io_pool_.join();
  worker_pool_.join();
}

void CompileBroker::compile(CompileJob job, std::shared_ptr<Ticket> ticket, Callback done,
                            Started started) {
  const auto refuse_draining = [&] {
    metrics_.count_rejected("draining");
    done({draining_status(), nullptr, CacheOutcome::kNone});
  };
  {
    std::lock_guard lock(mutex_);
    if (draining_) return refuse_draining();
  }
  if (auto hit = cache_.get_from_memory(job.key)) {
    metrics_.count_cache_request(/*hit=*/true);
    done({grpc::Status::OK, std::move(*hit), CacheOutcome::kHit});
    return;
  }
  std::shared_ptr<Flight> flight;
  {
    std::unique_lock lock(mutex_);
    if (draining_) {
      lock.unlock();
      return refuse_draining();
    }
    if (const auto it = flights_.find(job.key); it != flights_.end()) {
      metrics_.count_coalesced();
      // Joining a compile that already runs: say so now, under the lock, so that the flight
      // cannot complete this caller before it hears that it started. Otherwise it hears with
      // the others when the compile takes a worker.
      if (it->second->queued_seconds && started) {
        started(*it->second->queued_seconds);
        started = {};
      }
      it->second->waiters.push_back(
          {std::move(ticket), std::move(done), /*joined=*/true, std::move(started)});
      return;
    }
    flight = std::make_shared<Flight>();
    flight->job = std::move(job);
    flight->waiters.push_back(
        {std::move(ticket), std::move(done), /*joined=*/false, std::move(started)});
    flights_.emplace(flight->job.key, flight);
  }
  boost::asio::post(io_pool_, [this, flight] { check_disk(flight); });
}

void CompileBroker::lookup(const std::string& key, Callback done) {
  {
    std::lock_guard lock(mutex_);
    if (draining_) {
      metrics_.count_rejected("draining");
      done({draining_status(), nullptr, CacheOutcome::kNone});
      return;
    }
    ++io_pending_;
  }
  if (auto hit = cache_.get_from_memory(key)) {
    metrics_.count_lookup(/*hit=*/true);
    release_io();
    done({grpc::Status::OK, std::move(*hit), CacheOutcome::kHit});
    return;
  }
  boost::asio::post(io_pool_, [this, key, done = std::move(done)] {
    auto hit = cache_.get_from_disk_or_shared(key);
    metrics_.count_lookup(hit.has_value());
    release_io();
    if (hit) {
      done({grpc::Status::OK, std::move(*hit), CacheOutcome::kHit});
    } else {
      done({{grpc::StatusCode::NOT_FOUND, "no cached result for this model and these options"},
            nullptr,
            CacheOutcome::kMiss});
    }
  });
}

void CompileBroker::release_io() {
  std::lock_guard lock(mutex_);
  --io_pending_;
  if (flights_.empty() && io_pending_ == 0) idle_.notify_all();
}

void CompileBroker::check_disk(std::shared_ptr<Flight> flight) {
  if (auto hit = cache_.get_from_disk_or_shared(flight->job.key)) {
    finish(flight, grpc::Status::OK, std::move(*hit), CacheOutcome::kHit);
    return;
  }
  {
    std::unique_lock lock(mutex_);
    // Capacity is the workers plus the queue: with idle workers even a zero-length queue
    // accepts, and every accepted compile waits at most queue_length places.
    if (queued_ + running_ >= workers_ + queue_length_) {
      lock.unlock();
      metrics_.count_rejected("queue_full");
      finish(flight,
             {grpc::StatusCode::RESOURCE_EXHAUSTED, "the compile queue is full (" +
                                                        std::to_string(queue_length_) +
                                                        " waiting); retry with backoff"},
             nullptr, CacheOutcome::kNone);
      return;
    }
    ++queued_;
    metrics_.set_queue_depth(queued_);
    flight->queued_at = std::chrono::steady_clock::now();
  }
  boost::asio::post(worker_pool_, [this, flight] { run_compile(flight); });
}

bool CompileBroker::abandoned(const Flight& flight) {
  if (aborting_.load()) return true;
  const auto now = SystemClock::now();
  std::lock_guard lock(mutex_);
  for (const Waiter& waiter : flight.waiters) {
    if (!waiter.ticket->abandoned(now)) return false;
  }
  return true;
}

void CompileBroker::run_compile(std::shared_ptr<Flight> flight) {
  const double queued_seconds = seconds_since(flight->queued_at);
  std::vector<Started> started;
  {
    std::lock_guard lock(mutex_);
    --queued_;
    ++running_;
    metrics_.set_queue_depth(queued_);
    flight->queued_seconds = queued_seconds;
    for (Waiter& waiter : flight->waiters) {
      if (waiter.started) started.push_back(std::move(waiter.started));
    }
  }
  metrics_.observe_stage("queue", queued_seconds);
  // Outside the lock: only this thread completes the flight, later, so no caller is done yet.
  for (const Started& notify : started) notify(queued_seconds);

  // Tests slow compiles down to fill the queue; the wait is cut short like a compile would be.
  for (auto waited = std::chrono::milliseconds(0); waited < debug_delay_ && !abandoned(*flight);
       waited += std::chrono::milliseconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  driver::CompileOptions options = flight->job.options;
  // Verified as the upload arrived: the compiler records it instead of hashing the model again.
  options.model_sha256 = flight->job.model_sha256;
  options.is_cancelled = [this, flight] { return abandoned(*flight); };
  StatusOr<driver::CompileResult> compiled =
      abandoned(*flight) ? StatusOr<driver::CompileResult>(cancelled("every caller went away"))
                         : [&] {
                             Stopwatch watch;
                             auto result = compile_(*flight->job.model, options);
                             metrics_.observe_stage("compile", watch.elapsed_ms() / 1000);
                             if (result.ok()) {  // the compiler's own stages within it
                               for (const auto& [stage, seconds] : result->stage_seconds) {
                                 metrics_.observe_stage(stage, seconds);
                               }
                             }
                             return result;
                           }();

  if (!compiled.ok()) {
    grpc::Status status = to_grpc_status(compiled.status());
    if (aborting_.load()) status = draining_status();
    metrics_.count_compile(grpc_code_label(status.error_code()));
    // The compiler's own RESOURCE_EXHAUSTED is a limit this model hits every time.
    const bool retryable = status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED;
    finish(flight, status, nullptr, CacheOutcome::kMiss, /*ran=*/true, retryable);
    return;
  }
  metrics_.count_compile("ok");
  Stopwatch store_watch;
  auto response = std::make_shared<v1::CompileResponse>();
  driver_proto::result_to_response(*compiled, *response);
  response->set_model_sha256(flight->job.model_sha256);
  response->set_cache_key(flight->job.key);
  response->set_compiler_version(compiler_version_);
  CachedResult result = std::move(response);
  // A failed disk write costs only a later recompile; the result is still served from memory.
  (void)cache_.put(flight->job.key, result);
  metrics_.observe_stage("cache_store", store_watch.elapsed_ms() / 1000);
  finish(flight, grpc::Status::OK, std::move(result), CacheOutcome::kMiss, /*ran=*/true);
}

void CompileBroker::finish(const std::shared_ptr<Flight>& flight, grpc::Status status,
                           CachedResult result, CacheOutcome outcome, bool ran, bool retryable) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mutex_);
    if (ran) --running_;
    waiters = std::move(flight->waiters);
    flight->waiters.clear();
    if (const auto it = flights_.find(flight->job.key);
        it != flights_.end() && it->second == flight) {
      flights_.erase(it);
    }
    if (flights_.empty() && io_pending_ == 0) idle_.notify_all();
  }
  const auto now = SystemClock::now();
  for (Waiter& waiter : waiters) {
    const CacheOutcome mine =
        outcome == CacheOutcome::kMiss && waiter.joined ? CacheOutcome::kCoalesced : outcome;
    metrics_.count_cache_request(mine == CacheOutcome::kHit);
    grpc::Status waiter_status = status;
    if (!status.ok() && waiter.ticket->expired(now)) {
      waiter_status = {grpc::StatusCode::DEADLINE_EXCEEDED,
                       "the deadline passed during the compile"};
    }
    waiter.done({waiter_status, result, mine, retryable});
  }
}

bool CompileBroker::drain(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  draining_ = true;
  const auto idle = [this] { return flights_.empty() && io_pending_ == 0; };
  const bool finished = idle_.wait_until(lock, deadline, idle);
  if (!finished) {
    aborting_.store(true);
    idle_.wait(lock, idle);
  }
  return finished;
}

int64_t CompileBroker::queue_depth() const {
  std::lock_guard lock(mutex_);
  return queued_;
}

}  // namespace ramiel::server
