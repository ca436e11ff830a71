// ramiel-client's exit codes, documented in --help and the README.
#pragma once

#include <string>

#include "core/support/status.h"

namespace ramiel::client {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      // anything not covered below
  kExitUsage = 2,        // bad command line: unknown flag, missing argument, bad option value
  kExitBadModel = 3,     // the model file is missing, unreadable, malformed or unsupported
  kExitUnavailable = 4,  // the server cannot be reached, is draining, or the deadline passed
  kExitInternal = 5,     // a bug in Ramiel (please report it)
  kExitAccessDenied = 6,  // the server refused the credentials: UNAUTHENTICATED, PERMISSION_DENIED
  kExitUnreachable = 7,   // no connection to the server within --connect-timeout (refused, no
                          // answer, a name that does not resolve)
};

inline constexpr const char* kExitCodeHelp =
    "Exit codes: 0 success, 1 other failure, 2 usage error, 3 bad or unsupported model "
    "(missing file, malformed ONNX, unsupported op), 4 server unavailable or deadline exceeded "
    "(also a failed TLS handshake), 5 internal error, 6 the server refused the credentials "
    "(UNAUTHENTICATED or PERMISSION_DENIED: a missing or wrong bearer token), 7 the server cannot "
    "be reached within --connect-timeout (connection refused, no answer, unknown host). "
    "RAMIEL_TOKEN: the bearer token when --token-file is not given.";

// How a remote compile failed, as the command line reports it: the gRPC code's name (the core's
// codes have no UNAVAILABLE) and the exit code.
struct RemoteFailure {
  std::string code_name;
  int exit_code = kExitFailure;
};

// The exit code for a failed compile's status.
inline int exit_code_for(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kUnimplemented:
    case StatusCode::kNotFound: return kExitBadModel;
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
    case StatusCode::kCancelled: return kExitUnavailable;
    case StatusCode::kInternal: return kExitInternal;
  }
  return kExitFailure;
}

}  // namespace ramiel::client
