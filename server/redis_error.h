// How a conversation with Redis failed, so the shared cache can count, log and back off by kind.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ramiel::server {

// The `reason` label of ramiel_shared_cache_errors_total (server/README.md lists them).
enum class RedisFailure {
  kTimeout,     // no progress within --redis-timeout-ms (connect or operation)
  kConnection,  // name resolution, refused or reset connection, closed by the server
  kTls,         // handshake failed: certificate not trusted, wrong host name, not TLS
  kAuth,        // AUTH or SELECT refused (wrong password, NOAUTH, database out of range)
  kProtocol,    // a reply that is not RESP or not the reply the command has
  kServer,      // an error reply to GET/SET/DEL (OOM under maxmemory noeviction, READONLY, ...)
  kTooLarge,    // a reply over the size bound, abandoned before it was read whole
};
const char* redis_failure_name(RedisFailure failure);

struct RedisError {
  RedisFailure failure;
  std::string message;
};

// A value or the RedisError that prevented it.
template <typename T>
class RedisResult {
 public:
  RedisResult(T value) : state_(std::move(value)) {}           // NOLINT: implicit on purpose
  RedisResult(RedisError error) : state_(std::move(error)) {}  // NOLINT
  bool ok() const { return state_.index() == 0; }
  T& value() { return std::get<0>(state_); }
  const RedisError& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, RedisError> state_;
};

}  // namespace ramiel::server
