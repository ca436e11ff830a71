// ServerSettings: every knob of ramiel-server, with defaults, loaded from JSON and validated once.
// Each field's config key, flag, help text and limits are declared in server/setting_fields.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/support/status.h"

namespace ramiel::server {

struct ServerSettings {
  // gRPC address; port 0 picks a free port (reported on the "listening" log line).
  std::string listen = "127.0.0.1:50051";
  // Prometheus /metrics address; empty disables the exporter.
  std::string metrics_listen = "127.0.0.1:9464";
  std::string cache_dir = "/var/cache/ramiel";
  // Compile threads; 0 means one per CPU this process may use (affinity and cgroup quota).
  int workers = 0;
  // Compiles that may wait for a busy worker; one more is answered RESOURCE_EXHAUSTED.
  int queue_length = 64;
  // Threads that read the on-disk cache, so disk hits never wait behind compiles.
  int io_threads = 2;
  int64_t max_model_bytes = int64_t{256} << 20;
  // Upper bound on the model bytes held by all uploads at once (declared sizes).
  int64_t max_upload_bytes_in_flight = int64_t{1} << 30;
  // An upload that sends nothing for this long is ended (DEADLINE_EXCEEDED).
  double upload_idle_timeout_seconds = 30;
  // Per client address (without port): Compile calls open at once, and uploads among them.
  int max_compiles_per_peer = 16;
  int max_uploads_per_peer = 4;
  // HTTP/2 streams one connection may have open; more wait in the client.
  int max_streams_per_connection = 32;
  int64_t memory_cache_bytes = int64_t{256} << 20;
  int64_t disk_cache_bytes = int64_t{4} << 30;
  // On SIGTERM: how long in-flight compiles may run before they are cancelled.
  double drain_timeout_seconds = 30;
  // Serve grpc.reflection.v1alpha for grpcurl and friends.
  bool reflection = false;
  // One JSON line per request on stdout.
  bool log_requests = true;
  // Tests only: every compile sleeps this long first, so queues fill deterministically.
  int debug_compile_delay_ms = 0;
  // Transport security (server/transport_security.h): PEM files of the server's certificate and
  // key (TLS), and of the CA that signs client certificates (mTLS, required and verified).
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // Bearer tokens, one per line, reread on SIGHUP; Compile and Lookup need one, health does not.
  std::string auth_token_file;
  // Serve a non-loopback listen without TLS and authentication (a warning is logged).
  bool insecure = false;

  // The shared cache tier (server/shared_cache.h): redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or
  // rediss:// (TLS); empty: none. The password may come from a file instead.
  std::string redis;
  std::string redis_password_file;
  // PEM CA bundle that verifies a rediss:// server; empty: the system's trust store.
  std::string redis_tls_ca;
  // Entries expire this long after they were last written (SET ... EX).
  int64_t redis_ttl_seconds = 604800;
  // Bounds the connect and each wait of an operation; past it Redis is backed off from.
  int redis_timeout_ms = 250;

  // Every compile runs in a ramiel-compile-worker process with these limits (server/README.md).
  // Address space of one worker; 0: available memory (physical, or the cgroup's limit) /
  // (workers + 1), within [1 GiB, 8 GiB].
  int64_t compile_memory_bytes = 0;
  int compile_cpu_seconds = 30;
  // The worker executable; empty: ramiel-compile-worker beside ramiel-server.
  std::string compile_worker;
  // Debugging only (gdb): compile inside the server, where a hostile model can crash it.
  bool compile_in_process = false;
  // Tests only: a fault every worker injects into itself ("crash", "oom", "spin").
  std::string debug_worker_fault;

  // Checks each field's limits (setting_fields.cc), then the checks between fields; the server
  // never starts with settings that fail here.
  Status validate() const;
  // Worker count with 0 resolved to the CPUs this process may use.
  int resolved_workers() const;
  // compile_memory_bytes with 0 resolved from the machine's memory and the worker count.
  int64_t resolved_compile_memory_bytes() const;
};

// Overlays the keys of a JSON object (same names as the fields) onto `settings`; unknown keys and
// wrong types are errors, so a typo in a config file never goes unnoticed.
Status apply_json_settings(std::string_view json_text, ServerSettings& settings);

// Reads a JSON config file and overlays it (apply_json_settings).
Status load_settings_file(const std::string& path, ServerSettings& settings);

}  // namespace ramiel::server
