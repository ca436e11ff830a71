#include "server/cache_entry.h"

#include <charconv>

#include "core/support/sha256.h"

namespace ramiel::server {
namespace {

constexpr std::string_view kMagic = "ramiel-cache 1 ";
constexpr size_t kDigestChars = 64;

struct Header {
  std::string_view digest;
  int64_t payload_bytes = 0;
  size_t header_bytes = 0;
};

std::optional<Header> parse_header(std::string_view bytes) {
  const size_t newline = bytes.find('\n');
  if (newline == std::string_view::npos || newline > kCacheEntryMaxHeaderBytes) return std::nullopt;
  std::string_view line = bytes.substr(0, newline);
  if (!line.starts_with(kMagic)) return std::nullopt;
  line.remove_prefix(kMagic.size());
  if (line.size() < kDigestChars + 2 || line[kDigestChars] != ' ') return std::nullopt;
  Header header;
  header.digest = line.substr(0, kDigestChars);
  const std::string_view size = line.substr(kDigestChars + 1);
  const auto [end, error] =
      std::from_chars(size.data(), size.data() + size.size(), header.payload_bytes);
  if (error != std::errc() || end != size.data() + size.size() || header.payload_bytes < 0) {
    return std::nullopt;
  }
  header.header_bytes = newline + 1;
  return header;
}

}  // namespace

std::string encode_cache_entry(const v1::CompileResponse& response) {
  const std::string payload = response.SerializeAsString();
  std::string entry(kMagic);
  entry += sha256_hex(payload);
  entry += ' ';
  entry += std::to_string(payload.size());
  entry += '\n';
  entry += payload;
  return entry;
}

StatusOr<v1::CompileResponse> decode_cache_entry(std::string_view file_bytes) {
  const auto header = parse_header(file_bytes);
  if (!header) return invalid_argument("cache entry has no valid header");
  const std::string_view payload = file_bytes.substr(header->header_bytes);
  if (static_cast<int64_t>(payload.size()) != header->payload_bytes) {
    return invalid_argument("cache entry has " + std::to_string(payload.size()) +
                            " payload bytes, header says " + std::to_string(header->payload_bytes));
  }
  if (sha256_hex(payload) != header->digest) {
    return invalid_argument("cache entry checksum mismatch");
  }
  v1::CompileResponse response;
  if (!response.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return invalid_argument("cache entry payload does not parse");
  }
  return response;
}

std::optional<int64_t> cache_entry_file_size(std::string_view file_prefix) {
  const auto header = parse_header(file_prefix);
  if (!header) return std::nullopt;
  return static_cast<int64_t>(header->header_bytes) + header->payload_bytes;
}

}  // namespace ramiel::server
