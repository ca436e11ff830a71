// PeerQuota: how many Compile calls, and how many uploads among them, one client address may have
// open at once, so that one device cannot take every upload slot or worker from the rest.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ramiel::server {

// "ipv4:10.0.0.7:51234" -> "ipv4:10.0.0.7", "ipv6:[::1]:5" -> "ipv6:[::1]": the client's address
// without its port, since every new connection gets a new port.
std::string peer_address(std::string_view grpc_peer);

class PeerQuota {
 public:
  PeerQuota(int max_calls, int max_uploads) : max_calls_(max_calls), max_uploads_(max_uploads) {}

  enum class Refusal { kNone, kCalls, kUploads };
  // Takes a call slot and an upload slot for `peer`, or neither.
  Refusal try_start(const std::string& peer);
  // The upload is whole (or abandoned): its upload slot frees; the call slot stays.
  void upload_done(const std::string& peer);
  void call_done(const std::string& peer);

  int max_calls() const { return max_calls_; }
  int max_uploads() const { return max_uploads_; }

 private:
  struct Counts {
    int calls = 0;
    int uploads = 0;
  };
  const int max_calls_;
  const int max_uploads_;
  std::mutex mutex_;
  std::map<std::string, Counts, std::less<>> by_peer_;
};

}  // namespace ramiel::server
