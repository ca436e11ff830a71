// `ramiel-client compile --server`: asks Lookup first, uploads only on a miss, and retries
// RESOURCE_EXHAUSTED / UNAVAILABLE with backoff within the request's deadline.
#pragma once

#include "client/compile_request.h"
#include "client/exit_codes.h"
#include "client/local_compile.h"
#include "client/remote_channel.h"
#include "client/retry_policy.h"

namespace ramiel::client {

// The same files a local compile of `request` writes, computed by the server at request.server.
// Fails within request.connect_timeout_seconds when no connection opens. When the failure comes
// from the connection or the server, `failure` (if given) receives the gRPC code's name and the
// exit code, which the core's status codes cannot express (UNAVAILABLE, refused credentials).
// Unless request.quiet, says on stderr what it waits for: retries, the queue, the compile.
StatusOr<CompileOutcome> compile_remotely(const CompileRequest& request,
                                          const ChannelSecurity& security = {},
                                          const RetryPolicy& policy = {},
                                          RemoteFailure* failure = nullptr);

}  // namespace ramiel::client
