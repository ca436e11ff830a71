#include "server/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace ramiel::server {
namespace {

constexpr int kPollMs = 50;

Status errno_error(const std::string& what) {
  return internal_error(what + ": " + std::strerror(errno));
}

// A socket pair rather than a pipe: send() with MSG_NOSIGNAL turns a dead child into EPIPE
// instead of a SIGPIPE that would kill the server.
Status stream_pair(int fds[2]) {
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return errno_error("socketpair");
  }
  return ok_status();
}

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

// Closes a descriptor once, leaving -1 behind.
void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::string signal_name(int signal_number) {
  const char* abbrev = sigabbrev_np(signal_number);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal_number);
}

StatusOr<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv) {
  int to_child[2];
  int from_child[2];
  RAMIEL_RETURN_IF_ERROR(stream_pair(to_child));
  if (Status status = stream_pair(from_child); !status.ok()) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    return status;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears close-on-exec on the copies; every other descriptor the server holds is closed.
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  posix_spawn_file_actions_addchdir_np(&actions, "/");
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // The server blocks its stop signals for sigwait(); the child starts with none blocked and
  // default handlers, in a process group of its own so that a kill reaches anything it starts.
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigfillset(&defaults);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (error != 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    return internal_error("cannot start " + argv[0] + ": " + std::strerror(error));
  }
  fcntl(to_child[1], F_SETFL, O_NONBLOCK);
  fcntl(from_child[0], F_SETFL, O_NONBLOCK);
  return ChildProcess(pid, to_child[1], from_child[0]);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), in_(other.in_), out_(other.out_) {
  other.pid_ = -1;
  other.in_ = -1;
  other.out_ = -1;
}

ChildProcess::~ChildProcess() {
  close_fds();
  if (pid_ > 0) kill_and_reap();
}

void ChildProcess::close_fds() {
  close_fd(in_);
  close_fd(out_);
}

bool ChildProcess::exited() {
  if (pid_ <= 0) return true;
  if (::waitpid(pid_, nullptr, WNOHANG) != pid_) return false;
  pid_ = -1;
  return true;
}

void ChildProcess::kill_and_reap() {
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

StatusOr<ChildExit> ChildProcess::run(const std::vector<std::string_view>& input,
                                      size_t max_output_bytes, const StopFn& stop) {
  ChildExit result;
  size_t piece = 0;    // input[piece] is being written
  size_t written = 0;  // bytes of it written so far
  const auto skip_written = [&] {
    while (piece < input.size() && written == input[piece].size()) {
      ++piece;
      written = 0;
    }
    if (piece == input.size()) close_fd(in_);
  };
  skip_written();
  char buffer[64 * 1024];
  // Feed and drain at once: a child may answer before it has read everything (an early error).
  while (out_ >= 0) {
    if (stop()) {
      close_fds();
      kill_and_reap();
      result.killed_by_us = true;
      return result;
    }
    pollfd fds[2] = {{out_, POLLIN, 0}, {in_, POLLOUT, 0}};
    const int ready = ::poll(fds, in_ >= 0 ? 2 : 1, kPollMs);
    if (ready < 0 && errno != EINTR) return errno_error("poll");
    if (in_ >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const std::string_view rest = input[piece].substr(written);
      const ssize_t n = ::send(in_, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n > 0) written += static_cast<size_t>(n);
      // EPIPE: the child exited without reading everything; its exit status tells why.
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        close_fd(in_);
      } else {
        skip_written();
      }
    }
    if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
      const ssize_t n = ::read(out_, buffer, sizeof buffer);
      if (n > 0) {
        result.output.append(buffer, static_cast<size_t>(n));
        if (result.output.size() > max_output_bytes) {
          close_fds();
          kill_and_reap();
          return internal_error("the child wrote more than " + std::to_string(max_output_bytes) +
                                " bytes");
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close_fd(out_);  // EOF: the child is done or dead
      }
    }
  }
  close_fds();
  // The child closed its stdout; it may still be running (or stuck) on its way out.
  int status = 0;
  rusage usage{};
  for (;;) {
    const pid_t done = ::wait4(pid_, &status, WNOHANG, &usage);
    if (done == pid_) break;
    if (done < 0 && errno != EINTR) return errno_error("wait4");
    if (stop()) {
      kill_and_reap();
      result.killed_by_us = true;
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  result.exited = WIFEXITED(status);
  result.exit_code = result.exited ? WEXITSTATUS(status) : 0;
  result.term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  result.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  result.peak_rss_bytes = static_cast<int64_t>(usage.ru_maxrss) * 1024;
  return result;
}

}  // namespace ramiel::server
