// ramiel-compile-worker: compiles one model in a process of its own for ramiel-server. It reads a
// CompileJob from stdin, confines itself (limits, then seccomp) before parsing it, compiles, and
// writes a CompileOutcome to stdout. Whatever a hostile model does to it costs this process only.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/driver/compile.h"
#include "driver_proto/convert.h"
#include "ramiel/worker/v1/compile_worker.pb.h"
#include "server/worker/protocol.h"
#include "server/worker/sandbox.h"

namespace {

namespace worker = ramiel::server::worker;

struct Arguments {
  worker::SandboxLimits limits;
  int64_t max_input_bytes = int64_t{1} << 30;
  std::string debug_fault;
};

[[noreturn]] void fail(int code, const std::string& message) {
  std::cerr << "ramiel-compile-worker: " << message << "\n";
  std::_Exit(code);
}

Arguments parse_arguments(int argc, char** argv) {
  Arguments arguments;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == worker::kMemoryBytesFlag) {
      arguments.limits.memory_bytes = std::atoll(value);
    } else if (flag == worker::kCpuSecondsFlag) {
      arguments.limits.cpu_seconds = std::atoll(value);
    } else if (flag == worker::kMaxInputBytesFlag) {
      arguments.max_input_bytes = std::atoll(value);
    } else if (flag == worker::kDebugFaultFlag) {
      arguments.debug_fault = value;
    } else {
      fail(worker::kExitBadJob, "unknown flag " + flag);
    }
  }
  return arguments;
}

std::string read_stdin(int64_t max_bytes) {
  std::string input;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n == 0) return input;
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(worker::kExitBadJob, std::string("reading stdin: ") + std::strerror(errno));
    }
    input.append(buffer, static_cast<size_t>(n));
    if (static_cast<int64_t>(input.size()) > max_bytes) fail(worker::kExitBadJob, "job too large");
  }
}

void write_stdout(const std::string& bytes) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::_Exit(worker::kExitBadJob);  // the server is gone
    written += static_cast<size_t>(n);
  }
}

// A failed allocation can surface as std::bad_alloc anywhere, including in code that cannot
// throw (then std::terminate runs): both end with the same exit code.
[[noreturn]] void on_terminate() {
  if (auto pending = std::current_exception()) {
    try {
      std::rethrow_exception(pending);
    } catch (const std::bad_alloc&) {
      std::_Exit(worker::kExitOutOfMemory);
    } catch (...) {
    }
  }
  std::abort();
}

void inject_fault(const std::string& fault) {
  if (fault == "crash") {
    std::raise(SIGSEGV);
  } else if (fault == "oom") {
    std::vector<std::string> hog;
    for (;;) hog.emplace_back(size_t{64} << 20, 'x');
  } else if (fault == "spin") {
    for (;;) asm volatile("");  // an empty loop the compiler must keep
  }
}

// Compiles a one-node model so that everything the compiler initialises on first use (onnx's
// operator schemas above all) is ready before a job arrives: a spare worker does this while it
// waits, and a real compile then pays only for its own model.
void warm_up() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("warm_up");
  for (const char* name : {"x", "y"}) {
    onnx::ValueInfoProto* value = name[0] == 'x' ? graph->add_input() : graph->add_output();
    value->set_name(name);
    auto* tensor = value->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    tensor->mutable_shape()->add_dim()->set_dim_value(4);
  }
  onnx::NodeProto* node = graph->add_node();
  node->set_op_type("Relu");
  node->add_input("x");
  node->add_output("y");
  (void)ramiel::driver::compile(model.SerializeAsString(), ramiel::driver::CompileOptions{});
}

ramiel::worker::v1::CompileOutcome compile(const ramiel::worker::v1::CompileJob& job) {
  ramiel::worker::v1::CompileOutcome outcome;
  ramiel::driver::CompileOptions options = ramiel::driver_proto::options_from_proto(job.options());
  options.model_sha256 = job.model_sha256();
  auto result = ramiel::driver::compile(job.model(), options);
  if (!result.ok()) {
    outcome.set_code(static_cast<int>(result.status().code()));
    outcome.set_message(result.status().message());
    return outcome;
  }
  ramiel::driver_proto::result_to_response(*result, *outcome.mutable_result());
  for (const auto& [stage, seconds] : result->stage_seconds) {
    auto* time = outcome.add_stages();
    time->set_stage(stage);
    time->set_seconds(seconds);
  }
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  std::set_terminate(on_terminate);
  const Arguments arguments = parse_arguments(argc, argv);
  if (auto status = worker::apply_limits(arguments.limits); !status.ok()) {
    fail(worker::kExitSandboxFailed, status.to_string());
  }
  warm_up();
  const std::string input = read_stdin(arguments.max_input_bytes);
  if (auto status = worker::deny_files_and_network(); !status.ok()) {
    fail(worker::kExitSandboxFailed, status.to_string());
  }
  inject_fault(arguments.debug_fault);
  try {
    ramiel::worker::v1::CompileJob job;
    if (!job.ParseFromString(input)) fail(worker::kExitBadJob, "stdin is not a CompileJob");
    write_stdout(compile(job).SerializeAsString());
  } catch (const std::bad_alloc&) {
    std::_Exit(worker::kExitOutOfMemory);
  }
  return worker::kExitOutcomeWritten;
}
