#include "server/redis_connection.h"

#include <cstdlib>

#include <hiredis/hiredis.h>

namespace ramiel::server {
namespace {

RedisReply convert(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply.integer;
      return out;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      for (size_t i = 0; i < reply.elements; ++i)
        out.elements.push_back(convert(*reply.element[i]));
      return out;
    default:
      out.type = RedisReply::Type::kNil;
      return out;
  }
  out.text.assign(reply.str, reply.len);
  return out;
}

// AUTH or SELECT during open(): anything but +OK is a refusal.
std::optional<RedisError> expect_ok(RedisResult<RedisReply> reply, const std::string& step) {
  if (!reply.ok()) return reply.error();
  if (reply.value().type == RedisReply::Type::kStatus && reply.value().text == "OK") {
    return std::nullopt;
  }
  return RedisError{RedisFailure::kAuth, step + " refused: " + reply.value().text};
}

}  // namespace

RedisConnection::RedisConnection(std::unique_ptr<RedisStream> stream,
                                 const RedisConnectionOptions& options)
    : stream_(std::move(stream)), options_(options), reader_(redisReaderCreate()) {}

RedisConnection::~RedisConnection() {
  redisReaderFree(reader_);
}

RedisResult<std::unique_ptr<RedisConnection>> RedisConnection::open(
    const RedisEndpoint& endpoint, const RedisConnectionOptions& options) {
  if (endpoint.tls && options.tls == nullptr) {
    return RedisError{RedisFailure::kTls, "rediss:// without a TLS context"};
  }
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  auto stream = RedisStream::connect(endpoint.host, endpoint.port,
                                     endpoint.tls ? options.tls : nullptr, deadline);
  if (!stream.ok()) return stream.error();
  std::unique_ptr<RedisConnection> connection(
      new RedisConnection(std::move(stream.value()), options));
  if (!endpoint.password.empty()) {
    std::vector<std::string_view> auth = {"AUTH"};
    if (!endpoint.username.empty()) auth.push_back(endpoint.username);
    auth.push_back(endpoint.password);
    if (auto error = expect_ok(connection->command(auth), "AUTH")) return *error;
  }
  if (endpoint.database != 0) {
    const std::string database = std::to_string(endpoint.database);
    if (auto error = expect_ok(connection->command({"SELECT", database}), "SELECT " + database)) {
      return *error;
    }
  }
  return connection;
}

RedisResult<RedisReply> RedisConnection::command(const std::vector<std::string_view>& args) {
  if (broken_) return RedisError{RedisFailure::kConnection, "the connection failed before"};
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (std::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* formatted = nullptr;
  const int length = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), argv.data(),
                                            lengths.data());
  if (length < 0) {
    broken_ = true;
    return RedisError{RedisFailure::kProtocol, "cannot format the command"};
  }
  std::unique_ptr<char, decltype(&redisFreeCommand)> owned(formatted, redisFreeCommand);
  if (auto error = stream_->write_all({formatted, static_cast<size_t>(length)}, options_.timeout)) {
    broken_ = true;
    return *error;
  }
  auto reply = read_reply();
  if (!reply.ok()) broken_ = true;
  return reply;
}

RedisResult<RedisReply> RedisConnection::read_reply() {
  char buffer[64 << 10];
  for (;;) {
    void* parsed = nullptr;
    if (redisReaderGetReply(reader_, &parsed) != REDIS_OK) {
      return RedisError{RedisFailure::kProtocol, std::string("bad reply: ") + reader_->errstr};
    }
    if (parsed != nullptr) {
      RedisReply reply = convert(*static_cast<redisReply*>(parsed));
      freeReplyObject(parsed);
      return reply;
    }
    auto read = stream_->read_some(buffer, sizeof(buffer), options_.timeout);
    if (!read.ok()) return read.error();
    if (redisReaderFeed(reader_, buffer, read.value()) != REDIS_OK) {
      return RedisError{RedisFailure::kProtocol, std::string("bad reply: ") + reader_->errstr};
    }
    // Everything buffered belongs to this reply (one command at a time).
    if (reader_->len - reader_->pos > options_.max_reply_bytes) {
      return RedisError{RedisFailure::kTooLarge,
                        "a reply exceeds " + std::to_string(options_.max_reply_bytes) + " bytes"};
    }
  }
}

}  // namespace ramiel::server
