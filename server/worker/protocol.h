// What ramiel-server and ramiel-compile-worker agree on besides the CompileJob / CompileOutcome
// messages (proto/ramiel/worker/v1): the command line and the exit codes.
#pragma once

namespace ramiel::server::worker {

// Exit codes of ramiel-compile-worker. A worker killed by a signal has none.
constexpr int kExitOutcomeWritten = 0;  // stdout holds a CompileOutcome (success or error)
constexpr int kExitOutOfMemory = 3;     // an allocation failed under the address-space limit
constexpr int kExitBadJob = 4;          // stdin was not a CompileJob (a server bug)
constexpr int kExitSandboxFailed = 5;   // limits or seccomp could not be applied

// Flags, each followed by its value.
constexpr const char* kMemoryBytesFlag = "--memory-bytes";
constexpr const char* kCpuSecondsFlag = "--cpu-seconds";
constexpr const char* kMaxInputBytesFlag = "--max-input-bytes";
// Tests only: "crash", "oom" or "spin", injected after the sandbox is in place.
constexpr const char* kDebugFaultFlag = "--debug-fault";

}  // namespace ramiel::server::worker
