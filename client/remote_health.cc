#include "client/remote_health.h"

#include <chrono>
#include <iostream>

#include <grpcpp/client_context.h>

#include "client/exit_codes.h"
#include "client/remote_channel.h"
#include "client/remote_status.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "proto/grpc_code_name.h"

namespace ramiel::client {

int check_health(const HealthRequest& request) {
  auto channel = open_channel(request.server, request.security);
  if (!channel.ok()) {
    std::cerr << "ramiel-client: error: " << channel.status().message() << " ["
              << status_code_name(channel.status().code()) << "]\n";
    return kExitUsage;
  }
  auto stub = grpc::health::v1::Health::NewStub(channel->channel());
  grpc::ClientContext context;
  channel->authorize(context);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::system_clock::duration>(
                           std::chrono::duration<double>(request.deadline_seconds)));
  grpc::health::v1::HealthCheckRequest check;
  check.set_service(request.service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, check, &response);
  if (!status.ok()) {
    std::cerr << "ramiel-client: error: ramiel-server at " << request.server << ": "
              << status.error_message() << " [" << api::grpc_code_name(status.error_code())
              << "]\n";
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) return kExitFailure;
    return is_credentials_refusal(status.error_code()) ? kExitAccessDenied : kExitUnavailable;
  }
  const auto serving = response.status();
  if (!request.quiet) {
    std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(serving) << "\n";
  }
  return serving == grpc::health::v1::HealthCheckResponse::SERVING ? kExitOk : kExitUnavailable;
}

}  // namespace ramiel::client
