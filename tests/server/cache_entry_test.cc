#include "server/cache_entry.h"

#include <gtest/gtest.h>

#include "tests/server/test_results.h"

namespace ramiel::server {
namespace {

using testing::key_for;
using testing::response_with;

TEST(CacheEntry, RoundTripsAndAnnouncesItsSize) {
  const v1::CompileResponse response = response_with(key_for(1), "print('hello')\n");
  const std::string entry = encode_cache_entry(response);
  auto decoded = decode_cache_entry(entry);
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->SerializeAsString(), response.SerializeAsString());
  EXPECT_EQ(cache_entry_file_size(entry.substr(0, kCacheEntryMaxHeaderBytes)), entry.size());
}

TEST(CacheEntry, EveryDamageIsDetected) {
  const std::string entry = encode_cache_entry(response_with(key_for(2), std::string(1000, 'x')));
  // Truncation at any point, including inside the header.
  for (size_t keep : {size_t{0}, size_t{10}, size_t{100}, entry.size() - 1}) {
    EXPECT_FALSE(decode_cache_entry(entry.substr(0, keep)).ok()) << keep;
  }
  // A single flipped bit anywhere in the payload or the digest.
  for (size_t at = 15; at < entry.size(); at += 37) {
    std::string damaged = entry;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    EXPECT_FALSE(decode_cache_entry(damaged).ok()) << "flipped byte " << at;
  }
  EXPECT_FALSE(decode_cache_entry(entry + "x").ok());
  std::string other_version = entry;
  other_version[13] = '2';  // "ramiel-cache 2"
  EXPECT_FALSE(decode_cache_entry(other_version).ok());
  EXPECT_FALSE(cache_entry_file_size("garbage\n").has_value());
  EXPECT_FALSE(cache_entry_file_size(std::string(200, 'r')).has_value());
}

}  // namespace
}  // namespace ramiel::server
