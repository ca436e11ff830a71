#include "server/isolated_compiler.h"

#include <csignal>
#include <filesystem>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include "driver_proto/convert.h"
#include "ramiel/worker/v1/compile_worker.pb.h"
#include "server/child_process.h"
#include "server/worker/protocol.h"

namespace ramiel::server {
namespace {

namespace wire = ::ramiel::worker::v1;

// A result is the generated program and its metadata, never the weights: far below this.
constexpr size_t kMaxOutcomeBytes = size_t{256} << 20;

Status resource_exhausted(std::string message) {
  return {StatusCode::kResourceExhausted, std::move(message)};
}

std::string mebibytes(int64_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

bool known_status_code(int code) {
  return code > static_cast<int>(StatusCode::kOk) &&
         code <= static_cast<int>(StatusCode::kInternal);
}

}  // namespace

IsolatedCompiler::IsolatedCompiler(WorkerLimits limits, size_t spares, Metrics& metrics,
                                   RequestLog& log)
    : limits_(std::move(limits)), metrics_(metrics), log_(log) {
  std::vector<std::string> argv = {limits_.worker_path,
                                   worker::kMemoryBytesFlag,
                                   std::to_string(limits_.memory_bytes),
                                   worker::kCpuSecondsFlag,
                                   std::to_string(limits_.cpu_seconds),
                                   worker::kMaxInputBytesFlag,
                                   std::to_string(limits_.max_job_bytes)};
  if (!limits_.debug_fault.empty()) {
    argv.insert(argv.end(), {worker::kDebugFaultFlag, limits_.debug_fault});
  }
  spares_ = std::make_shared<SpareWorkers>(std::move(argv), spares);
}

std::string default_worker_path() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return (error ? std::filesystem::path() : self.parent_path()) / "ramiel-compile-worker";
}

Status IsolatedCompiler::worker_failed(std::string_view reason, Status status,
                                       std::string_view detail) const {
  metrics_.count_worker_failure(reason);
  log_.event("compile_worker_failed",
             {{"reason", reason}, {"detail", detail}, {"status", status.to_string()}});
  return status;
}

StatusOr<driver::CompileResult> IsolatedCompiler::operator()(
    std::string_view model, const driver::CompileOptions& options) const {
  // The job is the options message followed by the model as field 2, encoded by hand so that the
  // model (up to --max-model-bytes) is sent from where it lies instead of copied into a message.
  wire::CompileJob job;
  *job.mutable_options() = driver_proto::options_to_proto(options);
  job.set_model_sha256(options.model_sha256);
  std::string head = job.SerializeAsString();
  {
    google::protobuf::io::StringOutputStream stream(&head);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
        wire::CompileJob::kModelFieldNumber,
        google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    coded.WriteVarint64(model.size());
  }

  auto child = spares_->take();
  if (!child.ok()) {
    return worker_failed("spawn", internal_error("cannot start a compile worker"),
                         child.status().message());
  }
  const auto stop = [&options] { return options.is_cancelled && options.is_cancelled(); };
  auto ended = child->run({head, model}, kMaxOutcomeBytes, stop);
  if (!ended.ok()) {
    return worker_failed("protocol", internal_error("the compile worker failed"),
                         ended.status().message());
  }
  if (ended->killed_by_us) return cancelled("the compile was stopped: its callers went away");

  if (ended->exited && ended->exit_code == worker::kExitOutcomeWritten) {
    wire::CompileOutcome outcome;
    if (!outcome.ParseFromString(ended->output) ||
        (outcome.code() != 0 && !known_status_code(outcome.code()))) {
      return worker_failed("protocol", internal_error("the compile worker answered garbage"),
                           "unparsable CompileOutcome");
    }
    if (outcome.code() != 0)
      return Status(static_cast<StatusCode>(outcome.code()), outcome.message());
    driver::CompileResult result = driver_proto::result_from_response(outcome.result());
    for (const auto& time : outcome.stages())
      result.stage_seconds.emplace_back(time.stage(), time.seconds());
    return result;
  }
  const std::string usage = "cpu " + std::to_string(ended->cpu_seconds) + " s, peak rss " +
                            mebibytes(ended->peak_rss_bytes);
  if (ended->exited && ended->exit_code == worker::kExitOutOfMemory) {
    return worker_failed(
        "memory_limit",
        resource_exhausted("the compile needed more than the " + mebibytes(limits_.memory_bytes) +
                           " of memory a compile may use (--compile-memory-bytes)"),
        usage);
  }
  if (!ended->exited && (ended->term_signal == SIGXCPU ||
                         (ended->term_signal == SIGKILL && limits_.cpu_seconds > 0 &&
                          ended->cpu_seconds >= static_cast<double>(limits_.cpu_seconds)))) {
    return worker_failed(
        "cpu_limit",
        resource_exhausted("the compile used more than the " + std::to_string(limits_.cpu_seconds) +
                           " s of CPU time a compile may use (--compile-cpu-seconds)"),
        usage);
  }
  if (!ended->exited) {
    const std::string signal = signal_name(ended->term_signal);
    return worker_failed("crash",
                         internal_error("the compile worker crashed (" + signal +
                                        "); this model triggers a bug in Ramiel, please report it"),
                         signal + ", " + usage);
  }
  return worker_failed("exit",
                       internal_error("the compile worker failed (exit code " +
                                      std::to_string(ended->exit_code) + ")"),
                       usage);
}

}  // namespace ramiel::server
