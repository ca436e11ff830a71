#include "server/peer_quota.h"

#include <gtest/gtest.h>

namespace ramiel::server {
namespace {

TEST(PeerQuota, AddressDropsThePort) {
  EXPECT_EQ(peer_address("ipv4:10.0.0.7:51234"), "ipv4:10.0.0.7");
  EXPECT_EQ(peer_address("ipv6:[::1]:5"), "ipv6:[::1]");
  EXPECT_EQ(peer_address("unix:/run/ramiel.sock"), "unix:/run/ramiel.sock");
}

TEST(PeerQuota, UploadsAndCallsAreCountedPerPeer) {
  PeerQuota quota(/*max_calls=*/3, /*max_uploads=*/2);
  EXPECT_EQ(quota.try_start("a"), PeerQuota::Refusal::kNone);
  EXPECT_EQ(quota.try_start("a"), PeerQuota::Refusal::kNone);
  EXPECT_EQ(quota.try_start("a"), PeerQuota::Refusal::kUploads);
  EXPECT_EQ(quota.try_start("b"), PeerQuota::Refusal::kNone);  // another peer is unaffected
  quota.upload_done("a");                                      // a's first upload is whole
  EXPECT_EQ(quota.try_start("a"), PeerQuota::Refusal::kNone);
  quota.upload_done("a");
  quota.upload_done("a");
  EXPECT_EQ(quota.try_start("a"), PeerQuota::Refusal::kCalls);  // three compiles still open
  quota.call_done("a");
  EXPECT_EQ(quota.try_start("a"), PeerQuota::Refusal::kNone);
}

}  // namespace
}  // namespace ramiel::server
