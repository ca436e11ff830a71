// ramiel-client: compiles ONNX models into parallel PyTorch programs, in-process or on a server.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "client/compile_request.h"
#include "client/exit_codes.h"
#include "client/local_compile.h"
#include "client/native_kernels.h"
#include "client/output_writer.h"
#include "core/driver/compile.h"
#include "core/driver/schedule_summary.h"
#ifdef RAMIEL_WITH_REMOTE
#include "client/remote_compile.h"
#include "client/remote_health.h"
#endif

namespace ramiel::client {
namespace {

// Prints the error and returns the exit code to leave with.
int fail(const Status& status, int exit_code) {
  std::cerr << "ramiel-client: error: " << status.message() << " [" << status_code_name(status.code())
            << "]\n";
  return exit_code;
}
int fail(const Status& status) { return fail(status, exit_code_for(status)); }

#ifdef RAMIEL_WITH_REMOTE
// The flags that say how to reach a server securely, shared by `compile` and `health`.
void add_security_flags(CLI::App& command, ChannelSecurity& security) {
  command.add_option("--tls-ca", security.tls_ca, "PEM CA bundle that signed the server's certificate (turns on TLS)")
      ->check(CLI::ExistingFile);
  auto* cert = command.add_option("--tls-cert", security.tls_cert, "PEM client certificate for mTLS (turns on TLS)")
                   ->check(CLI::ExistingFile);
  auto* key = command.add_option("--tls-key", security.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  command.add_option("--token-file", security.token_file, "File holding the bearer token (default: $RAMIEL_TOKEN)")
      ->check(CLI::ExistingFile);
}
#else
struct ChannelSecurity {};
StatusOr<CompileOutcome> compile_remotely(const CompileRequest&, const ChannelSecurity&, const void* = nullptr,
                                          RemoteFailure* = nullptr) {
  return invalid_argument("this ramiel-client was built without remote support (RAMIEL_BUILD_SERVER=OFF); use --local");
}
#endif

int run_compile(CompileRequest& request, const ChannelSecurity& security, const std::vector<std::string>& shapes,
                const std::string& profile_path, const std::string& costs_path, const std::string& kernels_setting) {
  auto kernels = resolve_kernels(kernels_setting, running_executable_dir());
  if (!kernels.ok()) return fail(kernels.status(), kExitUsage);
  for (const std::string& text : shapes) {
    auto shape = parse_input_shape(text);
    if (!shape.ok()) return fail(shape.status(), kExitUsage);
    request.options.input_shapes[shape->first] = shape->second;
  }
  if (!profile_path.empty()) {
    auto text = read_file(profile_path);
    if (!text.ok()) return fail(text.status().with_context("--device-profile"), kExitUsage);
    request.options.device_profile_json = *text;
  }
  if (!costs_path.empty()) {
    auto text = read_file(costs_path);
    if (!text.ok()) return fail(text.status().with_context("--costs"), kExitUsage);
    request.options.measured_costs_json = *text;
  }
  if (request.options.model_name.empty()) request.options.model_name = request.model_path.stem().string();
  if (Status valid = request.options.validate(); !valid.ok()) return fail(valid, kExitUsage);
#ifdef RAMIEL_WITH_REMOTE
  if (!request.server.empty()) {
    if (auto token = resolve_token(security.token_file); !token.ok()) return fail(token.status(), kExitUsage);
  }
#endif

  RemoteFailure remote;  // set when the connection or the server failed the compile
  auto outcome = request.server.empty() ? compile_locally(request) : compile_remotely(request, security, {}, &remote);
  if (!outcome.ok() && !remote.code_name.empty()) {
    std::cerr << "ramiel-client: error: " << outcome.status().message() << " [" << remote.code_name << "]\n";
    return remote.exit_code;
  }
  if (!outcome.ok()) return fail(outcome.status());
  for (const std::string& warning : outcome->warnings) std::cerr << "ramiel-client: warning: " << warning << "\n";
  if (Status written = write_outputs(request.output_dir, outcome->files); !written.ok()) return fail(written);
  bool removed_kernels = false;
  if (*kernels) {
    if (Status placed = place_kernels(**kernels, request.output_dir); !placed.ok()) return fail(placed);
  } else if (kernels_setting == "off") {  // auto finding none leaves a library put there by hand
    auto removed = remove_placed_kernels(request.output_dir);
    if (!removed.ok()) return fail(removed.status());
    removed_kernels = *removed;
  }
  if (!request.quiet) {
    auto schedule = outcome->files.find("schedule.json");
    if (schedule != outcome->files.end()) std::cout << driver::schedule_summary(schedule->second);
    std::cout << "wrote";
    for (const auto& [name, contents] : outcome->files) std::cout << " " << (request.output_dir / name).string();
    std::cout << "\n";
    if (*kernels) {
      std::cout << "native operators: " << (request.output_dir / kKernelsFileName).string() << " (from "
                << (*kernels)->string() << ")\n";
    } else if (removed_kernels) {
      std::cout << "native operators: none; removed " << (request.output_dir / kKernelsFileName).string()
                << " an earlier compile placed\n";
    }
  }
  return kExitOk;
}

}  // namespace
}  // namespace ramiel::client

int main(int argc, char** argv) {
  using namespace ramiel::client;
  CLI::App app{"ramiel-client: compile ONNX models into parallel PyTorch programs (batch-1 CPU inference)."};
  app.footer(kExitCodeHelp);
  app.require_subcommand(1);
  app.set_version_flag("--version", "ramiel-client " + ramiel::driver::compiler_build());

  CompileRequest request;
  ChannelSecurity security;
  std::vector<std::string> shapes;
  std::string profile_path, costs_path, kernels_setting = "auto";
  bool local = false;
  CLI::App* compile = app.add_subcommand("compile", "Compile MODEL.onnx into OUT/model.py (with OUT/ramiel_runtime.py, which it imports), OUT/schedule.json and OUT/graph.dot.");
  compile->add_option("model", request.model_path, "The ONNX model file")->required();
  compile->add_option("-o,--output", request.output_dir, "Output directory (created if missing)")->required();
  auto* local_flag = compile->add_flag("--local", local, "Compile in this process instead of on a server");
  compile->add_option("--server", request.server, "Compile on the ramiel-server at HOST:PORT")->excludes(local_flag);
  compile->add_option("-w,--workers", request.options.workers, "Most parallel workers to schedule for")
      ->capture_default_str()->check(CLI::Range(1, 256));
  compile->add_option("--input-shape", shapes, "Bind an input's shape, NAME=1x3x224x224 (repeatable)");
  compile->add_option("--device-profile", profile_path, "JSON file overriding the cost model's device profile");
  compile->add_option("--costs", costs_path, "JSON file of measured node costs (from model.py --profile)");
  compile->add_option("--name", request.options.model_name, "Model name recorded in the outputs (default: file stem)");
  compile->add_option("--print-ir-after", request.options.print_ir_after, "Write the IR after this pass to OUT/ir.txt");
  compile->add_option("--deadline", request.deadline_seconds, "Seconds a remote compile may take, retries included")
      ->capture_default_str()->check(CLI::PositiveNumber);
  compile->add_option("--connect-timeout", request.connect_timeout_seconds,
                      "Seconds to wait for a connection to the server before failing (exit 7)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  compile->add_option("--kernels", kernels_setting,
                      "Native operator library to place beside model.py (as OUT/libramiel_kernels.so): auto (the "
                      "one installed with this client, if any), off, or its path")
      ->capture_default_str();
  compile->add_flag("-q,--quiet", request.quiet,
                    "Print nothing but errors and warnings (no progress, queue, retry or cache notes)");
#ifdef RAMIEL_WITH_REMOTE
  add_security_flags(*compile, security);
#endif

#ifdef RAMIEL_WITH_REMOTE
  HealthRequest health_request;
  CLI::App* health = app.add_subcommand(
      "health", "Ask the ramiel-server at --server whether it is SERVING; exit 0 only then, 4 otherwise.");
  health->add_option("--server", health_request.server, "The ramiel-server at HOST:PORT")->required();
  health->add_option("--service", health_request.service, "A service name (default: the whole server)");
  health->add_option("--deadline", health_request.deadline_seconds, "Seconds to wait for the answer")
      ->capture_default_str()->check(CLI::PositiveNumber);
  health->add_flag("-q,--quiet", health_request.quiet, "Print nothing but errors");
  add_security_flags(*health, health_request.security);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
#ifdef RAMIEL_WITH_REMOTE
  if (health->parsed()) return check_health(health_request);
#endif
  if (compile->parsed()) {
    if (!local && request.server.empty()) {
      std::cerr << "ramiel-client: error: say where to compile: --local or --server HOST:PORT\n";
      return kExitUsage;
    }
    if (!request.server.empty() && !request.options.print_ir_after.empty()) {
      std::cerr << "ramiel-client: error: --print-ir-after needs --local\n";
      return kExitUsage;
    }
    return run_compile(request, security, shapes, profile_path, costs_path, kernels_setting);
  }
  return kExitUsage;
}
