// ramiel-server: the compilation daemon. Flags override the JSON config file, which overrides
// the defaults; SIGTERM or SIGINT drains and exits 0; SIGHUP rereads the token file.
#include <malloc.h>

#include <csignal>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "core/driver/compile.h"
#include "server/server.h"
#include "server/settings.h"
#include "server/settings_flags.h"

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
)";

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
  app.footer(kFooter + ramiel::server::config_file_help());
  app.set_version_flag("--version", ramiel::driver::compiler_build());
  std::string config_path;
  app.add_option("--config", config_path, "JSON config file (flags override it)")
      ->check(CLI::ExistingFile);
  const ramiel::server::SettingsFlags flags(app);

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
