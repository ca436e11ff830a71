#include "server/redis_endpoint.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>

#include "core/support/file_contents.h"

namespace ramiel::server {
namespace {

constexpr std::string_view kForm =
    "expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss://...";

Status bad_url(const std::string& what) {
  return invalid_argument("--redis: " + what + " (" + std::string(kForm) + ")");
}

// A decimal integer in [low, high] that is the whole of `text`.
bool parse_int(std::string_view text, int low, int high, int& value) {
  int parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return false;
  if (parsed < low || parsed > high) return false;
  value = parsed;
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding; nullopt for a '%' not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_digit(text[i + 1]);
    const int low = hex_digit(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

}  // namespace

std::string RedisEndpoint::describe() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return std::string(tls ? "rediss://" : "redis://") + (ipv6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port) + "/" + std::to_string(database);
}

StatusOr<RedisEndpoint> parse_redis_url(std::string_view url) {
  RedisEndpoint endpoint;
  if (url.starts_with("redis://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("rediss://")) {
    endpoint.tls = true;
    url.remove_prefix(9);
  } else {
    return bad_url("the scheme must be redis:// or rediss://");
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return bad_url("query strings and fragments are not supported");
  }
  const size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view path = url.substr(slash + 1);
    if (!path.empty() && !parse_int(path, 0, std::numeric_limits<int>::max(), endpoint.database)) {
      return bad_url("the database after '/' must be a number >= 0");
    }
  }

  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return bad_url("credentials must be USER:PASSWORD@ or :PASSWORD@");
    }
    const auto username = percent_decode(userinfo.substr(0, colon));
    const auto password = percent_decode(userinfo.substr(colon + 1));
    if (!username || !password) return bad_url("a '%' in the credentials is not %XX");
    if (password->empty()) return bad_url("the password after ':' is empty");
    endpoint.username = *username;
    endpoint.password = *password;
  }

  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad_url("an IPv6 host lacks its ']'");
    endpoint.host = std::string(authority.substr(1, close - 1));
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad_url("only ':PORT' may follow an IPv6 host");
      port = rest.substr(1);
      if (port.empty()) return bad_url("the port after ':' is empty");
    }
  } else {
    const size_t colon = authority.find(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return bad_url("the port after ':' is empty");
    }
  }
  if (endpoint.host.empty()) return bad_url("the host is missing");
  const bool bracketed = authority.starts_with("[");
  const auto allowed = [bracketed](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ||
           (bracketed && (c == ':' || c == '%'));
  };
  if (!std::all_of(endpoint.host.begin(), endpoint.host.end(), allowed)) {
    return bad_url("the host has a character no host name or address has");
  }
  if (!port.empty() && !parse_int(port, 1, 65535, endpoint.port)) {
    return bad_url("the port must be a number from 1 to 65535");
  }
  return endpoint;
}

StatusOr<std::string> read_redis_password_file(const std::string& path) {
  std::optional<std::string> text = file_contents(path);
  if (!text) return not_found("--redis-password-file: cannot read '" + path + "'");
  std::string password = std::move(*text);
  if (password.ends_with('\n')) password.pop_back();
  if (password.ends_with('\r')) password.pop_back();
  if (password.empty()) {
    return invalid_argument("--redis-password-file: '" + path + "' holds no password");
  }
  if (password.find('\n') != std::string::npos) {
    return invalid_argument("--redis-password-file: '" + path + "' holds more than one line");
  }
  return password;
}

}  // namespace ramiel::server
