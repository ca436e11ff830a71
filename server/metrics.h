// Metrics: the one object that owns every Prometheus metric family of ramiel-server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace ramiel::server {

// Cache tiers, the `tier` label of the cache gauges.
enum class CacheTier { kMemory, kDisk };

class Metrics {
 public:
  explicit Metrics(const std::string& compiler_version);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // What the /metrics exporter serves (and what tests read).
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // `stage`: "queue" (waiting for a worker), "compile" (the core), "cache_store", ...
  void observe_stage(std::string_view stage, double seconds);
  // `result`: the status code in lower case ("ok", "invalid_argument", "cancelled", ...).
  void count_compile(std::string_view result);
  // One per client compile: a Compile answered from the cache (hit) or not (miss). A client
  // sends Lookup first and Compile only after a Lookup miss, so a Lookup counts here only when
  // it hits; counting its misses too would count every client miss twice.
  void count_cache_request(bool hit);
  // Every Lookup, hit or miss (`ramiel_cache_lookups_total`); a hit also counts as a cache hit.
  void count_lookup(bool hit);
  void count_coalesced();
  void count_cache_corruption();
  void count_cache_eviction(CacheTier tier);
  // A result that could not be stored; `reason`: "no_space", "read_only", "io_error".
  void count_cache_store_failure(CacheTier tier, std::string_view reason);
  void set_cache_size(CacheTier tier, int64_t bytes, int64_t entries);
  void set_queue_depth(int64_t depth);
  void add_inflight(int delta);
  // `reason`: "queue_full", "draining", "too_large", "upload_budget", "upload_idle",
  // "peer_compiles", "peer_uploads".
  void count_rejected(std::string_view reason);
  void observe_model_size(int64_t bytes);
  // A compile worker that ended without an answer: "crash", "memory_limit", "cpu_limit",
  // "spawn", "protocol", "exit".
  void count_worker_failure(std::string_view reason);
  // Every RPC, including health checks: full method name and gRPC code name.
  void observe_rpc(std::string_view method, std::string_view code, double seconds);
  // A call refused for a missing or unknown bearer token.
  void count_auth_failure();

  // The shared (Redis) tier, server/shared_cache.h. A GET Redis answered: hit or miss (a corrupt
  // entry is a miss, and an error too).
  void count_shared_cache_request(bool hit);
  // `operation`: "get", "put", "connect"; `reason`: a RedisFailure name, "corrupt" (get) or
  // "queue_full" (put).
  void count_shared_cache_error(std::string_view operation, std::string_view reason);
  void observe_shared_cache_latency(std::string_view operation, double seconds);
  void set_shared_cache_available(bool available);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>& compile_duration_;
  prometheus::Family<prometheus::Counter>& compiles_;
  prometheus::Family<prometheus::Counter>& cache_requests_;
  prometheus::Counter& cache_hits_;
  prometheus::Counter& cache_misses_;
  prometheus::Family<prometheus::Counter>& lookups_;
  prometheus::Counter& coalesced_;
  prometheus::Counter& cache_corruptions_;
  prometheus::Family<prometheus::Counter>& cache_evictions_;
  prometheus::Family<prometheus::Counter>& cache_store_failures_;
  prometheus::Family<prometheus::Gauge>& cache_size_;
  prometheus::Family<prometheus::Gauge>& cache_entries_;
  prometheus::Gauge& queue_depth_;
  prometheus::Gauge& inflight_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Histogram& model_size_;
  prometheus::Family<prometheus::Counter>& worker_failures_;
  prometheus::Family<prometheus::Counter>& rpc_requests_;
  prometheus::Family<prometheus::Histogram>& rpc_duration_;
  prometheus::Counter& auth_failures_;
  prometheus::Family<prometheus::Counter>& shared_cache_requests_;
  prometheus::Family<prometheus::Counter>& shared_cache_errors_;
  prometheus::Family<prometheus::Histogram>& shared_cache_latency_;
  prometheus::Gauge& shared_cache_available_;
};

}  // namespace ramiel::server
