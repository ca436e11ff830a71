#include "server/server.h"

#include <unistd.h>

#include <chrono>
#include <optional>
#include <vector>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <prometheus/exposer.h>

#include "server/auth_processor.h"
#include "server/auth_tokens.h"
#include "server/compile_service.h"
#include "server/disk_cache.h"
#include "server/isolated_compiler.h"
#include "server/memory_trimmer.h"
#include "server/metrics.h"
#include "server/process_metrics.h"
#include "server/request_log.h"
#include "server/result_cache.h"
#include "server/rpc_metrics_interceptor.h"
#include "server/transport_security.h"
#include "server/upload_budget.h"
#include "server/worker/sandbox.h"

namespace ramiel::server {

// Declared in dependency order: members are destroyed bottom-up, so gRPC stops before the broker
// and the broker before the caches and metrics it uses.
struct RamielServer::Parts {
  ServerSettings settings;
  std::unique_ptr<RequestLog> log;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<TokenSet> tokens;                 // null without auth_token_file
  std::shared_ptr<ProcessMetrics> process_metrics;  // the exposer holds only a weak pointer
  std::unique_ptr<prometheus::Exposer> exposer;
  std::unique_ptr<ResultCache> cache;
  std::unique_ptr<UploadBudget> uploads;
  std::unique_ptr<UploadWatchdog> watchdog;
  std::unique_ptr<MemoryTrimmer> trimmer;
  std::unique_ptr<PeerQuota> peers;
  std::unique_ptr<CompileBroker> broker;
  std::unique_ptr<CompileServiceImpl> service;
  std::unique_ptr<grpc::Server> grpc_server;
  int grpc_port = 0;
  int metrics_port = 0;
  std::optional<bool> shutdown_result;
};

namespace {

// A chunk (1 MiB from our client) plus options, whose device profile JSON may be large.
constexpr int kMaxRequestMessageBytes = 16 << 20;
// How often freed memory goes back to the kernel (server/memory_trimmer.h).
constexpr std::chrono::seconds kMemoryTrimPeriod{5};

}  // namespace

RamielServer::RamielServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

RamielServer::~RamielServer() {
  shutdown();
}

StatusOr<std::unique_ptr<RamielServer>> RamielServer::start(const ServerSettings& settings,
                                                            CompileBroker::CompileFn compile,
                                                            std::string compiler_version,
                                                            std::ostream& log) {
  RAMIEL_RETURN_IF_ERROR(settings.validate());
  RAMIEL_RETURN_IF_ERROR(check_transport_security(settings));
  auto parts = std::make_unique<Parts>();
  parts->settings = settings;
  parts->log = std::make_unique<RequestLog>(log, settings.log_requests);
  parts->metrics = std::make_unique<Metrics>(compiler_version);
  std::shared_ptr<BearerTokenProcessor> token_check;
  size_t token_count = 0;
  if (!settings.auth_token_file.empty()) {
    parts->tokens = std::make_unique<TokenSet>();
    RAMIEL_ASSIGN_OR_RETURN(token_count, parts->tokens->load(settings.auth_token_file));
    token_check = std::make_shared<BearerTokenProcessor>(*parts->tokens, *parts->metrics);
  }
  RAMIEL_ASSIGN_OR_RETURN(auto credentials, make_server_credentials(settings, token_check));

  if (!settings.metrics_listen.empty()) {
    try {
      parts->exposer = std::make_unique<prometheus::Exposer>(settings.metrics_listen);
    } catch (const std::exception& error) {
      return invalid_argument("cannot serve metrics on " + settings.metrics_listen + ": " +
                              error.what());
    }
    parts->exposer->RegisterCollectable(parts->metrics->registry());
    parts->process_metrics = std::make_shared<ProcessMetrics>();
    parts->exposer->RegisterCollectable(parts->process_metrics);
    const std::vector<int> ports = parts->exposer->GetListeningPorts();
    parts->metrics_port = ports.empty() ? 0 : ports.front();
  }

  RAMIEL_ASSIGN_OR_RETURN(auto disk, DiskCache::open(settings.cache_dir, settings.disk_cache_bytes,
                                                     parts->metrics.get(), parts->log.get()));
  std::unique_ptr<SharedCache> shared;
  if (!settings.redis.empty()) {
    RAMIEL_ASSIGN_OR_RETURN(auto shared_config, shared_cache_config(settings));
    shared = std::make_unique<SharedCache>(std::move(shared_config), parts->metrics.get(),
                                           parts->log.get());
  }
  parts->cache = std::make_unique<ResultCache>(settings.memory_cache_bytes, std::move(disk),
                                               parts->metrics.get(), std::move(shared));
  parts->uploads = std::make_unique<UploadBudget>(settings.max_upload_bytes_in_flight);
  parts->trimmer = std::make_unique<MemoryTrimmer>(kMemoryTrimPeriod);
  parts->watchdog = std::make_unique<UploadWatchdog>(
      std::chrono::milliseconds(static_cast<int64_t>(settings.upload_idle_timeout_seconds * 1000)));
  parts->peers =
      std::make_unique<PeerQuota>(settings.max_compiles_per_peer, settings.max_uploads_per_peer);
  nlohmann::json isolation;  // logged after the "listening" line, which must come first
  if (!settings.compile_in_process) {
    // A job is the model plus its options; a device profile or measured costs are JSON text,
    // bounded by the request message size.
    WorkerLimits limits{
        settings.compile_worker.empty() ? default_worker_path() : settings.compile_worker,
        settings.resolved_compile_memory_bytes(), settings.compile_cpu_seconds,
        settings.max_model_bytes + kMaxRequestMessageBytes, settings.debug_worker_fault};
    if (access(limits.worker_path.c_str(), X_OK) != 0) {
      return not_found("the compile worker '" + limits.worker_path +
                       "' is not an executable file (--compile-worker)");
    }
    isolation = {{"worker", limits.worker_path},
                 {"memory_bytes", limits.memory_bytes},
                 {"memory_limit_enforced", worker::kAddressSpaceLimitEnforceable},
                 {"cpu_seconds", limits.cpu_seconds}};
    compile = IsolatedCompiler(std::move(limits), static_cast<size_t>(settings.resolved_workers()),
                               *parts->metrics, *parts->log);
  } else {
    isolation = {{"worker", nullptr},
                 {"warning", "compiles run inside the server: a hostile model can crash it"}};
  }
  parts->broker = std::make_unique<CompileBroker>(parts->settings, *parts->cache, *parts->metrics,
                                                  std::move(compiler_version), std::move(compile));
  parts->service = std::make_unique<CompileServiceImpl>(
      ServiceContext{parts->settings, *parts->broker, *parts->metrics, *parts->log, *parts->uploads,
                     *parts->watchdog, *parts->peers});

  grpc::EnableDefaultHealthCheckService(true);
  if (settings.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(settings.listen, credentials, &parts->grpc_port);
  // gRPC sets SO_REUSEPORT by default, so a second server on a taken port would start and take a
  // share of the connections; without it the second bind fails.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(parts->service.get());
  builder.SetMaxReceiveMessageSize(kMaxRequestMessageBytes);
  builder.SetMaxSendMessageSize(-1);  // results can be as large as the models they came from
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, settings.max_streams_per_connection);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<RpcMetricsInterceptorFactory>(*parts->metrics));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  parts->grpc_server = builder.BuildAndStart();
  // The builder reports a failed bind only through a null server or a selected port of 0.
  if (parts->grpc_server == nullptr || parts->grpc_port == 0) {
    return invalid_argument("cannot listen for gRPC on " + settings.listen +
                            ": the address is taken or not local" +
                            (settings.tls_cert.empty() ? ""
                                                       : ", or the TLS certificate and key "
                                                         "do not load or do not match"));
  }
  grpc::HealthCheckServiceInterface* health = parts->grpc_server->GetHealthCheckService();
  for (const char* service : {"", kLivenessService, kReadinessService}) {
    health->SetServingStatus(service, true);
  }
  // After the bind, so that whoever started the server can read the real ports from this line.
  parts->log->event("listening", {{"grpc_port", parts->grpc_port},
                                  {"metrics_port", parts->metrics_port},
                                  {"workers", settings.resolved_workers()},
                                  {"cache_entries", parts->cache->disk().entries()},
                                  {"compiler_version", parts->broker->compiler_version()}});
  if (SharedCache* shared = parts->cache->shared()) shared->start();
  if (parts->tokens != nullptr) {
    parts->log->event("auth_tokens_loaded",
                      {{"tokens", token_count}, {"file", settings.auth_token_file}});
  }
  if (insecure_override_in_use(settings)) {
    parts->log->event("insecure", {{"level", "warning"},
                                   {"message", "--insecure: serving " + settings.listen +
                                                   " without TLS and authentication; anyone who "
                                                   "reaches it can compile and read results"}});
  }
  parts->log->event("compile_isolation", std::move(isolation));
  return std::unique_ptr<RamielServer>(new RamielServer(std::move(parts)));
}

Status RamielServer::reload_auth_tokens() {
  Parts& p = *parts_;
  if (p.tokens == nullptr) return ok_status();
  auto count = p.tokens->load(p.settings.auth_token_file);
  if (!count.ok()) {
    p.log->event("auth_tokens_reload_failed", {{"level", "error"},
                                               {"error", count.status().to_string()},
                                               {"kept_previous_tokens", true}});
    return count.status();
  }
  p.log->event("auth_tokens_loaded", {{"tokens", *count}, {"file", p.settings.auth_token_file}});
  return ok_status();
}

int RamielServer::grpc_port() const {
  return parts_->grpc_port;
}
int RamielServer::metrics_port() const {
  return parts_->metrics_port;
}

bool RamielServer::shutdown() {
  Parts& p = *parts_;
  if (p.shutdown_result) return *p.shutdown_result;
  // Not SetServingStatus(false), which would turn liveness off too. gRPC's Shutdown() below
  // turns every service NOT_SERVING once the drain is over.
  for (const char* service : {"", kReadinessService}) {
    p.grpc_server->GetHealthCheckService()->SetServingStatus(service, false);
  }
  p.log->event("draining", {{"timeout_seconds", p.settings.drain_timeout_seconds}});
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(p.settings.drain_timeout_seconds));
  const bool drained = p.broker->drain(deadline);
  // Every call the broker held has its answer now; calls still uploading get a moment to finish.
  p.grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  p.grpc_server->Wait();
  p.shutdown_result = drained;
  p.log->event("stopped", {{"drained", drained}});
  return drained;
}

}  // namespace ramiel::server
