#include "server/rpc_metrics_interceptor.h"

#include <string>

#include "core/support/stopwatch.h"
#include "proto/grpc_code_name.h"

namespace ramiel::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Lives as long as its call; records the call when gRPC destroys it, so calls that end without
// sending a status (the client went away) still count, as CANCELLED.
class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcMetricsInterceptor(Metrics& metrics, const char* method)
      : metrics_(metrics), method_(method != nullptr ? method : "unknown") {}

  ~RpcMetricsInterceptor() override {
    metrics_.observe_rpc(method_, api::grpc_code_name(code_), watch_.elapsed_ms() / 1000);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      code_ = methods->GetSendStatus().error_code();
    }
    methods->Proceed();
  }

 private:
  Metrics& metrics_;
  const std::string method_;
  Stopwatch watch_;
  grpc::StatusCode code_ = grpc::StatusCode::CANCELLED;
};

}  // namespace

grpc::experimental::Interceptor* RpcMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RpcMetricsInterceptor(metrics_, info->method());
}

}  // namespace ramiel::server
