#include "client/progress_bar.h"

#include <unistd.h>

#include <algorithm>

namespace ramiel::client {

ProgressBar::ProgressBar(std::string label, int64_t total_bytes, std::FILE* out, bool enabled)
    : label_(std::move(label)), total_(total_bytes), out_(out), enabled_(enabled) {}

ProgressBar::~ProgressBar() {
  finish();
}

bool ProgressBar::is_terminal(std::FILE* out) {
  return ::isatty(::fileno(out)) == 1;
}

std::string ProgressBar::render(int64_t done_bytes, int64_t total_bytes, int width) {
  const double fraction =
      total_bytes <= 0 ? 1.0 : std::clamp(static_cast<double>(done_bytes) / total_bytes, 0.0, 1.0);
  const int filled = static_cast<int>(fraction * width);
  std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, ' ') + "]";
  char numbers[64];
  constexpr double kMiB = 1024.0 * 1024.0;
  std::snprintf(numbers, sizeof(numbers), " %3d%%  %.1f/%.1f MiB", static_cast<int>(fraction * 100),
                static_cast<double>(done_bytes) / kMiB, static_cast<double>(total_bytes) / kMiB);
  return bar + numbers;
}

void ProgressBar::update(int64_t done_bytes) {
  if (!enabled_) return;
  const int percent = total_ <= 0 ? 100 : static_cast<int>(done_bytes * 100 / total_);
  if (percent == last_percent_) return;  // redraw only when the number changes
  last_percent_ = percent;
  std::fprintf(out_, "\r%s %s", label_.c_str(), render(done_bytes, total_, 30).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  std::fprintf(out_, "\r\033[K");  // carriage return, erase to end of line
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace ramiel::client
