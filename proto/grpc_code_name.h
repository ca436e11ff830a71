// grpc_code_name(): status codes spelled as gRPC spells them, for logs, metrics and CLI messages.
#pragma once

#include <grpcpp/support/status.h>

namespace ramiel::api {

// "OK", "INVALID_ARGUMENT", ...
const char* grpc_code_name(grpc::StatusCode code);

}  // namespace ramiel::api
