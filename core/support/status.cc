#include "core/support/status.h"

#include <algorithm>

namespace ramiel {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
size_t utf8_sequence_length(const std::string& s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t length;
  unsigned char low = 0x80, high = 0xBF;  // bounds of the first continuation byte
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

bool is_unsafe_control(unsigned char c) { return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F; }

}  // namespace

std::string bounded_message(std::string message) {
  // Replacing a bad byte with '?' keeps the size, so the cut can be decided up front.
  const bool cut = message.size() > kMaxStatusMessageBytes;
  const std::string note =
      cut ? " [... message cut: " + std::to_string(message.size()) + " bytes in all]" : "";
  const size_t budget = kMaxStatusMessageBytes - note.size();
  std::string out;
  out.reserve(std::min(message.size(), kMaxStatusMessageBytes));
  for (size_t i = 0; i < message.size();) {
    size_t length = utf8_sequence_length(message, i);
    const bool bad = length == 0 || (length == 1 && is_unsafe_control(message[i]));
    if (bad) length = 1;
    if (cut && out.size() + length > budget) break;
    if (bad) {
      out.push_back('?');
    } else {
      out.append(message, i, length);
    }
    i += length;
  }
  return out + note;
}

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kUnimplemented: return "UNIMPLEMENTED";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kInternal: return "INTERNAL";
  }
  return "UNKNOWN";
}

std::string Status::to_string() const {
  if (ok()) return "OK";
  return std::string(status_code_name(code_)) + ": " + message_;
}

Status Status::with_context(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace ramiel
