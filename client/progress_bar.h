// ProgressBar: a one-line upload progress display, drawn only when stderr is a terminal.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace ramiel::client {

class ProgressBar {
 public:
  // Draws on `out` only when `enabled` (callers pass: not --quiet and `out` is a terminal).
  ProgressBar(std::string label, int64_t total_bytes, std::FILE* out, bool enabled);
  ~ProgressBar();

  void update(int64_t done_bytes);
  // Clears the line so later messages start clean.
  void finish();

  // "[#####     ]  50%  1.5/3.0 MiB": the text drawn, for tests.
  static std::string render(int64_t done_bytes, int64_t total_bytes, int width);

  // True when `out` is an interactive terminal.
  static bool is_terminal(std::FILE* out);

 private:
  std::string label_;
  int64_t total_;
  std::FILE* out_;
  bool enabled_;
  int last_percent_ = -1;
  bool drawn_ = false;
};

}  // namespace ramiel::client
