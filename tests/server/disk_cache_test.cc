#include "server/disk_cache.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/cache_entry.h"
#include "tests/server/log_lines.h"
#include "tests/server/metric_reader.h"
#include "tests/server/test_results.h"

namespace ramiel::server {
namespace {

namespace fs = std::filesystem;
using testing::events_in;
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

double store_failures(const Metrics& metrics, const std::string& reason) {
  return metric_value(*metrics.registry(), "ramiel_cache_store_failures_total",
                      {{"tier", "disk"}, {"reason", reason}});
}

// The real calls, each recorded as "fsync file <inode>", "fsync dir <inode>" or "rename"; an
// fsync of a directory fails with `directory_errno` when that is not 0.
struct RecordedCalls {
  std::vector<std::string> calls;
  int directory_errno = 0;
  int file_errno = 0;

  FileSyncCalls hooks() {
    return {[this](int fd) {
              struct stat info {};
              ::fstat(fd, &info);
              const bool dir = S_ISDIR(info.st_mode);
              calls.push_back(std::string("fsync ") + (dir ? "dir " : "file ") +
                              std::to_string(info.st_ino));
              const int fail = dir ? directory_errno : file_errno;
              if (fail != 0) {
                errno = fail;
                return -1;
              }
              return ::fsync(fd);
            },
            [this](const char* from, const char* to) {
              calls.push_back("rename");
              return ::rename(from, to);
            }};
  }
};

std::string inode_of(const fs::path& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  return std::to_string(info.st_ino);
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
  std::ostringstream log_text;
  RequestLog log(log_text, true);
  auto cache = DiskCache::open(dir.path(), kBig, &metrics, &log).value();
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
  EXPECT_EQ(events_in(log_text, "cache_entry_dropped").size(), 1u);
  // A fresh result for the same key is stored and served again.
  ASSERT_TRUE(cache->put(key_for(1), response_with(key_for(1), "fresh")).ok());
  EXPECT_EQ(contents_of(cache->get(key_for(1))), "fresh");
}

TEST(DiskCache, EntryTruncatedAfterStartupIsNotServed) {
  TempDir dir;
  auto cache = open_cache(dir.path());
  ASSERT_TRUE(cache->put(key_for(1), response_with(key_for(1), std::string(500, 'p'))).ok());
  const fs::path path = cache->path_for(key_for(1));
  fs::resize_file(path, fs::file_size(path) - 1);  // a writer that bypassed the cache, say
  EXPECT_EQ(contents_of(cache->get(key_for(1))), "<miss>");
  EXPECT_FALSE(fs::exists(path));
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

TEST(DiskCache, ServesAndIndexesEntriesAnotherServerWroteAfterStartup) {
  TempDir dir;
  Metrics metrics("test");
  auto first = open_cache(dir.path());
  auto second = open_cache(dir.path(), kBig, &metrics);  // shares the directory, index empty
  ASSERT_TRUE(first->put(key_for(1), response_with(key_for(1), "one")).ok());
  EXPECT_EQ(second->entries(), 0);
  EXPECT_EQ(contents_of(second->get(key_for(1))), "one");
  // Now it counts towards this server's bound and gauges like its own entries.
  EXPECT_EQ(second->entries(), 1);
  const auto bytes = static_cast<int64_t>(fs::file_size(second->path_for(key_for(1))));
  EXPECT_EQ(second->size_bytes(), bytes);
  EXPECT_EQ(metric_value(*metrics.registry(), "ramiel_cache_size_bytes", {{"tier", "disk"}}),
            bytes);
  EXPECT_EQ(contents_of(second->get(key_for(1))), "one");
  EXPECT_EQ(second->entries(), 1);
  EXPECT_EQ(contents_of(second->get(key_for(2))), "<miss>");
  EXPECT_EQ(second->entries(), 1);
}

TEST(DiskCache, DamagedEntryAnotherServerWroteIsDroppedNotIndexed) {
  TempDir dir;
  Metrics metrics("test");
  auto first = open_cache(dir.path());
  auto second = open_cache(dir.path(), kBig, &metrics);
  ASSERT_TRUE(first->put(key_for(1), response_with(key_for(1), std::string(500, 'p'))).ok());
  const fs::path path = first->path_for(key_for(1));
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(300);
    file.put('Q');
  }
  EXPECT_EQ(contents_of(second->get(key_for(1))), "<miss>");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(second->entries(), 0);
  EXPECT_EQ(metric_value(*metrics.registry(), "ramiel_cache_corrupt_entries_total"), 1);
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

TEST(DiskCache, PutSyncsTheFileThenRenamesThenSyncsTheDirectories) {
  TempDir dir;
  RecordedCalls recorded;
  auto cache = DiskCache::open(dir.path(), kBig, nullptr, nullptr, recorded.hooks()).value();
  recorded.calls.clear();  // open's own sync of a new entries/ directory
  ASSERT_TRUE(cache->put(key_for(1), response_with(key_for(1), "one")).ok());
  const fs::path entry = cache->path_for(key_for(1));
  // The entry's parent was created for it: the directory holding that name is synced too.
  EXPECT_EQ(recorded.calls,
            (std::vector<std::string>{"fsync file " + inode_of(entry), "rename",
                                      "fsync dir " + inode_of(entry.parent_path()),
                                      "fsync dir " + inode_of(dir.path() / "entries")}));
  recorded.calls.clear();
  ASSERT_TRUE(cache->put(key_for(2), response_with(key_for(2), "two")).ok());  // same parent
  EXPECT_EQ(recorded.calls,
            (std::vector<std::string>{"fsync file " + inode_of(cache->path_for(key_for(2))),
                                      "rename", "fsync dir " + inode_of(entry.parent_path())}));
}

TEST(DiskCache, FailedDirectorySyncIsCountedAndLoggedOnceWhileItPersists) {
  TempDir dir;
  Metrics metrics("test");
  std::ostringstream log_text;
  RequestLog log(log_text, true);
  RecordedCalls recorded;
  recorded.directory_errno = EIO;
  auto cache = DiskCache::open(dir.path(), kBig, &metrics, &log, recorded.hooks()).value();
  const Status first = cache->put(key_for(1), response_with(key_for(1), "one"));
  EXPECT_FALSE(first.ok());
  EXPECT_NE(first.message().find("cannot sync directory"), std::string::npos) << first.message();
  EXPECT_FALSE(cache->put(key_for(2), response_with(key_for(2), "two")).ok());
  EXPECT_EQ(store_failures(metrics, "io_error"), 2);
  const auto lines = events_in(log_text, "cache_store_failed");
  ASSERT_EQ(lines.size(), 1u) << log_text.str();
  EXPECT_EQ(lines[0]["reason"], "io_error");
  EXPECT_EQ(lines[0]["tier"], "disk");
  EXPECT_EQ(lines[0]["failures"], 1);
  EXPECT_EQ(lines[0]["cache_key"], key_for(1));
  // The renamed entry is whole, so it is still served; only its durability is in doubt.
  EXPECT_EQ(contents_of(cache->get(key_for(1))), "one");
}

TEST(DiskCache, FailedRenameIsReportedAndLeavesNoTemporaryFile) {
  TempDir dir;
  Metrics metrics("test");
  std::ostringstream log_text;
  RequestLog log(log_text, true);
  auto cache = DiskCache::open(dir.path(), kBig, &metrics, &log).value();
  // A non-empty directory where the entry should go: rename(2) fails with EISDIR.
  const fs::path entry = cache->path_for(key_for(1));
  fs::create_directories(entry / "in-the-way");
  const Status status = cache->put(key_for(1), response_with(key_for(1), "one"));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("cannot rename"), std::string::npos) << status.message();
  EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
  EXPECT_EQ(cache->entries(), 0);
  EXPECT_EQ(store_failures(metrics, "io_error"), 1);
  const auto lines = events_in(log_text, "cache_store_failed");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0]["message"].get<std::string>().find("not stored"), std::string::npos);
  fs::remove_all(entry);
  EXPECT_TRUE(cache->put(key_for(1), response_with(key_for(1), "one")).ok());
  EXPECT_EQ(contents_of(cache->get(key_for(1))), "one");
}

TEST(DiskCache, FullDiskAndReadOnlyFailuresAreCountedByReason) {
  TempDir dir;
  Metrics metrics("test");
  std::ostringstream log_text;
  RequestLog log(log_text, true);
  RecordedCalls recorded;
  auto cache = DiskCache::open(dir.path(), kBig, &metrics, &log, recorded.hooks()).value();
  recorded.file_errno = ENOSPC;  // what NFS or delayed allocation report only at fsync
  EXPECT_FALSE(cache->put(key_for(1), response_with(key_for(1), "one")).ok());
  recorded.file_errno = EROFS;
  EXPECT_FALSE(cache->put(key_for(2), response_with(key_for(2), "two")).ok());
  EXPECT_EQ(store_failures(metrics, "no_space"), 1);
  EXPECT_EQ(store_failures(metrics, "read_only"), 1);
  EXPECT_EQ(store_failures(metrics, "io_error"), 0);
  EXPECT_EQ(cache->entries(), 0);
  EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
  // Each reason gets its own first line.
  const auto lines = events_in(log_text, "cache_store_failed");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["reason"], "no_space");
  EXPECT_EQ(lines[1]["reason"], "read_only");
  EXPECT_EQ(store_failure_reason_for(EDQUOT), StoreFailureReason::kNoSpace);
  EXPECT_EQ(store_failure_reason_for(EACCES), StoreFailureReason::kReadOnly);
  EXPECT_EQ(store_failure_reason_for(EIO), StoreFailureReason::kIoError);
}

TEST(StoreFailureThrottle, LogsTheFirstFailureThenOneLinePerIntervalWithTheCount) {
  StoreFailureThrottle throttle(std::chrono::seconds(60));
  const auto t0 = std::chrono::steady_clock::time_point() + std::chrono::hours(1);
  using std::chrono::seconds;
  EXPECT_EQ(throttle.record(StoreFailureReason::kNoSpace, t0), 1);
  EXPECT_EQ(throttle.record(StoreFailureReason::kNoSpace, t0 + seconds(1)), 0);
  EXPECT_EQ(throttle.record(StoreFailureReason::kReadOnly, t0 + seconds(1)), 1);
  EXPECT_EQ(throttle.record(StoreFailureReason::kNoSpace, t0 + seconds(59)), 0);
  EXPECT_EQ(throttle.record(StoreFailureReason::kNoSpace, t0 + seconds(60)), 3);
  EXPECT_EQ(throttle.record(StoreFailureReason::kNoSpace, t0 + seconds(61)), 0);
  EXPECT_EQ(throttle.record(StoreFailureReason::kNoSpace, t0 + seconds(500)), 2);
}

// A child process that stays alive until the object is destroyed: a live writer's process id.
class LiveProcess {
 public:
  LiveProcess() : pid_(::fork()) {
    if (pid_ == 0) {
      ::pause();
      ::_exit(0);
    }
  }
  ~LiveProcess() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

// The id of a process that has exited and been reaped.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

TEST(DiskCache, StartupRemovesOnlyTemporaryFilesNoLiveWriterOwns) {
  TempDir dir;
  { open_cache(dir.path()); }
  const fs::path tmp = dir.path() / "tmp";
  LiveProcess live;
  const auto touch = [&](const std::string& name, std::chrono::minutes age = {}) {
    const fs::path path = tmp / name;
    std::ofstream(path) << "partial";
    fs::last_write_time(path, fs::file_time_type::clock::now() - age);
    return path;
  };
  const std::string key = key_for(7);
  const fs::path dead_writer = touch(temp_file_name(key, dead_pid(), 0));
  const fs::path previous_me = touch(temp_file_name(key, ::getpid(), 1));  // restarted as pid 1
  const fs::path live_writer = touch(temp_file_name(key, live.pid(), 2));
  const fs::path live_but_old =
      touch(temp_file_name(key, live.pid(), 3), kAbandonedTempFileAge + std::chrono::minutes(1));
  const fs::path locked = touch(temp_file_name(key, dead_pid(), 4));
  const fs::path stray = touch("not-a-temp-name");
  // A writer in another process (or another pid namespace) holds the lock while it writes.
  const int lock_fd = ::open(locked.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(lock_fd, 0);
  ASSERT_EQ(::flock(lock_fd, LOCK_EX | LOCK_NB), 0);

  auto cache = open_cache(dir.path());
  EXPECT_FALSE(fs::exists(dead_writer));
  EXPECT_FALSE(fs::exists(previous_me));
  EXPECT_TRUE(fs::exists(live_writer));
  EXPECT_FALSE(fs::exists(live_but_old));
  EXPECT_TRUE(fs::exists(locked));
  EXPECT_FALSE(fs::exists(stray));
  ::close(lock_fd);
  // Neither kept file is taken for an entry.
  EXPECT_EQ(cache->entries(), 0);
}

TEST(CacheFiles, WriterHoldsTheLockOnItsTemporaryFileUntilItIsRenamed) {
  TempDir dir;
  const fs::path temp = dir.path() / temp_file_name(key_for(1), ::getpid(), 0);
  const fs::path final_path = dir.path() / "entry";
  bool checked = false;
  FileSyncCalls calls = FileSyncCalls::system();
  calls.rename = [&](const char* from, const char* to) {
    // Mid-write: start-up cleanup in this or any other process must leave the file alone.
    EXPECT_FALSE(
        is_abandoned_temp_file(temp, fs::file_time_type::clock::now() + kAbandonedTempFileAge * 2));
    checked = true;
    return ::rename(from, to);
  };
  EXPECT_FALSE(write_file_durably(temp, final_path, "bytes", calls).has_value());
  EXPECT_TRUE(checked);
  EXPECT_FALSE(fs::exists(temp));
  std::ifstream in(final_path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "bytes");
}

}  // namespace
}  // namespace ramiel::server
