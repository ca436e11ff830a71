#include "server/disk_cache.h"

#include <fstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server/cache_entry.h"
#include "tests/server/metric_reader.h"
#include "tests/server/test_results.h"

namespace ramiel::server {
namespace {

namespace fs = std::filesystem;
using testing::key_for;
using testing::metric_value;
using testing::response_with;
using testing::TempDir;

constexpr int64_t kBig = int64_t{1} << 30;

std::unique_ptr<DiskCache> open_cache(const fs::path& dir, int64_t capacity = kBig,
                                      Metrics* metrics = nullptr) {
  auto cache = DiskCache::open(dir, capacity, metrics);
  EXPECT_TRUE(cache.ok()) << cache.status().to_string();
  return std::move(cache).value();
}

std::string contents_of(const std::optional<CachedResult>& result) {
  return result ? (*result)->files(0).contents() : "<miss>";
}

TEST(DiskCache, StoresAndSurvivesReopening) {
  TempDir dir;
  {
    auto cache = open_cache(dir.path());
    EXPECT_EQ(contents_of(cache->get(key_for(1))), "<miss>");
    ASSERT_TRUE(cache->put(key_for(1), response_with(key_for(1), "one")).ok());
    ASSERT_TRUE(cache->put(key_for(2), response_with(key_for(2), "two")).ok());
    EXPECT_EQ(contents_of(cache->get(key_for(1))), "one");
  }
  auto reopened = open_cache(dir.path());
  EXPECT_EQ(reopened->entries(), 2);
  EXPECT_EQ(contents_of(reopened->get(key_for(1))), "one");
  EXPECT_EQ(contents_of(reopened->get(key_for(2))), "two");
  EXPECT_EQ(reopened->size_bytes(),
            static_cast<int64_t>(fs::file_size(reopened->path_for(key_for(1))) +
                                 fs::file_size(reopened->path_for(key_for(2)))));
  // Nothing is left in the temporary directory after successful writes.
  EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
}

TEST(DiskCache, CorruptEntryIsDroppedCountedAndNeverServed) {
  TempDir dir;
  Metrics metrics("test");
  auto cache = open_cache(dir.path(), kBig, &metrics);
  ASSERT_TRUE(cache->put(key_for(1), response_with(key_for(1), std::string(500, 'p'))).ok());
  const fs::path path = cache->path_for(key_for(1));
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(300);
    file.put('Q');  // same size, different bytes: only the checksum can tell
  }
  EXPECT_EQ(contents_of(cache->get(key_for(1))), "<miss>");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(cache->entries(), 0);
  EXPECT_EQ(metric_value(*metrics.registry(), "ramiel_cache_corrupt_entries_total"), 1);
  // A fresh result for the same key is stored and served again.
  ASSERT_TRUE(cache->put(key_for(1), response_with(key_for(1), "fresh")).ok());
  EXPECT_EQ(contents_of(cache->get(key_for(1))), "fresh");
}

TEST(DiskCache, EntryUnderTheWrongNameIsNotServed) {
  TempDir dir;
  auto cache = open_cache(dir.path());
  ASSERT_TRUE(cache->put(key_for(1), response_with(key_for(1), "one")).ok());
  fs::create_directories(cache->path_for(key_for(2)).parent_path());
  fs::copy_file(cache->path_for(key_for(1)), cache->path_for(key_for(2)));
  auto reopened = open_cache(dir.path());
  EXPECT_EQ(contents_of(reopened->get(key_for(2))), "<miss>");
  EXPECT_EQ(contents_of(reopened->get(key_for(1))), "one");
}

TEST(DiskCache, StartupRemovesTruncatedEntriesStrayFilesAndTemporaries) {
  TempDir dir;
  {
    auto cache = open_cache(dir.path());
    ASSERT_TRUE(cache->put(key_for(1), response_with(key_for(1), std::string(400, 'a'))).ok());
    ASSERT_TRUE(cache->put(key_for(2), response_with(key_for(2), "b")).ok());
    fs::resize_file(cache->path_for(key_for(1)), 100);  // a crash mid-copy, say
  }
  std::ofstream(dir.path() / "tmp" / "half-written.tmp") << "partial";
  std::ofstream(dir.path() / "entries" / "00" / "not-a-key") << "junk";
  Metrics metrics("test");
  auto cache = open_cache(dir.path(), kBig, &metrics);
  EXPECT_EQ(cache->entries(), 1);
  EXPECT_FALSE(fs::exists(cache->path_for(key_for(1))));
  EXPECT_FALSE(fs::exists(dir.path() / "entries" / "00" / "not-a-key"));
  EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
  EXPECT_EQ(contents_of(cache->get(key_for(2))), "b");
  EXPECT_EQ(metric_value(*metrics.registry(), "ramiel_cache_corrupt_entries_total"), 2);
  EXPECT_EQ(metric_value(*metrics.registry(), "ramiel_cache_entries", {{"tier", "disk"}}), 1);
}

TEST(DiskCache, EvictsLeastRecentlyUsedBySize) {
  TempDir dir;
  const int64_t entry_bytes = static_cast<int64_t>(
      encode_cache_entry(response_with(key_for(1), std::string(1000, 'x'))).size());
  auto cache = open_cache(dir.path(), 2 * entry_bytes);
  ASSERT_TRUE(cache->put(key_for(1), response_with(key_for(1), std::string(1000, 'x'))).ok());
  ASSERT_TRUE(cache->put(key_for(2), response_with(key_for(2), std::string(1000, 'x'))).ok());
  ASSERT_NE(contents_of(cache->get(key_for(1))), "<miss>");  // 2 is now the oldest
  ASSERT_TRUE(cache->put(key_for(3), response_with(key_for(3), std::string(1000, 'x'))).ok());
  EXPECT_NE(contents_of(cache->get(key_for(1))), "<miss>");
  EXPECT_EQ(contents_of(cache->get(key_for(2))), "<miss>");
  EXPECT_FALSE(fs::exists(cache->path_for(key_for(2))));
  EXPECT_NE(contents_of(cache->get(key_for(3))), "<miss>");
  EXPECT_LE(cache->size_bytes(), 2 * entry_bytes);
  // An entry larger than the whole cache is not stored and evicts nothing.
  ASSERT_TRUE(cache->put(key_for(4), response_with(key_for(4), std::string(5000, 'x'))).ok());
  EXPECT_EQ(cache->entries(), 2);
}

TEST(DiskCache, ReopeningWithASmallerBoundEvictsTheOldest) {
  TempDir dir;
  int64_t entry_bytes = 0;
  {
    auto cache = open_cache(dir.path());
    for (int n = 1; n <= 3; ++n) {
      ASSERT_TRUE(cache->put(key_for(n), response_with(key_for(n), std::string(1000, 'x'))).ok());
      // Recency across restarts comes from modification times; make them distinct.
      fs::last_write_time(cache->path_for(key_for(n)),
                          fs::file_time_type::clock::now() + std::chrono::seconds(n));
    }
    entry_bytes = cache->size_bytes() / 3;
  }
  auto cache = open_cache(dir.path(), 2 * entry_bytes);
  EXPECT_EQ(cache->entries(), 2);
  EXPECT_EQ(contents_of(cache->get(key_for(1))), "<miss>");
  EXPECT_NE(contents_of(cache->get(key_for(3))), "<miss>");
}

TEST(DiskCache, RefusesNamesThatAreNotKeys) {
  TempDir dir;
  auto cache = open_cache(dir.path());
  EXPECT_FALSE(cache->put("../../etc/passwd", response_with("x", "x")).ok());
  EXPECT_FALSE(cache->get("../../etc/passwd").has_value());
  EXPECT_FALSE(is_cache_key(std::string(64, 'A')));
  EXPECT_TRUE(is_cache_key(std::string(64, 'f')));
}

TEST(DiskCache, ConcurrentWritersAndReadersOfTheSameKeys) {
  TempDir dir;
  auto cache = open_cache(dir.path());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string key = key_for(i % 5);
        if ((i + t) % 2 == 0) {
          EXPECT_TRUE(cache->put(key, response_with(key, "v" + key)).ok());
        } else if (auto hit = cache->get(key)) {
          EXPECT_EQ((*hit)->files(0).contents(), "v" + key);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(cache->entries(), 5);
  EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
}

}  // namespace
}  // namespace ramiel::server
