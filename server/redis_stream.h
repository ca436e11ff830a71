// RedisStream: a TCP connection to Redis, optionally inside TLS (OpenSSL), on a non-blocking socket
// whose every wait is bounded, so that a dead or stalled server costs a timeout, never a hang.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

#include "server/redis_error.h"

namespace ramiel::server {

using SslContextPtr = std::shared_ptr<SSL_CTX>;

// A client context that verifies the server's certificate against the PEM bundle `ca_file`, or
// against the system's trust store when it is empty. Errors name --redis-tls-ca.
RedisResult<SslContextPtr> make_redis_tls_context(const std::string& ca_file);

class RedisStream {
 public:
  // Resolves `host` (the system resolver, which no deadline bounds), connects to each address in
  // turn and, with `tls`, completes the handshake, verifying the certificate's name or IP address
  // against `host`; all by `deadline`.
  static RedisResult<std::unique_ptr<RedisStream>> connect(
      const std::string& host, int port, const SslContextPtr& tls,
      std::chrono::steady_clock::time_point deadline);
  ~RedisStream();
  RedisStream(const RedisStream&) = delete;
  RedisStream& operator=(const RedisStream&) = delete;

  // Each wait for the socket lasts at most `timeout` (hiredis' and redis-py's socket timeout: a
  // large value that keeps moving is not cut off, a silent server is).
  std::optional<RedisError> write_all(std::string_view bytes, std::chrono::milliseconds timeout);
  // At least one byte into `buffer` (at most `size`); the server closing the connection is an
  // error.
  RedisResult<size_t> read_some(char* buffer, size_t size, std::chrono::milliseconds timeout);

 private:
  RedisStream(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}

  int fd_;
  SSL* ssl_;  // null for plain TCP
};

}  // namespace ramiel::server
