#include "server/metrics.h"

namespace ramiel::server {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Seconds, from sub-millisecond cache hits to multi-minute compiles of large models.
const Histogram::BucketBoundaries kSecondsBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25,   0.5,     1,      2.5,   5,      10,    30,   60,    120,  300};
// Bytes, powers of four from 1 KiB to 1 GiB.
const Histogram::BucketBoundaries kBytesBuckets = {1 << 10, 1 << 12, 1 << 14, 1 << 16,
                                                   1 << 18, 1 << 20, 1 << 22, 1 << 24,
                                                   1 << 26, 1 << 28, 1 << 30};

const char* tier_name(CacheTier tier) {
  return tier == CacheTier::kMemory ? "memory" : "disk";
}

}  // namespace

Metrics::Metrics(const std::string& compiler_version)
    : registry_(std::make_shared<prometheus::Registry>()),
      compile_duration_(BuildHistogram()
                            .Name("ramiel_compile_duration_seconds")
                            .Help("Time spent per compile request in each stage")
                            .Register(*registry_)),
      compiles_(BuildCounter()
                    .Name("ramiel_compiles_total")
                    .Help("Compiles run by the worker pool, by result")
                    .Register(*registry_)),
      cache_requests_(BuildCounter()
                          .Name("ramiel_cache_requests_total")
                          .Help("Client compiles by cache result: Compile calls, and Lookup "
                                "calls that hit (a Lookup miss is followed by a Compile)")
                          .Register(*registry_)),
      cache_hits_(cache_requests_.Add({{"result", "hit"}})),
      cache_misses_(cache_requests_.Add({{"result", "miss"}})),
      lookups_(BuildCounter()
                   .Name("ramiel_cache_lookups_total")
                   .Help("Lookup calls answered, by result (hit, miss)")
                   .Register(*registry_)),
      coalesced_(BuildCounter()
                     .Name("ramiel_coalesced_requests_total")
                     .Help("Compile requests that joined an identical compile already in flight")
                     .Register(*registry_)
                     .Add({})),
      cache_corruptions_(
          BuildCounter()
              .Name("ramiel_cache_corrupt_entries_total")
              .Help("On-disk cache entries that failed their checksum and were dropped")
              .Register(*registry_)
              .Add({})),
      cache_evictions_(BuildCounter()
                           .Name("ramiel_cache_evictions_total")
                           .Help("Cache entries evicted to stay within the size bound, by tier")
                           .Register(*registry_)),
      cache_store_failures_(
          BuildCounter()
              .Name("ramiel_cache_store_failures_total")
              .Help("Results that could not be stored in the cache (still answered), by tier "
                    "and reason")
              .Register(*registry_)),
      cache_size_(BuildGauge()
                      .Name("ramiel_cache_size_bytes")
                      .Help("Bytes held by the result cache, by tier")
                      .Register(*registry_)),
      cache_entries_(BuildGauge()
                         .Name("ramiel_cache_entries")
                         .Help("Entries held by the result cache, by tier")
                         .Register(*registry_)),
      queue_depth_(BuildGauge()
                       .Name("ramiel_queue_depth")
                       .Help("Compiles accepted and waiting for a worker")
                       .Register(*registry_)
                       .Add({})),
      inflight_(BuildGauge()
                    .Name("ramiel_inflight_requests")
                    .Help("Compile and Lookup calls being served")
                    .Register(*registry_)
                    .Add({})),
      rejected_(BuildCounter()
                    .Name("ramiel_rejected_requests_total")
                    .Help("Requests refused before compiling, by reason")
                    .Register(*registry_)),
      model_size_(BuildHistogram()
                      .Name("ramiel_model_size_bytes")
                      .Help("Size of uploaded models")
                      .Register(*registry_)
                      .Add({}, kBytesBuckets)),
      worker_failures_(BuildCounter()
                           .Name("ramiel_compile_worker_failures_total")
                           .Help("Compile workers that ended without an answer, by reason "
                                 "(crash, memory_limit, cpu_limit, spawn, protocol, exit)")
                           .Register(*registry_)),
      rpc_requests_(BuildCounter()
                        .Name("ramiel_grpc_requests_total")
                        .Help("gRPC calls handled, by method and status code")
                        .Register(*registry_)),
      rpc_duration_(BuildHistogram()
                        .Name("ramiel_grpc_request_duration_seconds")
                        .Help("gRPC call latency from arrival to status, by method and status code")
                        .Register(*registry_)),
      auth_failures_(
          BuildCounter()
              .Name("ramiel_auth_failures_total")
              .Help("Calls refused UNAUTHENTICATED: bearer token missing or not accepted")
              .Register(*registry_)
              .Add({})),
      shared_cache_requests_(BuildCounter()
                                 .Name("ramiel_shared_cache_requests_total")
                                 .Help("Lookups Redis answered (the shared tier), by result")
                                 .Register(*registry_)),
      shared_cache_errors_(
          BuildCounter()
              .Name("ramiel_shared_cache_errors_total")
              .Help("Shared cache (Redis) failures, by operation (get, put, connect) and reason; "
                    "each costs sharing only, never an answer")
              .Register(*registry_)),
      shared_cache_latency_(BuildHistogram()
                                .Name("ramiel_shared_cache_latency_seconds")
                                .Help("Time per shared cache (Redis) operation, by operation")
                                .Register(*registry_)),
      shared_cache_available_(
          BuildGauge()
              .Name("ramiel_shared_cache_available")
              .Help("1 while the shared cache (Redis) is in use, 0 while it is backed off from, "
                    "not yet reached, or not configured")
              .Register(*registry_)
              .Add({})) {
  BuildGauge()
      .Name("ramiel_build_info")
      .Help("Always 1; labels carry the server and compiler versions")
      .Register(*registry_)
      .Add({{"version", RAMIEL_VERSION}, {"compiler_version", compiler_version}})
      .Set(1);
  // Children exist from the start so dashboards show zeros rather than gaps.
  for (CacheTier tier : {CacheTier::kMemory, CacheTier::kDisk}) {
    set_cache_size(tier, 0, 0);
    cache_evictions_.Add({{"tier", tier_name(tier)}});
  }
  for (const char* reason : {"no_space", "read_only", "io_error"}) {
    cache_store_failures_.Add({{"tier", tier_name(CacheTier::kDisk)}, {"reason", reason}});
  }
  compiles_.Add({{"result", "ok"}});
  for (const char* result : {"hit", "miss"}) shared_cache_requests_.Add({{"result", result}});
  for (const char* operation : {"get", "put", "connect"}) {
    shared_cache_errors_.Add({{"operation", operation}, {"reason", "timeout"}});
    shared_cache_errors_.Add({{"operation", operation}, {"reason", "connection"}});
  }
  for (const char* operation : {"get", "put"}) {
    shared_cache_latency_.Add({{"operation", operation}}, kSecondsBuckets);
  }
  for (const char* result : {"hit", "miss"}) lookups_.Add({{"result", result}});
  for (const char* reason : {"queue_full", "draining", "too_large", "upload_budget"}) {
    rejected_.Add({{"reason", reason}});
  }
}

void Metrics::observe_stage(std::string_view stage, double seconds) {
  compile_duration_.Add({{"stage", std::string(stage)}}, kSecondsBuckets).Observe(seconds);
}

void Metrics::count_compile(std::string_view result) {
  compiles_.Add({{"result", std::string(result)}}).Increment();
}

void Metrics::count_cache_request(bool hit) {
  (hit ? cache_hits_ : cache_misses_).Increment();
}
void Metrics::count_lookup(bool hit) {
  lookups_.Add({{"result", hit ? "hit" : "miss"}}).Increment();
  if (hit) cache_hits_.Increment();
}
void Metrics::count_coalesced() {
  coalesced_.Increment();
}
void Metrics::count_cache_corruption() {
  cache_corruptions_.Increment();
}

void Metrics::count_cache_eviction(CacheTier tier) {
  cache_evictions_.Add({{"tier", tier_name(tier)}}).Increment();
}

void Metrics::count_cache_store_failure(CacheTier tier, std::string_view reason) {
  cache_store_failures_.Add({{"tier", tier_name(tier)}, {"reason", std::string(reason)}})
      .Increment();
}

void Metrics::set_cache_size(CacheTier tier, int64_t bytes, int64_t entries) {
  cache_size_.Add({{"tier", tier_name(tier)}}).Set(static_cast<double>(bytes));
  cache_entries_.Add({{"tier", tier_name(tier)}}).Set(static_cast<double>(entries));
}

void Metrics::set_queue_depth(int64_t depth) {
  queue_depth_.Set(static_cast<double>(depth));
}
void Metrics::add_inflight(int delta) {
  inflight_.Increment(delta);
}

void Metrics::count_rejected(std::string_view reason) {
  rejected_.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::observe_model_size(int64_t bytes) {
  model_size_.Observe(static_cast<double>(bytes));
}

void Metrics::count_worker_failure(std::string_view reason) {
  worker_failures_.Add({{"reason", std::string(reason)}}).Increment();
}

void Metrics::observe_rpc(std::string_view method, std::string_view code, double seconds) {
  const prometheus::Labels labels = {{"method", std::string(method)}, {"code", std::string(code)}};
  rpc_requests_.Add(labels).Increment();
  rpc_duration_.Add(labels, kSecondsBuckets).Observe(seconds);
}

void Metrics::count_auth_failure() {
  auth_failures_.Increment();
}

void Metrics::count_shared_cache_request(bool hit) {
  shared_cache_requests_.Add({{"result", hit ? "hit" : "miss"}}).Increment();
}

void Metrics::count_shared_cache_error(std::string_view operation, std::string_view reason) {
  shared_cache_errors_.Add({{"operation", std::string(operation)}, {"reason", std::string(reason)}})
      .Increment();
}

void Metrics::observe_shared_cache_latency(std::string_view operation, double seconds) {
  shared_cache_latency_.Add({{"operation", std::string(operation)}}, kSecondsBuckets)
      .Observe(seconds);
}

void Metrics::set_shared_cache_available(bool available) {
  shared_cache_available_.Set(available ? 1 : 0);
}

}  // namespace ramiel::server
