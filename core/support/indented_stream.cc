#include "core/support/indented_stream.h"

namespace ramiel {

IndentedStream& IndentedStream::line(std::string_view text) {
  if (!text.empty()) out_ << std::string(static_cast<size_t>(level_ * spaces_per_level_), ' ');
  out_ << text << '\n';
  return *this;
}

}  // namespace ramiel
