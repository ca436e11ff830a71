#include "server/peer_quota.h"

namespace ramiel::server {

std::string peer_address(std::string_view grpc_peer) {
  const auto scheme = grpc_peer.find(':');
  const auto port = grpc_peer.rfind(':');
  // "unix:/path" and other forms without a port are kept whole.
  if (grpc_peer.rfind("ipv4:", 0) != 0 && grpc_peer.rfind("ipv6:", 0) != 0) {
    return std::string(grpc_peer);
  }
  if (port == std::string_view::npos || port <= scheme) return std::string(grpc_peer);
  return std::string(grpc_peer.substr(0, port));
}

PeerQuota::Refusal PeerQuota::try_start(const std::string& peer) {
  std::lock_guard lock(mutex_);
  Counts& counts = by_peer_[peer];
  if (counts.calls >= max_calls_) return Refusal::kCalls;
  if (counts.uploads >= max_uploads_) return Refusal::kUploads;
  ++counts.calls;
  ++counts.uploads;
  return Refusal::kNone;
}

void PeerQuota::upload_done(const std::string& peer) {
  std::lock_guard lock(mutex_);
  --by_peer_[peer].uploads;
}

void PeerQuota::call_done(const std::string& peer) {
  std::lock_guard lock(mutex_);
  const auto it = by_peer_.find(peer);
  if (it == by_peer_.end()) return;
  if (--it->second.calls == 0 && it->second.uploads == 0) by_peer_.erase(it);
}

}  // namespace ramiel::server
