// RedisConnection: one Redis client connection speaking RESP over a RedisStream. hiredis does
// the protocol only (formatting commands, parsing replies); the socket, TLS and timeouts are ours,
// because Debian's hiredis 0.14 has no TLS.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/redis_endpoint.h"
#include "server/redis_error.h"
#include "server/redis_stream.h"

struct redisReader;

namespace ramiel::server {

struct RedisReply {
  enum class Type { kString, kStatus, kError, kInteger, kNil, kArray };
  Type type = Type::kNil;
  std::string text;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_error() const { return type == Type::kError; }
};

struct RedisConnectionOptions {
  // Bounds the TCP connect and TLS handshake together, and each wait of an operation (AUTH and
  // SELECT included) for the socket.
  std::chrono::milliseconds timeout{250};
  // A reply larger than this is abandoned (kTooLarge) and the connection with it.
  size_t max_reply_bytes = size_t{512} << 20;
  // Required when the endpoint is rediss://.
  SslContextPtr tls;
};

class RedisConnection {
 public:
  // Connects, then sends AUTH when the endpoint has a password and SELECT when its database is
  // not 0; a refusal of either is kAuth.
  static RedisResult<std::unique_ptr<RedisConnection>> open(const RedisEndpoint& endpoint,
                                                            const RedisConnectionOptions& options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command and reads its reply. An error reply is a reply, for the caller to judge; a
  // failure (timeout, closed connection, unparsable or oversized reply) makes the connection
  // broken() and unusable.
  RedisResult<RedisReply> command(const std::vector<std::string_view>& args);
  bool broken() const { return broken_; }

 private:
  RedisConnection(std::unique_ptr<RedisStream> stream, const RedisConnectionOptions& options);
  RedisResult<RedisReply> read_reply();

  std::unique_ptr<RedisStream> stream_;
  const RedisConnectionOptions options_;
  redisReader* reader_;
  bool broken_ = false;
};

}  // namespace ramiel::server
