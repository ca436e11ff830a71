// Why a result could not be stored in the disk cache, and how often that is worth a log line.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

namespace ramiel::server {

// The `reason` label of ramiel_cache_store_failures_total.
enum class StoreFailureReason { kNoSpace, kReadOnly, kIoError };
inline constexpr std::array kStoreFailureReasons = {
    StoreFailureReason::kNoSpace, StoreFailureReason::kReadOnly, StoreFailureReason::kIoError};

// "no_space", "read_only", "io_error".
const char* store_failure_reason_name(StoreFailureReason reason);

// ENOSPC and EDQUOT: no_space; EROFS, EACCES and EPERM: read_only (what a read-only mount, a
// read-only volume or a directory the server may not write look like); anything else: io_error.
StoreFailureReason store_failure_reason_for(int error_number);

// Keeps a persistent failure (a full disk fails every store) from writing a line per compile:
// the first failure of a reason is logged at once, later ones at most once per `interval`, and
// each line says how many failures it stands for. Not thread-safe; the caller locks.
class StoreFailureThrottle {
 public:
  explicit StoreFailureThrottle(std::chrono::steady_clock::duration interval)
      : interval_(interval) {}

  // Counts one failure at `now`. When a line is due, returns the failures it reports (this one
  // and those left unlogged since the last line); otherwise 0.
  int64_t record(StoreFailureReason reason, std::chrono::steady_clock::time_point now);

 private:
  struct PerReason {
    std::optional<std::chrono::steady_clock::time_point> last_logged;
    int64_t unlogged = 0;
  };
  const std::chrono::steady_clock::duration interval_;
  std::array<PerReason, kStoreFailureReasons.size()> reasons_{};
};

}  // namespace ramiel::server
