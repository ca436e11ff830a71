#include "client/remote_compile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

#include <grpcpp/client_context.h>

#include "client/progress_bar.h"
#include "client/remote_channel.h"
#include "client/remote_connect.h"
#include "client/remote_notices.h"
#include "client/remote_status.h"
#include "core/support/sha256.h"
#include "driver_proto/convert.h"
#include "proto/stage_metadata.h"
#include "ramiel/v1/compile_service.grpc.pb.h"

namespace ramiel::client {
namespace {

using Clock = std::chrono::system_clock;

// About 1 MiB per message: large enough to amortise framing, far below gRPC's 4 MiB default limit.
constexpr size_t kChunkBytes = 1 << 20;

// Runs `attempt` with a fresh context (deadline and credentials set) until it succeeds, fails
// with a code the policy does not retry (or that the server marked final), runs out of attempts,
// or the next wait would pass the deadline.
grpc::Status with_retries(const RetryPolicy& policy, Clock::time_point deadline,
                          const RemoteChannel& channel, const RemoteNotices& notices,
                          const std::function<grpc::Status(grpc::ClientContext&)>& attempt) {
  std::mt19937 random(std::random_device{}());
  grpc::Status status;
  for (int n = 1; n <= policy.max_attempts; ++n) {
    const auto wait = policy.backoff(n, random);
    if (Clock::now() + wait >= deadline) break;
    if (n > 1) notices.retrying(status, wait, n, policy.max_attempts);
    std::this_thread::sleep_for(wait);
    grpc::ClientContext context;
    context.set_deadline(deadline);
    channel.authorize(context);
    status = attempt(context);
    if (status.ok() || !RetryPolicy::retryable(status.error_code()) ||
        server_says_final(context.GetServerTrailingMetadata())) {
      return status;
    }
  }
  if (status.ok())
    return {grpc::StatusCode::DEADLINE_EXCEEDED, "the deadline passed before an attempt"};
  return {status.error_code(), status.error_message() + "; gave up retrying"};
}

// Waits for the server's initial metadata and says whether (and after how long a queue) the
// compile started; "queued" when it has not started a second after the upload.
void report_stage(grpc::ClientWriter<v1::CompileRequest>& writer, grpc::ClientContext& context,
                  const RemoteNotices& notices) {
  if (!notices.enabled()) return;
  {
    DelayedNotice queued(std::chrono::seconds(1), [&] { notices.queued(); });
    writer.WaitForInitialMetadata();
  }
  const auto& metadata = context.GetServerInitialMetadata();
  const auto stage = metadata.find(api::kStageMetadataKey);
  if (stage == metadata.end() || stage->second != api::kStageCompiling) return;
  const auto seconds = metadata.find(api::kQueueSecondsMetadataKey);
  notices.compiling(seconds == metadata.end()
                        ? 0.0
                        : std::atof(std::string(seconds->second.data(), seconds->second.size()).c_str()));
}

// Streams the model: the header, then chunks, with a progress bar on a terminal.
grpc::Status upload(v1::CompileService::Stub& stub, grpc::ClientContext& context,
                    const v1::CompileHeader& header, const std::string& model, bool show_progress,
                    const RemoteNotices& notices, v1::CompileResponse& response) {
  auto writer = stub.Compile(&context, &response);
  v1::CompileRequest message;
  *message.mutable_header() = header;
  bool open = writer->Write(message);
  ProgressBar progress("uploading", static_cast<int64_t>(model.size()), stderr, show_progress);
  for (size_t offset = 0; open && offset < model.size(); offset += kChunkBytes) {
    message.set_chunk(model.substr(offset, kChunkBytes));
    open = writer->Write(message);
    progress.update(static_cast<int64_t>(std::min(model.size(), offset + kChunkBytes)));
  }
  progress.finish();
  // A write fails when the server has already answered (an error); Finish returns that answer.
  if (open && writer->WritesDone()) report_stage(*writer, context, notices);
  return writer->Finish();
}

}  // namespace

StatusOr<CompileOutcome> compile_remotely(const CompileRequest& request,
                                          const ChannelSecurity& security,
                                          const RetryPolicy& policy, RemoteFailure* failure) {
  RAMIEL_ASSIGN_OR_RETURN(std::string model, read_file(request.model_path));
  const std::string sha256 = sha256_hex(model);
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(request.deadline_seconds));
  RAMIEL_ASSIGN_OR_RETURN(const RemoteChannel channel, open_channel(request.server, security));
  const auto connect_timeout = std::min<std::chrono::duration<double>>(
      std::chrono::duration<double>(request.connect_timeout_seconds), deadline - Clock::now());
  if (auto refused = connect_within(channel, request.server, connect_timeout)) {
    if (failure != nullptr) *failure = refused->failure;
    return refused->status;
  }
  auto stub = v1::CompileService::NewStub(channel.channel());
  const v1::CompileOptions options = driver_proto::options_to_proto(request.options);
  const RemoteNotices notices(stderr, !request.quiet);

  v1::CompileResponse response;
  grpc::Status status = with_retries(policy, deadline, channel, notices, [&](grpc::ClientContext& context) {
    v1::LookupRequest lookup;
    lookup.set_model_sha256(sha256);
    *lookup.mutable_options() = options;
    return stub->Lookup(&context, lookup, &response);
  });
  // NOT_FOUND: the server has not seen this model with these options; UNIMPLEMENTED: a server
  // without Lookup. Either way the upload answers.
  if (status.error_code() == grpc::StatusCode::NOT_FOUND ||
      status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    v1::CompileHeader header;
    *header.mutable_options() = options;
    header.set_model_size(model.size());
    header.set_model_sha256(sha256);
    const bool show_progress = !request.quiet && ProgressBar::is_terminal(stderr);
    status = with_retries(policy, deadline, channel, notices, [&](grpc::ClientContext& context) {
      response.Clear();
      return upload(*stub, context, header, model, show_progress, notices, response);
    });
  }
  if (!status.ok()) {
    if (failure != nullptr) *failure = remote_failure(status);
    return from_grpc_status(status, request.server);
  }
  if (response.cache_hit()) notices.cache_hit();
  if (response.model_sha256() != sha256) {
    return internal_error("ramiel-server at " + request.server + " answered for model " +
                          response.model_sha256() + ", not " + sha256);
  }
  driver::CompileResult result = driver_proto::result_from_response(response);
  return CompileOutcome{std::move(result.files), std::move(result.warnings)};
}

}  // namespace ramiel::client
