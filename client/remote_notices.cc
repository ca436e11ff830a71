#include "client/remote_notices.h"

#include "proto/grpc_code_name.h"

namespace ramiel::client {

std::string RemoteNotices::retry_text(const grpc::Status& failed, std::chrono::milliseconds wait,
                                      int attempt, int max_attempts) {
  const char* what =
      failed.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ? "server busy" : "server unavailable";
  char tail[96];
  std::snprintf(tail, sizeof tail, "); retrying in %.1f s, attempt %d of %d",
                static_cast<double>(wait.count()) / 1000, attempt, max_attempts);
  return std::string(what) + " (" + api::grpc_code_name(failed.error_code()) + ": " +
         failed.error_message() + tail;
}

std::string RemoteNotices::compiling_text(double queued_seconds) {
  char text[96];
  std::snprintf(text, sizeof text, "the server is compiling the model (it queued %.1f s)",
                queued_seconds);
  return text;
}

const char* RemoteNotices::queued_text() {
  return "uploaded; the compile waits in the server's queue for a free compile worker";
}

const char* RemoteNotices::cache_hit_text() {
  return "served from the server's cache (compiled before)";
}

void RemoteNotices::say(const std::string& text) const {
  if (!enabled_) return;
  std::fprintf(out_, "ramiel-client: %s\n", text.c_str());
  std::fflush(out_);
}

void RemoteNotices::retrying(const grpc::Status& failed, std::chrono::milliseconds wait,
                             int attempt, int max_attempts) const {
  say(retry_text(failed, wait, attempt, max_attempts));
}
void RemoteNotices::queued() const { say(queued_text()); }
void RemoteNotices::compiling(double queued_seconds) const { say(compiling_text(queued_seconds)); }
void RemoteNotices::cache_hit() const { say(cache_hit_text()); }

DelayedNotice::DelayedNotice(std::chrono::milliseconds delay, std::function<void()> say)
    : thread_([this, delay, say = std::move(say)] {
        std::unique_lock lock(mutex_);
        if (!cancelled_.wait_for(lock, delay, [this] { return done_; })) say();
      }) {}

DelayedNotice::~DelayedNotice() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  cancelled_.notify_one();
  thread_.join();
}

}  // namespace ramiel::client
