// Turns a gRPC status from ramiel-server into the client's Status, naming the server and code.
#pragma once

#include <string>

#include <grpcpp/support/status.h>

#include "core/support/status.h"

namespace ramiel::client {

// INVALID_ARGUMENT, UNIMPLEMENTED, NOT_FOUND keep their meaning (a bad or unsupported model);
// UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, CANCELLED say the server could not answer
// in time; everything else is INTERNAL. The message reads "<server>: <message> (<gRPC code>)".
Status from_grpc_status(const grpc::Status& status, const std::string& server);

// UNAUTHENTICATED or PERMISSION_DENIED: the server refused the client's credentials (exit 6).
bool is_credentials_refusal(grpc::StatusCode code);

}  // namespace ramiel::client
