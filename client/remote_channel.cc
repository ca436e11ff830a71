#include "client/remote_channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

namespace ramiel::client {

std::shared_ptr<grpc::Channel> open_channel(const std::string& server) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  // gRPC's own retries are off: RetryPolicy decides, and it must see every failure.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  return grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args);
}

}  // namespace ramiel::client
