// Turns a gRPC status from ramiel-server into the client's Status, naming the server and code.
#pragma once

#include <initializer_list>
#include <string>

#include <grpcpp/support/status.h>

#include "client/exit_codes.h"
#include "core/support/status.h"

namespace ramiel::client {

// INVALID_ARGUMENT, UNIMPLEMENTED, NOT_FOUND keep their meaning (a bad or unsupported model);
// UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, CANCELLED say the server could not answer
// in time; everything else is INTERNAL. The message reads "<server>: <message> (<gRPC code>)";
// for UNAVAILABLE it says what the client can do about it.
Status from_grpc_status(const grpc::Status& status, const std::string& server);

// The code name and exit code for a failed call: 6 for refused credentials, otherwise
// exit_code_for(from_grpc_status(status)).
RemoteFailure remote_failure(const grpc::Status& status);

// What to do about an UNAVAILABLE answer with this message: a draining server, a broken
// connection, a TLS mismatch. Empty when the message says nothing the client can add to.
std::string unavailable_hint(const std::string& grpc_message);

// True when `text` holds one of the lower-case `phrases`, ignoring case (gRPC's messages vary).
bool mentions_any(std::string text, std::initializer_list<const char*> phrases);

// UNAUTHENTICATED or PERMISSION_DENIED: the server refused the client's credentials (exit 6).
bool is_credentials_refusal(grpc::StatusCode code);

}  // namespace ramiel::client
