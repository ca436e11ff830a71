#include "server/shared_cache_backoff.h"

#include <gtest/gtest.h>

namespace ramiel::server {
namespace {

using std::chrono::seconds;
using Change = SharedCacheBackoff::Change;

TEST(SharedCacheBackoff, UnknownUntilTheFirstReportThenEachChangeOnce) {
  SharedCacheBackoff backoff(seconds(1), seconds(30));
  const auto t0 = SharedCacheBackoff::Clock::time_point{} + seconds(100);
  EXPECT_FALSE(backoff.available());
  EXPECT_TRUE(backoff.may_try(t0));
  EXPECT_EQ(backoff.succeeded(), Change::kBecameAvailable);
  EXPECT_EQ(backoff.succeeded(), Change::kNone);
  EXPECT_TRUE(backoff.available());
  EXPECT_EQ(backoff.failed(t0), Change::kBecameUnavailable);
  // Operations that were already under way fail too: nothing more changes.
  EXPECT_EQ(backoff.failed(t0), Change::kNone);
  EXPECT_EQ(backoff.retry_at(), t0 + seconds(1));
}

TEST(SharedCacheBackoff, OneProbePerPeriodDoublingUpToTheMaximum) {
  SharedCacheBackoff backoff(seconds(1), seconds(30));
  auto now = SharedCacheBackoff::Clock::time_point{} + seconds(100);
  EXPECT_EQ(backoff.failed(now), Change::kBecameUnavailable);
  int probes = 0;
  for (const int expected_delay : {2, 4, 8, 16, 30, 30}) {
    // Every caller before the retry time is turned away.
    EXPECT_FALSE(backoff.may_try(backoff.retry_at() - std::chrono::milliseconds(500)));
    now = backoff.retry_at();
    EXPECT_TRUE(backoff.may_try(now));   // the probe
    EXPECT_FALSE(backoff.may_try(now));  // everyone else while it runs
    ++probes;
    EXPECT_EQ(backoff.failed(now), Change::kNone);
    EXPECT_EQ(backoff.delay(), seconds(expected_delay));
    EXPECT_EQ(backoff.retry_at(), now + seconds(expected_delay));
  }
  EXPECT_EQ(probes, 6);
  now = backoff.retry_at();
  EXPECT_TRUE(backoff.may_try(now));
  EXPECT_EQ(backoff.succeeded(), Change::kBecameAvailable);
  EXPECT_TRUE(backoff.may_try(now));
  EXPECT_TRUE(backoff.may_try(now));
  // The next outage starts from the initial delay again.
  EXPECT_EQ(backoff.failed(now), Change::kBecameUnavailable);
  EXPECT_EQ(backoff.delay(), seconds(1));
}

TEST(SharedCacheBackoff, AFailedFirstContactBacksOffToo) {
  SharedCacheBackoff backoff(seconds(1), seconds(30));
  const auto t0 = SharedCacheBackoff::Clock::time_point{} + seconds(5);
  EXPECT_TRUE(backoff.may_try(t0));
  EXPECT_EQ(backoff.failed(t0), Change::kBecameUnavailable);
  EXPECT_FALSE(backoff.may_try(t0));
}

}  // namespace
}  // namespace ramiel::server
