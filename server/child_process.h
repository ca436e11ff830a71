// ChildProcess: runs a program with its stdin and stdout as pipes, feeds it one input, collects
// its whole output, and kills it the moment the caller loses interest.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/support/status.h"

namespace ramiel::server {

// How a child ended.
struct ChildExit {
  bool exited = false;  // true: exit_code is valid; false: killed by term_signal
  int exit_code = 0;
  int term_signal = 0;
  bool killed_by_us = false;  // we sent SIGKILL because the caller stopped wanting the result
  double cpu_seconds = 0;     // user + system time of the child
  int64_t peak_rss_bytes = 0;
  std::string output;  // everything the child wrote to stdout
};

class ChildProcess {
 public:
  // Returns true when the result is no longer wanted; polled about every 50 ms while the child
  // runs. A true answer kills the child (SIGKILL) and ends the run.
  using StopFn = std::function<bool()>;

  // Starts `argv` (argv[0] is the executable's path) with a pipe on stdin and stdout, stderr
  // shared with this process, every other descriptor closed, working directory "/", and a
  // process group of its own. posix_spawn: safe in a multi-threaded server and cheap however large
  // the server's memory is.
  static StatusOr<ChildProcess> spawn(const std::vector<std::string>& argv);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  // Kills and reaps a child that was never waited for.
  ~ChildProcess();

  // Writes the pieces of `input` in order, closes stdin, reads stdout until EOF (at most
  // `max_output_bytes`; more kills the child), and reaps the child. A broken pipe on stdin (the
  // child died early) is not an error: the exit status says what happened.
  StatusOr<ChildExit> run(const std::vector<std::string_view>& input, size_t max_output_bytes,
                          const StopFn& stop);

  pid_t pid() const { return pid_; }
  // True when the child has ended before run() (it is reaped then).
  bool exited();

 private:
  ChildProcess(pid_t pid, int stdin_fd, int stdout_fd)
      : pid_(pid), in_(stdin_fd), out_(stdout_fd) {}
  void kill_and_reap();
  void close_fds();

  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
};

// "SIGSEGV" and friends, for messages.
std::string signal_name(int signal_number);

}  // namespace ramiel::server
