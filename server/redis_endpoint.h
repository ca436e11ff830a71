// RedisEndpoint: where the shared cache tier lives, parsed from a redis:// or rediss:// URL.
#pragma once

#include <string>
#include <string_view>

#include "core/support/status.h"

namespace ramiel::server {

struct RedisEndpoint {
  bool tls = false;  // rediss://
  std::string host;  // a name or an address; IPv6 without its brackets
  int port = 6379;
  int database = 0;
  // AUTH arguments; both empty when the server needs none. A username needs Redis 6 ACLs.
  std::string username;
  std::string password;

  // "redis://HOST:PORT/DB" (or rediss://) without the credentials: safe to log.
  std::string describe() const;
};

// Parses redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] and rediss://...: the port defaults to 6379
// and the database to 0; the user and password may be percent-encoded (RFC 3986); an IPv6 host is
// bracketed ("redis://[::1]:6379"). Errors say what is wrong without repeating the URL, which may
// hold a password.
StatusOr<RedisEndpoint> parse_redis_url(std::string_view url);

// The password in `path` (one line; a trailing newline is dropped): for --redis-password-file.
StatusOr<std::string> read_redis_password_file(const std::string& path);

}  // namespace ramiel::server
