// The on-disk format of one cache entry: a checksummed header line followed by the response bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/support/status.h"
#include "ramiel/v1/compile_service.pb.h"

namespace ramiel::server {

// "ramiel-cache 1 <sha256 of payload> <payload bytes>\n" + payload (a serialized CompileResponse).
std::string encode_cache_entry(const v1::CompileResponse& response);

// Parses and verifies a whole entry file; any mismatch (truncation, flipped bits, wrong version)
// is an error so that a damaged entry is never served.
StatusOr<v1::CompileResponse> decode_cache_entry(std::string_view file_bytes);

// The total file size the header announces, from the first bytes of a file; nullopt when the
// header is malformed. Lets start-up drop truncated files without reading every payload.
std::optional<int64_t> cache_entry_file_size(std::string_view file_prefix);

// Enough bytes to hold any valid header.
inline constexpr size_t kCacheEntryMaxHeaderBytes = 128;

}  // namespace ramiel::server
