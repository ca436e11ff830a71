#include "server/memory_cache.h"

#include <gtest/gtest.h>

#include "tests/server/metric_reader.h"
#include "tests/server/test_results.h"

namespace ramiel::server {
namespace {

using testing::key_for;
using testing::metric_value;

CachedResult result_of(int n, size_t bytes) {
  return std::make_shared<const v1::CompileResponse>(
      testing::response_with(key_for(n), std::string(bytes, 'x')));
}

TEST(MemoryCache, EvictsLeastRecentlyUsedToStayWithinBytes) {
  Metrics metrics("test");
  // Room for two entries of ~1 KiB, not three.
  MemoryCache cache(2 * 1024 + 600, &metrics);
  cache.put(key_for(1), result_of(1, 1000));
  cache.put(key_for(2), result_of(2, 1000));
  ASSERT_TRUE(cache.get(key_for(1)).has_value());  // 1 is now the most recent
  cache.put(key_for(3), result_of(3, 1000));
  EXPECT_TRUE(cache.get(key_for(1)).has_value());
  EXPECT_FALSE(cache.get(key_for(2)).has_value());
  EXPECT_TRUE(cache.get(key_for(3)).has_value());
  EXPECT_EQ(cache.entries(), 2);
  EXPECT_LE(cache.size_bytes(), 2 * 1024 + 600);
  EXPECT_EQ(metric_value(*metrics.registry(), "ramiel_cache_evictions_total", {{"tier", "memory"}}),
            1);
  EXPECT_EQ(metric_value(*metrics.registry(), "ramiel_cache_size_bytes", {{"tier", "memory"}}),
            cache.size_bytes());
}

TEST(MemoryCache, ReplacesAndRefusesEntriesLargerThanTheWhole) {
  MemoryCache cache(4096, nullptr);
  cache.put(key_for(1), result_of(1, 100));
  cache.put(key_for(1), result_of(1, 200));
  EXPECT_EQ(cache.entries(), 1);
  EXPECT_EQ((*cache.get(key_for(1)))->files(0).contents().size(), 200u);
  cache.put(key_for(2), result_of(2, 10000));
  EXPECT_FALSE(cache.get(key_for(2)).has_value());
  EXPECT_TRUE(cache.get(key_for(1)).has_value());
  cache.erase(key_for(1));
  EXPECT_EQ(cache.entries(), 0);
  EXPECT_EQ(cache.size_bytes(), 0);
}

TEST(MemoryCache, ZeroCapacityKeepsNothing) {
  MemoryCache cache(0, nullptr);
  cache.put(key_for(1), result_of(1, 1));
  EXPECT_FALSE(cache.get(key_for(1)).has_value());
}

}  // namespace
}  // namespace ramiel::server
