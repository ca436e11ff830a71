// `ramiel-client compile --server`: asks Lookup first, uploads only on a miss, and retries
// RESOURCE_EXHAUSTED / UNAVAILABLE with backoff within the request's deadline.
#pragma once

#include "client/compile_request.h"
#include "client/local_compile.h"
#include "client/retry_policy.h"

namespace ramiel::client {

// The same files a local compile of `request` writes, computed by the server at request.server.
StatusOr<CompileOutcome> compile_remotely(const CompileRequest& request,
                                          const RetryPolicy& policy = {});

}  // namespace ramiel::client
