// The gRPC channel ramiel-client opens to a ramiel-server.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>

namespace ramiel::client {

// An insecure channel to HOST:PORT that accepts responses of any size (results can be as large
// as the models they come from).
std::shared_ptr<grpc::Channel> open_channel(const std::string& server);

}  // namespace ramiel::client
