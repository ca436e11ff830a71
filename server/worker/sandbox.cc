#include "server/worker/sandbox.h"

#include <sched.h>
#include <seccomp.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ramiel::server::worker {
namespace {

Status set_limit(int resource, const char* name, rlim_t soft, rlim_t hard) {
  const rlimit limit{soft, hard};
  if (setrlimit(resource, &limit) != 0) {
    return internal_error(std::string("setrlimit(") + name + "): " + std::strerror(errno));
  }
  return ok_status();
}

// Everything a compile never needs. A process that can read only what it was handed and write
// only to the descriptors it inherited cannot leak or damage the cache, the host or the network.
constexpr const char* kDeniedSyscalls[] = {
    // files
    "open",
    "openat",
    "openat2",
    "creat",
    "open_by_handle_at",
    "name_to_handle_at",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "unlink",
    "unlinkat",
    "rmdir",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "chmod",
    "fchmodat",
    "chown",
    "lchown",
    "fchownat",
    "truncate",
    "utime",
    "utimes",
    "utimensat",
    "futimesat",
    "setxattr",
    "lsetxattr",
    "removexattr",
    "lremovexattr",
    "mount",
    "umount2",
    "chroot",
    "pivot_root",
    "inotify_init",
    "inotify_init1",
    "fanotify_init",
    "memfd_create",
    "io_uring_setup",
    // programs and processes
    "execve",
    "execveat",
    "fork",
    "vfork",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kill",
    "pidfd_open",
    "pidfd_send_signal",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setgroups",
    "personality",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "unshare",
    "setns",
    // network
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "sendto",
    "sendmsg",
    "sendmmsg",
    "recvfrom",
    "recvmsg",
    "recvmmsg",
};

}  // namespace

Status apply_limits(const SandboxLimits& limits) {
  if (limits.memory_bytes > 0 && kAddressSpaceLimitEnforceable) {
    const auto bytes = static_cast<rlim_t>(limits.memory_bytes);
    RAMIEL_RETURN_IF_ERROR(set_limit(RLIMIT_AS, "RLIMIT_AS", bytes, bytes));
  }
  if (limits.cpu_seconds > 0) {
    const auto cpu = static_cast<rlim_t>(limits.cpu_seconds);
    RAMIEL_RETURN_IF_ERROR(set_limit(RLIMIT_CPU, "RLIMIT_CPU", cpu, cpu + 1));
  }
  RAMIEL_RETURN_IF_ERROR(set_limit(RLIMIT_CORE, "RLIMIT_CORE", 0, 0));
  RAMIEL_RETURN_IF_ERROR(set_limit(RLIMIT_FSIZE, "RLIMIT_FSIZE", 0, 0));
  return set_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", 16, 16);
}

Status deny_files_and_network() {
  scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ALLOW);
  if (filter == nullptr) return internal_error("seccomp_init failed");
  int error = 0;
  for (const char* name : kDeniedSyscalls) {
    const int number = seccomp_syscall_resolve_name(name);
    if (number == __NR_SCMP_ERROR) continue;  // not a system call on this architecture
    error = seccomp_rule_add(filter, SCMP_ACT_ERRNO(EACCES), number, 0);
    if (error != 0) break;
  }
  // glibc's fork() is clone() without CLONE_THREAD; threads (CLONE_THREAD) stay allowed. clone3
  // passes its flags in memory a filter cannot read: ENOSYS makes glibc fall back to clone.
  if (error == 0) {
    error = seccomp_rule_add(filter, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(clone), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
  }
  if (error == 0) error = seccomp_rule_add(filter, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (error == 0) error = seccomp_load(filter);
  seccomp_release(filter);
  if (error != 0) return internal_error(std::string("seccomp: ") + std::strerror(-error));
  return ok_status();
}

}  // namespace ramiel::server::worker
