#include "client/remote_connect.h"

#include <cmath>
#include <cstdio>

#include <grpcpp/client_context.h>

#include "client/remote_status.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace ramiel::client {
namespace {

using Clock = std::chrono::system_clock;

// Why a TCP connection did not open, from gRPC's message; empty when it did open.
std::string tcp_failure(const std::string& message, bool timed_out) {
  if (mentions_any(message, {"connection refused"})) return "connection refused";
  if (mentions_any(message, {"dns resolution failed", "domain name not found",
                         "name or service not known", "could not resolve"})) {
    return "the host name does not resolve";
  }
  if (mentions_any(message, {"no route to host", "network is unreachable"})) return "no route to the host";
  if (timed_out || mentions_any(message, {"timed out", "deadline exceeded"})) return "no answer";
  return "";
}

}  // namespace

ConnectFailure describe_connect_failure(const std::string& server, double timeout_seconds,
                                        const std::string& grpc_message, bool timed_out) {
  char within[32];
  std::snprintf(within, sizeof within, "%g s", std::round(timeout_seconds * 10) / 10);
  const std::string tcp = tcp_failure(grpc_message, timed_out);
  if (!tcp.empty()) {
    std::string hint = "is it running, and listening on that address?";
    if (tcp == "no answer") hint += " A firewall may drop the connection; --connect-timeout waits longer";
    if (tcp == "the host name does not resolve") hint = "check the host name";
    return {{StatusCode::kResourceExhausted, "cannot reach the Ramiel server at " + server +
                                                 " within " + within + " (" + tcp + "): " + hint},
            {"UNAVAILABLE", kExitUnreachable}};
  }
  std::string hint = unavailable_hint(grpc_message);
  if (hint.empty()) hint = "is it a Ramiel server, and does it use TLS where this client does?";
  return {{StatusCode::kResourceExhausted, "connected to " + server +
                                               " but could not open a gRPC session within " +
                                               within + " (" + grpc_message + "): " + hint},
          {"UNAVAILABLE", kExitUnavailable}};
}

std::optional<ConnectFailure> connect_within(const RemoteChannel& channel, const std::string& server,
                                             std::chrono::duration<double> timeout) {
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
  if (channel.channel()->WaitForConnected(until)) return std::nullopt;
  // gRPC keeps why its last attempt failed for the calls that fail fast meanwhile: ask it with a
  // health check, which also covers a connection that opened in the last instant.
  grpc::ClientContext context;
  context.set_deadline(Clock::now() + std::chrono::seconds(1));
  channel.authorize(context);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status =
      grpc::health::v1::Health::NewStub(channel.channel())->Check(&context, request, &response);
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
      status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
    return std::nullopt;  // it answered: connected after all
  }
  return describe_connect_failure(server, timeout.count(), status.error_message(),
                                  status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
}

}  // namespace ramiel::client
