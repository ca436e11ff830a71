// CompileServiceImpl: the ramiel.v1.CompileService handlers on gRPC's callback API. Handlers
// validate, ask the broker (cache, coalescing, queue) and finish the call from whichever thread
// produces the answer.
#pragma once

#include <grpcpp/grpcpp.h>

#include "ramiel/v1/compile_service.grpc.pb.h"
#include "server/compile_broker.h"
#include "server/metrics.h"
#include "server/peer_quota.h"
#include "server/request_log.h"
#include "server/settings.h"
#include "server/upload_budget.h"
#include "server/upload_watchdog.h"

namespace ramiel::server {

// What every call needs; outlives every call (the server is shut down before it goes).
struct ServiceContext {
  const ServerSettings& settings;
  CompileBroker& broker;
  Metrics& metrics;
  RequestLog& log;
  UploadBudget& uploads;
  UploadWatchdog& watchdog;
  PeerQuota& peers;
};

class CompileServiceImpl final : public v1::CompileService::CallbackService {
 public:
  explicit CompileServiceImpl(ServiceContext context) : context_(context) {}

  grpc::ServerReadReactor<v1::CompileRequest>* Compile(grpc::CallbackServerContext* call,
                                                       v1::CompileResponse* response) override;
  grpc::ServerUnaryReactor* Lookup(grpc::CallbackServerContext* call,
                                   const v1::LookupRequest* request,
                                   v1::CompileResponse* response) override;

 private:
  ServiceContext context_;
};

}  // namespace ramiel::server
