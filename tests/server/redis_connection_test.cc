// RedisConnection against a real redis-server, and against a socket that misbehaves on purpose
// (silent, or answering garbage), which no real Redis does on demand.
#include "server/redis_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>

#include "tests/server/redis_server_process.h"

namespace ramiel::server {
namespace {

using std::chrono::milliseconds;
using testing::RedisServerProcess;

RedisEndpoint local(int port) {
  RedisEndpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = port;
  return endpoint;
}

std::unique_ptr<RedisConnection> open_ok(const RedisEndpoint& endpoint,
                                         RedisConnectionOptions options = {}) {
  auto connection = RedisConnection::open(endpoint, options);
  EXPECT_TRUE(connection.ok()) << (connection.ok() ? "" : connection.error().message);
  return connection.ok() ? std::move(connection.value()) : nullptr;
}

// A loopback listener that accepts one connection and answers every read with `answer` (nothing
// when empty), so that a client sees silence or garbage.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::string answer) : answer_(std::move(answer)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::listen(fd_, 4);
    thread_ = std::thread([this] {
      const int client = ::accept(fd_, nullptr, nullptr);
      char buffer[4096];
      while (::read(client, buffer, sizeof(buffer)) > 0) {
        if (!answer_.empty()) (void)::write(client, answer_.data(), answer_.size());
      }
      ::close(client);
    });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::string answer_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(RedisConnection, BinaryValuesOfEverySizeRoundTrip) {
  RedisServerProcess redis;
  auto connection = open_ok(local(redis.port()));
  ASSERT_NE(connection, nullptr);
  std::string binary = "a\0b\r\n$-1\r\n*3\r\n";
  binary.push_back('\0');
  std::string large(3 << 20, 'x');  // many reads of the 64 KiB buffer
  for (size_t i = 0; i < large.size(); i += 4099) large[i] = static_cast<char>(i % 251);
  for (const std::string& value : {std::string(), binary, large}) {
    auto set = connection->command({"SET", "k", value});
    ASSERT_TRUE(set.ok()) << set.error().message;
    EXPECT_EQ(set.value().type, RedisReply::Type::kStatus);
    auto get = connection->command({"GET", "k"});
    ASSERT_TRUE(get.ok()) << get.error().message;
    EXPECT_EQ(get.value().type, RedisReply::Type::kString);
    EXPECT_EQ(get.value().text, value);
  }
  auto missing = connection->command({"GET", "absent"});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing.value().type, RedisReply::Type::kNil);
  // An error reply is a reply; the connection stays usable.
  auto wrong_type = connection->command({"INCR", "k"});
  ASSERT_TRUE(wrong_type.ok());
  EXPECT_TRUE(wrong_type.value().is_error());
  EXPECT_FALSE(connection->broken());
  auto array = connection->command({"KEYS", "*"});
  ASSERT_TRUE(array.ok());
  ASSERT_EQ(array.value().type, RedisReply::Type::kArray);
  ASSERT_EQ(array.value().elements.size(), 1u);
  EXPECT_EQ(array.value().elements[0].text, "k");
}

TEST(RedisConnection, AuthAndSelectAtOpen) {
  RedisServerProcess redis({"--requirepass", "right horse battery"});
  RedisEndpoint endpoint = local(redis.port());

  auto anonymous = open_ok(endpoint);  // the server says so only when asked something
  ASSERT_NE(anonymous, nullptr);
  auto refused = anonymous->command({"GET", "k"});
  ASSERT_TRUE(refused.ok());
  EXPECT_TRUE(refused.value().is_error());
  EXPECT_TRUE(refused.value().text.starts_with("NOAUTH")) << refused.value().text;

  endpoint.password = "hunter2";
  auto wrong = RedisConnection::open(endpoint, {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().failure, RedisFailure::kAuth);
  EXPECT_TRUE(wrong.error().message.starts_with("AUTH refused")) << wrong.error().message;
  EXPECT_EQ(wrong.error().message.find("hunter2"), std::string::npos) << wrong.error().message;

  endpoint.password = "right horse battery";
  endpoint.database = 1;
  auto in_one = open_ok(endpoint);
  ASSERT_NE(in_one, nullptr);
  ASSERT_TRUE(in_one->command({"SET", "k", "in database 1"}).ok());
  endpoint.database = 0;
  auto in_zero = open_ok(endpoint);
  ASSERT_NE(in_zero, nullptr);
  EXPECT_EQ(in_zero->command({"GET", "k"}).value().type, RedisReply::Type::kNil);

  endpoint.database = 16;  // redis-server's default has 0..15
  auto out_of_range = RedisConnection::open(endpoint, {});
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_EQ(out_of_range.error().failure, RedisFailure::kAuth);
}

TEST(RedisConnection, RefusedConnectionAndServerGoneAreConnectionFailures) {
  auto redis = std::make_unique<RedisServerProcess>();
  const int port = redis->port();
  auto connection = open_ok(local(port));
  ASSERT_NE(connection, nullptr);
  redis.reset();  // stopped: the open connection is closed, new ones are refused
  auto gone = connection->command({"PING"});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().failure, RedisFailure::kConnection) << gone.error().message;
  EXPECT_TRUE(connection->broken());
  auto refused = RedisConnection::open(local(port), {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().failure, RedisFailure::kConnection) << refused.error().message;
}

TEST(RedisConnection, ASilentServerIsATimeout) {
  ScriptedServer silent("");
  RedisConnectionOptions options;
  options.timeout = milliseconds(100);
  auto connection = open_ok(local(silent.port()), options);
  ASSERT_NE(connection, nullptr);
  auto reply = connection->command({"GET", "k"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().failure, RedisFailure::kTimeout) << reply.error().message;
  EXPECT_TRUE(connection->broken());
}

TEST(RedisConnection, GarbageIsAProtocolFailure) {
  ScriptedServer garbage("HTTP/1.1 400 Bad Request\r\n\r\n");
  auto connection = open_ok(local(garbage.port()));
  ASSERT_NE(connection, nullptr);
  auto reply = connection->command({"GET", "k"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().failure, RedisFailure::kProtocol) << reply.error().message;
}

TEST(RedisConnection, AReplyOverTheBoundIsAbandoned) {
  RedisServerProcess redis;
  RedisConnectionOptions options;
  options.max_reply_bytes = 64 << 10;
  auto connection = open_ok(local(redis.port()), options);
  ASSERT_NE(connection, nullptr);
  const std::string at_bound((64 << 10) - 16, 'v');  // the reply adds its header and CRLF
  ASSERT_TRUE(connection->command({"SET", "small", at_bound}).ok());
  ASSERT_TRUE(connection->command({"SET", "large", std::string((64 << 10) + 1, 'v')}).ok());
  auto small = connection->command({"GET", "small"});
  ASSERT_TRUE(small.ok()) << small.error().message;
  EXPECT_EQ(small.value().text, at_bound);
  auto large = connection->command({"GET", "large"});
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error().failure, RedisFailure::kTooLarge);
  EXPECT_TRUE(connection->broken());
}

TEST(RedisConnection, UnresolvableHostIsAConnectionFailure) {
  RedisEndpoint endpoint = local(6379);
  endpoint.host = "no-such-host.invalid";
  auto connection = RedisConnection::open(endpoint, {});
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.error().failure, RedisFailure::kConnection);
}

}  // namespace
}  // namespace ramiel::server
