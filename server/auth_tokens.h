// Bearer tokens for ramiel-server: the token file's parser, and the set of accepted tokens that a
// reload (SIGHUP) replaces. Only SHA-256 digests of the tokens are kept, and nothing here ever
// puts a token into an error message.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/support/status.h"

namespace ramiel::server {

// One token per line; blank lines and lines starting with '#' are skipped, surrounding spaces,
// tabs and '\r' are trimmed. A token must be printable ASCII without spaces (it travels in a
// gRPC metadata value). A file without a single token is an error: it would lock everyone out.
StatusOr<std::vector<std::string>> parse_token_file(std::string_view text);

class TokenSet {
 public:
  // Reads and parses `path`, then replaces the accepted tokens. On any error the tokens accepted
  // so far stay as they were. Returns how many tokens are now accepted.
  StatusOr<size_t> load(const std::string& path);
  // Whether `token` is one of the accepted tokens, compared in constant time (digests of equal
  // length, every digest compared, no early exit), so response timing leaks nothing.
  bool accepts(std::string_view token) const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> digests_;
};

}  // namespace ramiel::server
