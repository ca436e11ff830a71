#include "server/auth_tokens.h"


#include <openssl/crypto.h>

#include "core/support/file_contents.h"
#include "core/support/sha256.h"
#include "core/support/text.h"

namespace ramiel::server {
namespace {

bool is_token_char(char c) {
  return c > ' ' && c < 0x7f;
}

}  // namespace

StatusOr<std::vector<std::string>> parse_token_file(std::string_view text) {
  std::vector<std::string> tokens;
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = trim_whitespace(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    for (char c : line) {
      // The line number locates the mistake; the line itself is a secret and is never echoed.
      if (!is_token_char(c)) {
        return invalid_argument("line " + std::to_string(line_number) +
                                " holds a space or a non-printable character inside a token");
      }
    }
    tokens.emplace_back(line);
  }
  if (tokens.empty()) return invalid_argument("holds no tokens");
  return tokens;
}

StatusOr<size_t> TokenSet::load(const std::string& path) {
  const std::optional<std::string> text = file_contents(path);
  if (!text) return not_found("cannot read token file '" + path + "'");
  auto tokens = parse_token_file(*text);
  if (!tokens.ok()) return tokens.status().with_context("token file '" + path + "'");
  std::vector<std::string> digests;
  digests.reserve(tokens->size());
  for (const std::string& token : *tokens) digests.push_back(sha256_hex(token));
  std::lock_guard lock(mutex_);
  digests_ = std::move(digests);
  return digests_.size();
}

bool TokenSet::accepts(std::string_view token) const {
  // Digests have one length whatever the token's, so the comparison time says nothing about it.
  const std::string digest = sha256_hex(token);
  std::lock_guard lock(mutex_);
  bool found = false;
  for (const std::string& accepted : digests_) {
    found |= CRYPTO_memcmp(accepted.data(), digest.data(), digest.size()) == 0;
  }
  return found;
}

}  // namespace ramiel::server
