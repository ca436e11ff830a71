// ramiel-server: the compilation daemon. Flags override the JSON config file, which overrides
// the defaults; SIGTERM or SIGINT drains and exits 0; SIGHUP rereads the token file.
#include <malloc.h>

#include <csignal>
#include <functional>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/driver/compile.h"
#include "server/server.h"
#include "server/settings.h"

namespace {

using ramiel::server::ServerSettings;

constexpr int kExitOk = 0;
constexpr int kExitStartupFailed = 1;
constexpr int kExitUsage = 2;

const char* kFooter = R"(Exit status:
  0  stopped by SIGTERM or SIGINT after draining (or --help / --version)
  1  could not start: invalid settings, unreadable config, address taken or cache directory
     unusable, or a non-loopback --listen without TLS and authentication (see --insecure)
  2  bad command line

Security: on a non-loopback --listen the server needs --tls-cert/--tls-key and
--auth-token-file (or --tls-client-ca), or --insecure. SIGHUP rereads --auth-token-file.
Logs: one JSON object per line on stdout; the first is {"event":"listening",...} with the bound
ports (useful with port 0). Health: grpc.health.v1 reports SERVING until shutdown starts.
Config file: a JSON object whose keys are the long flag names with '_' for '-'
(e.g. {"workers": 4, "cache_dir": "/var/cache/ramiel"}).)";

// Registers `--name` for a settings field; the flag's value wins over the config file only when
// it was given on the command line.
class FlagBinder {
 public:
  FlagBinder(CLI::App& app, ServerSettings& from_flags) : app_(app), from_flags_(from_flags) {}

  template <typename T>
  CLI::Option* bind(const std::string& name, T ServerSettings::*field, const std::string& help) {
    CLI::Option* option = app_.add_option(name, from_flags_.*field, help)->capture_default_str();
    overlays_.push_back([this, option, field](ServerSettings& settings) {
      if (option->count() > 0) settings.*field = from_flags_.*field;
    });
    return option;
  }
  CLI::Option* bind_flag(const std::string& name, bool ServerSettings::*field,
                         const std::string& help) {
    CLI::Option* option = app_.add_flag(name, from_flags_.*field, help);
    overlays_.push_back([this, option, field](ServerSettings& settings) {
      if (option->count() > 0) settings.*field = from_flags_.*field;
    });
    return option;
  }
  void overlay(ServerSettings& settings) const {
    for (const auto& apply : overlays_) apply(settings);
  }

 private:
  CLI::App& app_;
  ServerSettings& from_flags_;
  std::vector<std::function<void(ServerSettings&)>> overlays_;
};

}  // namespace

int main(int argc, char** argv) {
  // Uploads and results are buffers of up to hundreds of MiB that live for one request. glibc's
  // dynamic mmap threshold would move them into the heap after the first few, where freed space
  // stays resident; a fixed threshold keeps every large buffer in its own mapping, returned to the
  // kernel when the request ends, so the daemon's RSS follows its load instead of its history.
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
  CLI::App app(
      "ramiel-server: compiles ONNX models into parallel PyTorch programs over gRPC, "
      "with a content-addressed cache and Prometheus metrics.");
  app.footer(kFooter);
  app.set_version_flag("--version", ramiel::driver::compiler_build());
  ServerSettings from_flags;
  FlagBinder flags(app, from_flags);
  std::string config_path;
  app.add_option("--config", config_path, "JSON config file (flags override it)")
      ->check(CLI::ExistingFile);
  flags.bind("--listen", &ServerSettings::listen, "gRPC address HOST:PORT (port 0: any free)");
  flags.bind("--metrics-listen", &ServerSettings::metrics_listen,
             "Prometheus /metrics address HOST:PORT; empty disables it");
  flags.bind("--cache-dir", &ServerSettings::cache_dir, "directory of the on-disk result cache");
  flags.bind("--workers", &ServerSettings::workers,
             "compile threads (0: one per CPU this process may use: affinity, cgroup quota)");
  flags.bind("--queue-length", &ServerSettings::queue_length,
             "compiles that may wait for a worker; beyond that, RESOURCE_EXHAUSTED");
  flags.bind("--io-threads", &ServerSettings::io_threads, "threads reading the on-disk cache");
  flags.bind("--max-model-bytes", &ServerSettings::max_model_bytes,
             "largest model accepted (INVALID_ARGUMENT beyond)");
  flags.bind("--max-upload-bytes-in-flight", &ServerSettings::max_upload_bytes_in_flight,
             "model bytes all uploads together may hold (RESOURCE_EXHAUSTED beyond)");
  flags.bind("--upload-idle-timeout", &ServerSettings::upload_idle_timeout_seconds,
             "seconds an upload may send nothing before the server ends it");
  flags.bind("--max-compiles-per-peer", &ServerSettings::max_compiles_per_peer,
             "Compile calls one client address may have open (RESOURCE_EXHAUSTED beyond)");
  flags.bind("--max-uploads-per-peer", &ServerSettings::max_uploads_per_peer,
             "uploads one client address may have in progress (RESOURCE_EXHAUSTED beyond)");
  flags.bind("--max-streams-per-connection", &ServerSettings::max_streams_per_connection,
             "concurrent calls on one HTTP/2 connection (more wait in the client)");
  flags.bind("--memory-cache-bytes", &ServerSettings::memory_cache_bytes,
             "size bound of the in-memory LRU cache");
  flags.bind("--disk-cache-bytes", &ServerSettings::disk_cache_bytes,
             "size bound of the on-disk cache");
  flags.bind("--drain-timeout", &ServerSettings::drain_timeout_seconds,
             "seconds in-flight compiles may run after SIGTERM");
  flags.bind_flag("--reflection", &ServerSettings::reflection, "serve gRPC server reflection");
  flags.bind("--tls-cert", &ServerSettings::tls_cert, "PEM certificate chain: serve gRPC over TLS");
  flags.bind("--tls-key", &ServerSettings::tls_key, "PEM private key of --tls-cert");
  flags.bind("--tls-client-ca", &ServerSettings::tls_client_ca,
             "PEM CA bundle: require client certificates it signed (mTLS)");
  flags.bind("--auth-token-file", &ServerSettings::auth_token_file,
             "bearer tokens, one per line (# comments), reread on SIGHUP; Compile and Lookup "
             "need one, health does not");
  flags.bind_flag("--insecure", &ServerSettings::insecure,
                  "allow a non-loopback --listen without TLS and authentication (logs a warning)");
  flags.bind("--redis", &ServerSettings::redis,
             "shared cache tier behind memory and disk: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] "
             "or rediss:// (TLS); prefer --redis-password-file to a password in the URL");
  flags.bind("--redis-password-file", &ServerSettings::redis_password_file,
             "file holding the Redis password (one line)");
  flags.bind("--redis-tls-ca", &ServerSettings::redis_tls_ca,
             "PEM CA bundle that verifies a rediss:// server (default: the system's)");
  flags.bind("--redis-ttl", &ServerSettings::redis_ttl_seconds,
             "seconds a shared cache entry lives after it was written (SET ... EX)");
  flags.bind("--redis-timeout-ms", &ServerSettings::redis_timeout_ms,
             "connect and per-operation timeout for Redis; past it Redis is skipped for a while");
  flags.bind_flag("!--no-request-log", &ServerSettings::log_requests,
                  "do not write a JSON line per request");
  flags.bind("--compile-memory-bytes", &ServerSettings::compile_memory_bytes,
             "address-space limit of one compile worker (0: memory / (workers + 1), 1-8 GiB)");
  flags.bind("--compile-cpu-seconds", &ServerSettings::compile_cpu_seconds,
             "CPU-time limit of one compile (RESOURCE_EXHAUSTED beyond)");
  flags.bind("--compile-worker", &ServerSettings::compile_worker,
             "the ramiel-compile-worker executable (default: beside ramiel-server)");
  flags.bind_flag("--compile-in-process", &ServerSettings::compile_in_process,
                  "debugging only: compile inside the server (a hostile model can crash it)");
  flags
      .bind("--debug-worker-fault", &ServerSettings::debug_worker_fault,
            "tests only: every worker injects crash, oom or spin")
      ->group("");
  flags
      .bind("--debug-compile-delay-ms", &ServerSettings::debug_compile_delay_ms,
            "tests only: sleep before every compile")
      ->group("");  // hidden from --help

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  ServerSettings settings;
  if (!config_path.empty()) {
    if (auto status = ramiel::server::load_settings_file(config_path, settings); !status.ok()) {
      std::cerr << "ramiel-server: " << status.to_string() << "\n";
      return kExitStartupFailed;
    }
  }
  flags.overlay(settings);

  // Signals are taken synchronously by this thread; every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::string version = ramiel::driver::compiler_build();
  auto server =
      ramiel::server::RamielServer::start(settings, ramiel::driver::compile, version, std::cout);
  if (!server.ok()) {
    std::cerr << "ramiel-server: " << server.status().to_string() << "\n";
    return kExitStartupFailed;
  }
  int signal_number = 0;
  // A failed reload keeps the previous tokens and has logged why; the server carries on.
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    (void)(*server)->reload_auth_tokens();
  }
  (*server)->shutdown();
  return kExitOk;
}
