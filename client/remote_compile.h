// `ramiel-client compile --server`: asks Lookup first, uploads only on a miss, and retries
// RESOURCE_EXHAUSTED / UNAVAILABLE with backoff within the request's deadline.
#pragma once

#include "client/compile_request.h"
#include "client/local_compile.h"
#include "client/remote_channel.h"
#include "client/retry_policy.h"

namespace ramiel::client {

// The same files a local compile of `request` writes, computed by the server at request.server.
// When the server refuses the credentials (UNAUTHENTICATED, PERMISSION_DENIED), `refusal` (if
// given) receives the gRPC code's name, which the core's status codes cannot express.
StatusOr<CompileOutcome> compile_remotely(const CompileRequest& request,
                                          const ChannelSecurity& security = {},
                                          const RetryPolicy& policy = {},
                                          std::string* refusal = nullptr);

}  // namespace ramiel::client
