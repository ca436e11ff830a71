#include "server/rpc_metrics_interceptor.h"

#include <mutex>
#include <string>

#include "core/support/stopwatch.h"
#include "proto/grpc_code_name.h"

namespace ramiel::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Records a call just before its status is sent, so that a client that has its answer also sees
// it counted; a call that ends without a status (the client went away) is recorded when gRPC
// destroys the interceptor, as CANCELLED. gRPC may create, call and destroy an interceptor on
// different threads; the mutex makes that ordering visible to ThreadSanitizer.
class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcMetricsInterceptor(Metrics& metrics, const char* method)
      : metrics_(metrics), method_(method != nullptr ? method : "unknown") {
    std::lock_guard lock(mutex_);
  }

  ~RpcMetricsInterceptor() override { record(grpc::StatusCode::CANCELLED); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      record(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void record(grpc::StatusCode code) {
    std::lock_guard lock(mutex_);
    if (recorded_) return;
    recorded_ = true;
    metrics_.observe_rpc(method_, api::grpc_code_name(code), watch_.elapsed_ms() / 1000);
  }

  Metrics& metrics_;
  const std::string method_;
  std::mutex mutex_;
  Stopwatch watch_;
  bool recorded_ = false;
};

}  // namespace

grpc::experimental::Interceptor* RpcMetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RpcMetricsInterceptor(metrics_, info->method());
}

}  // namespace ramiel::server
