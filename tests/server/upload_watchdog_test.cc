#include "server/upload_watchdog.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace ramiel::server {
namespace {

using std::chrono::milliseconds;

TEST(UploadWatchdog, EndsOnlyUploadsWithoutProgress) {
  UploadWatchdog watchdog(milliseconds(100));
  std::atomic<int> idle_a{0};
  std::atomic<int> idle_b{0};
  const uint64_t a = watchdog.watch([&] { ++idle_a; });
  const uint64_t b = watchdog.watch([&] { ++idle_b; });
  // b keeps making progress for longer than the timeout; a says nothing.
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(milliseconds(30));
    watchdog.touch(b);
  }
  EXPECT_EQ(idle_a.load(), 1);
  EXPECT_EQ(idle_b.load(), 0);
  watchdog.forget(b);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(idle_b.load(), 0);  // forgotten: never called
  EXPECT_EQ(idle_a.load(), 1);  // at most once
  watchdog.forget(a);           // after it fired: harmless
}

}  // namespace
}  // namespace ramiel::server
