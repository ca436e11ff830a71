#include "server/compile_service.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/support/sha256.h"
#include "core/support/stopwatch.h"
#include "driver_proto/convert.h"
#include "server/call_reactor.h"
#include "server/disk_cache.h"
#include "server/result_cache.h"

namespace ramiel::server {
namespace {

grpc::Status invalid(std::string message) {
  return {grpc::StatusCode::INVALID_ARGUMENT, std::move(message)};
}

// Converts and validates request options; the error names what to fix.
StatusOr<driver::CompileOptions> checked_options(const v1::CompileOptions& proto) {
  driver::CompileOptions options = driver_proto::options_from_proto(proto);
  RAMIEL_RETURN_IF_ERROR(options.validate().with_context("bad compile options"));
  return options;
}

// Compile: a header, then chunks; hashed as they arrive, bounded by the declared size.
class CompileCall final : public CallReactor<grpc::ServerReadReactor<v1::CompileRequest>> {
 public:
  CompileCall(const ServiceContext& service, grpc::CallbackServerContext* call,
              v1::CompileResponse* response)
      : CallReactor(service, call, "Compile"), response_(response) {
    {
      auto publish = lock();  // the members initialised above, to the threads of later reactions
      peer_ = peer_address(record_.peer);
    }
    // Outside the call's lock: the watchdog holds its own lock while it finishes an idle call.
    watch_id_ = service_.watchdog.watch([this] {
      service_.metrics.count_rejected("upload_idle");
      finish_once({grpc::StatusCode::DEADLINE_EXCEEDED,
                   "the upload sent nothing for " + idle_seconds() + " s; the server closed it"});
    });
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    Step step;
    {
      auto held = lock();
      if (finished_locked()) return;
      // !ok: the client half-closed (the upload is whole) or the call was cancelled.
      step = !ok ? upload_complete() : !header_seen_ ? take_header() : take_chunk();
    }
    if (step.fail || step.job) {
      service_.watchdog.forget(watch_id_);
      end_upload();
    } else {
      service_.watchdog.touch(watch_id_);
    }
    if (step.fail) {
      drop_upload();
      finish_once(std::move(*step.fail));
    } else if (step.job) {
      submit(
          [&](CompileBroker::Callback done) {
            service_.broker.compile(std::move(*step.job), ticket_, std::move(done),
                                    stage_notifier());
          },
          response_);
    } else {
      StartRead(&request_);
    }
  }

 private:
  // What a message leads to: an error, a job for the broker, or (neither) the next read.
  struct Step {
    std::optional<grpc::Status> fail;
    std::optional<CompileJob> job;
  };
  static Step fail(grpc::Status status) { return {std::move(status), std::nullopt}; }

  // The take_* and upload_complete steps run under the call's lock.
  Step take_header() {
    if (!request_.has_header()) {
      return fail(invalid("the first message of a Compile stream must be the header"));
    }
    header_seen_ = true;
    const v1::CompileHeader& header = request_.header();
    const int64_t limit = service_.settings.max_model_bytes;
    if (header.model_size() == 0) {
      return fail(invalid("header.model_size must be the model's size in bytes"));
    }
    if (header.model_size() > static_cast<uint64_t>(limit)) {
      service_.metrics.count_rejected("too_large");
      return fail(invalid("the model is " + std::to_string(header.model_size()) +
                          " bytes; this server accepts at most " + std::to_string(limit)));
    }
    const auto declared = static_cast<int64_t>(header.model_size());
    auto options = checked_options(header.options());
    if (!options.ok()) return fail(invalid(options.status().message()));
    switch (service_.peers.try_start(peer_)) {
      case PeerQuota::Refusal::kNone:
        break;
      case PeerQuota::Refusal::kCalls:
        service_.metrics.count_rejected("peer_compiles");
        return fail({grpc::StatusCode::RESOURCE_EXHAUSTED,
                     "this client already has " + std::to_string(service_.peers.max_calls()) +
                         " compiles open (--max-compiles-per-peer); retry with backoff"});
      case PeerQuota::Refusal::kUploads:
        service_.metrics.count_rejected("peer_uploads");
        return fail({grpc::StatusCode::RESOURCE_EXHAUSTED,
                     "this client already has " + std::to_string(service_.peers.max_uploads()) +
                         " uploads open (--max-uploads-per-peer); retry with backoff"});
    }
    holds_peer_slots_ = true;
    declared_size_ = declared;
    expected_sha256_ = header.model_sha256();
    options_ = std::move(options).value();
    record_.model_bytes = declared;
    return {};
  }

  Step take_chunk() {
    if (!request_.has_chunk()) {
      return fail(invalid("after the header, a Compile stream may only carry chunks"));
    }
    const std::string& chunk = request_.chunk();
    if (static_cast<int64_t>(model_.size() + chunk.size()) > declared_size_) {
      return fail(invalid("the upload is longer than the " + std::to_string(declared_size_) +
                          " bytes its header declared"));
    }
    // The budget is taken as bytes arrive, not as declared: a header that promises 256 MiB and
    // then stalls holds nothing.
    if (!service_.uploads.try_reserve(static_cast<int64_t>(chunk.size()))) {
      service_.metrics.count_rejected("upload_budget");
      return fail({grpc::StatusCode::RESOURCE_EXHAUSTED,
                   "too many uploads in progress; retry with backoff"});
    }
    reserved_ += static_cast<int64_t>(chunk.size());
    hasher_.update(chunk);
    model_.append(chunk);
    return {};
  }

  Step upload_complete() {
    // A client that cancels or dies mid-upload fails the pending read before OnCancel runs.
    if (call_->IsCancelled() || ticket_->abandoned(std::chrono::system_clock::now())) {
      return fail({grpc::StatusCode::CANCELLED, "cancelled during the upload"});
    }
    if (!header_seen_) return fail(invalid("the Compile stream ended before its header"));
    if (static_cast<int64_t>(model_.size()) != declared_size_) {
      return fail(invalid("the upload is truncated: " + std::to_string(model_.size()) + " of " +
                          std::to_string(declared_size_) + " bytes arrived"));
    }
    record_.model_sha256 = hasher_.hex_digest();
    if (!expected_sha256_.empty() && expected_sha256_ != record_.model_sha256) {
      return fail(invalid("the upload is corrupt: its sha256 is " + record_.model_sha256 +
                          ", the header says " + expected_sha256_));
    }
    service_.metrics.observe_model_size(declared_size_);
    CompileJob job;
    job.model_sha256 = record_.model_sha256;
    job.key = cache_key(job.model_sha256, options_.canonical(), service_.broker.compiler_version());
    job.model = std::make_shared<const std::string>(std::move(model_));
    job.options = std::move(options_);
    return {std::nullopt, std::move(job)};
  }

  void OnDone() override {
    service_.watchdog.forget(watch_id_);
    end_upload();
    CallReactor::OnDone();
  }

  void on_release() override {
    if (reserved_ > 0) service_.uploads.release(reserved_);
    if (holds_peer_slots_) service_.peers.call_done(peer_);
  }

  // A failed upload's bytes are dropped and its share of the upload budget given back before
  // the client hears of it: on_release comes after the status, and the client's next upload
  // would find the budget still held.
  void drop_upload() {
    int64_t freed = 0;
    {
      auto held = lock();
      freed = std::exchange(reserved_, 0);
      std::string().swap(model_);
    }
    if (freed > 0) service_.uploads.release(freed);
  }

  // Frees the peer's upload slot once, when the upload ends for any reason.
  void end_upload() {
    bool release = false;
    {
      auto held = lock();
      release = holds_peer_slots_ && !upload_ended_;
      upload_ended_ = true;
    }
    if (release) service_.peers.upload_done(peer_);
  }

  std::string idle_seconds() const {
    char text[32];
    std::snprintf(text, sizeof text, "%g",
                  static_cast<double>(service_.watchdog.idle_timeout().count()) / 1000);
    return text;
  }

  v1::CompileResponse* const response_;
  v1::CompileRequest request_;
  bool header_seen_ = false;
  int64_t declared_size_ = 0;
  int64_t reserved_ = 0;
  std::string expected_sha256_;
  driver::CompileOptions options_;
  std::string model_;
  Sha256 hasher_;
  std::string peer_;  // the client's address, for PeerQuota
  bool holds_peer_slots_ = false;
  bool upload_ended_ = false;
  uint64_t watch_id_ = 0;
};

// Lookup: validate, then ask the broker (memory inline, disk on an I/O thread).
class LookupCall final : public CallReactor<grpc::ServerUnaryReactor> {
 public:
  LookupCall(const ServiceContext& service, grpc::CallbackServerContext* call,
             const v1::LookupRequest& request, v1::CompileResponse* response)
      : CallReactor(service, call, "Lookup") {
    std::optional<grpc::Status> error;
    std::string key;
    {
      auto held = lock();
      record_.model_sha256 = request.model_sha256();
      auto options = checked_options(request.options());
      if (!is_cache_key(request.model_sha256())) {
        error = invalid("model_sha256 must be 64 lower-case hex characters");
      } else if (!options.ok()) {
        error = invalid(options.status().message());
      } else {
        key = cache_key(request.model_sha256(), options->canonical(),
                        service_.broker.compiler_version());
      }
    }
    if (error) {
      finish_once(std::move(*error));
      return;
    }
    submit([&](CompileBroker::Callback done) { service_.broker.lookup(key, std::move(done)); },
           response);
  }
};

}  // namespace

grpc::ServerReadReactor<v1::CompileRequest>* CompileServiceImpl::Compile(
    grpc::CallbackServerContext* call, v1::CompileResponse* response) {
  return new CompileCall(context_, call, response);
}

grpc::ServerUnaryReactor* CompileServiceImpl::Lookup(grpc::CallbackServerContext* call,
                                                     const v1::LookupRequest* request,
                                                     v1::CompileResponse* response) {
  return new LookupCall(context_, call, *request, response);
}

}  // namespace ramiel::server
