// Trailing metadata by which ramiel-server tells its clients that retrying cannot change an answer
// (a compile that hit its CPU or memory limit). Part of the wire API, so both ends include it.
// RESOURCE_EXHAUSTED without it means "try again later" (queue full, upload budget).
#pragma once

namespace ramiel::api {

inline constexpr const char* kRetryMetadataKey = "ramiel-retry";
inline constexpr const char* kNoRetryMetadataValue = "never";

}  // namespace ramiel::api
