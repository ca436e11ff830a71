#include "server/redis_error.h"

namespace ramiel::server {

const char* redis_failure_name(RedisFailure failure) {
  switch (failure) {
    case RedisFailure::kTimeout:
      return "timeout";
    case RedisFailure::kConnection:
      return "connection";
    case RedisFailure::kTls:
      return "tls";
    case RedisFailure::kAuth:
      return "auth";
    case RedisFailure::kProtocol:
      return "protocol";
    case RedisFailure::kServer:
      return "server";
    case RedisFailure::kTooLarge:
      return "too_large";
  }
  return "unknown";
}

}  // namespace ramiel::server
