// The sandbox is applied in a forked child, as the worker applies it to itself, and probed there.
#include "server/worker/sandbox.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ramiel::server::worker {
namespace {

// Runs `probe` in a child after `confine`; returns the child's exit code (the probe's verdict).
template <class Confine, class Probe>
int in_child(Confine confine, Probe probe) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (!confine().ok()) _exit(100);
    _exit(probe());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

TEST(WorkerSandbox, NoFilesNoProgramsNoNetwork) {
  const int verdict = in_child(deny_files_and_network, [] {
    if (open("/etc/hostname", O_RDONLY) != -1 || errno != EACCES) return 1;
    if (openat(AT_FDCWD, "/tmp/ramiel-sandbox-probe", O_CREAT | O_WRONLY, 0600) != -1) return 2;
    if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EACCES) return 3;
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    if (execv("/bin/true", argv) != -1 || errno != EACCES) return 4;
    if (fork() != -1) return 5;
    // What a compile needs still works: memory, and the descriptors it was handed.
    std::vector<char> memory(64 << 20, 'x');
    if (write(STDERR_FILENO, "", 0) != 0) return 6;
    return memory.back() == 'x' ? 0 : 7;
  });
  EXPECT_EQ(verdict, 0);
}

TEST(WorkerSandbox, AddressSpaceLimitFailsLargeAllocations) {
  if (!kAddressSpaceLimitEnforceable) GTEST_SKIP() << "sanitized build";
  const int verdict = in_child(
      [] {
        return apply_limits({int64_t{256} << 20, 10});
      },
      [] {
        try {
          std::vector<char> hog(size_t{512} << 20, 'x');
          return hog.back() == 'x' ? 1 : 2;
        } catch (const std::bad_alloc&) {
          return 0;
        }
      });
  EXPECT_EQ(verdict, 0);
}

TEST(WorkerSandbox, CpuLimitStopsASpinningChild) {
  const int verdict = in_child(
      [] {
        return apply_limits({0, 1});
      },
      [] {
        for (;;) asm volatile("");  // an empty loop the compiler must keep
        return 0;
      });
  EXPECT_EQ(verdict, 200 + SIGXCPU);
}

}  // namespace
}  // namespace ramiel::server::worker
