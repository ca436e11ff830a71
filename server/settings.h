// ServerSettings: every knob of ramiel-server, with defaults, loaded from JSON and validated once.
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
  // Compile threads; 0 means one per hardware thread.
  int workers = 0;
  // Compiles that may wait for a busy worker; one more is answered RESOURCE_EXHAUSTED.
  int queue_length = 64;
  // Threads that read the on-disk cache, so disk hits never wait behind compiles.
  int io_threads = 2;
  int64_t max_model_bytes = int64_t{256} << 20;
  // Upper bound on the model bytes held by all uploads at once (declared sizes).
  int64_t max_upload_bytes_in_flight = int64_t{1} << 30;
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

  // Checks ranges and addresses; the server never starts with settings that fail here.
  Status validate() const;
  // Worker count with 0 resolved to the hardware concurrency.
  int resolved_workers() const;
};

// Overlays the keys of a JSON object (same names as the fields) onto `settings`; unknown keys and
// wrong types are errors, so a typo in a config file never goes unnoticed.
Status apply_json_settings(std::string_view json_text, ServerSettings& settings);

// Reads a JSON config file and overlays it (apply_json_settings).
Status load_settings_file(const std::string& path, ServerSettings& settings);

}  // namespace ramiel::server
