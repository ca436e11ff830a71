#include "server/cache_store_failures.h"

#include <cerrno>

namespace ramiel::server {

const char* store_failure_reason_name(StoreFailureReason reason) {
  switch (reason) {
    case StoreFailureReason::kNoSpace:
      return "no_space";
    case StoreFailureReason::kReadOnly:
      return "read_only";
    case StoreFailureReason::kIoError:
      return "io_error";
  }
  return "io_error";
}

StoreFailureReason store_failure_reason_for(int error_number) {
  switch (error_number) {
    case ENOSPC:
    case EDQUOT:
      return StoreFailureReason::kNoSpace;
    case EROFS:
    case EACCES:
    case EPERM:
      return StoreFailureReason::kReadOnly;
    default:
      return StoreFailureReason::kIoError;
  }
}

int64_t StoreFailureThrottle::record(StoreFailureReason reason,
                                     std::chrono::steady_clock::time_point now) {
  PerReason& state = reasons_[static_cast<size_t>(reason)];
  ++state.unlogged;
  if (state.last_logged && now - *state.last_logged < interval_) return 0;
  state.last_logged = now;
  const int64_t failures = state.unlogged;
  state.unlogged = 0;
  return failures;
}

}  // namespace ramiel::server
