// A server interceptor that counts every gRPC call (ours, health, reflection) by method and code.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include "server/metrics.h"

namespace ramiel::server {

class RpcMetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcMetricsInterceptorFactory(Metrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  Metrics& metrics_;
};

}  // namespace ramiel::server
