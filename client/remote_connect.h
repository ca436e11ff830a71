// Connecting to ramiel-server within --connect-timeout, and saying plainly why it did not work:
// a closed port fails in seconds with its own exit code, not after the deadline's retries.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "client/exit_codes.h"
#include "client/remote_channel.h"
#include "core/support/status.h"

namespace ramiel::client {

struct ConnectFailure {
  Status status;  // the message the user reads
  RemoteFailure failure;
};

// Waits until `channel` to `server` is connected or `timeout` passes; nothing when connected.
std::optional<ConnectFailure> connect_within(const RemoteChannel& channel, const std::string& server,
                                             std::chrono::duration<double> timeout);

// The failure for gRPC's error `grpc_message` of a connection to `server` that did not open within
// `timeout`: no TCP connection (refused, no answer, an unknown host) is kExitUnreachable; a
// connection that opened but failed its handshake (TLS) is kExitUnavailable.
ConnectFailure describe_connect_failure(const std::string& server, double timeout_seconds,
                                        const std::string& grpc_message, bool timed_out);

}  // namespace ramiel::client
