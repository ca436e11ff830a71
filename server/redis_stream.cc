#include "server/redis_stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>

#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace ramiel::server {
namespace {

using Clock = std::chrono::steady_clock;

RedisError failure(RedisFailure kind, std::string message) {
  return {kind, std::move(message)};
}

RedisError errno_failure(const std::string& step, int error_number) {
  return failure(error_number == ETIMEDOUT ? RedisFailure::kTimeout : RedisFailure::kConnection,
                 step + ": " + std::strerror(error_number));
}

// The oldest OpenSSL error of this thread, emptying its queue.
std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof(line));
    if (text.empty()) text = line;
  }
  return text.empty() ? "unknown TLS error" : text;
}

// Waits until `fd` is ready for `events`; false when `timeout` passed first.
RedisResult<bool> wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd item{fd, events, 0};
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const int n = ::poll(&item, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return errno_failure("poll", errno);
  }
}

std::chrono::milliseconds until(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

RedisError timed_out(const std::string& step, std::chrono::milliseconds timeout) {
  return failure(RedisFailure::kTimeout,
                 step + ": no progress within " + std::to_string(timeout.count()) + " ms");
}

// Connects a non-blocking socket to one address by `deadline`; the descriptor or an error.
RedisResult<int> connect_one(const addrinfo& address, Clock::time_point deadline) {
  const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_failure("socket", errno);
  if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    ::close(fd);
    return errno_failure("connect", error);
  }
  auto ready = wait_for(fd, POLLOUT, until(deadline));
  if (!ready.ok() || !ready.value()) {
    ::close(fd);
    if (!ready.ok()) return ready.error();
    return failure(RedisFailure::kTimeout, "connect: no answer by the deadline");
  }
  int error = 0;
  socklen_t length = sizeof(error);
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    ::close(fd);
    return errno_failure("connect", error);
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

bool is_ip_address(const std::string& host) {
  in6_addr address{};
  return ::inet_pton(AF_INET, host.c_str(), &address) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

// OpenSSL writes with write(2), so a server that resets a TLS connection would raise SIGPIPE,
// whose default action ends the process. Plain TCP sends with MSG_NOSIGNAL instead.
void ignore_sigpipe() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      ::signal(SIGPIPE, SIG_IGN);
    }
  });
}

}  // namespace

RedisResult<SslContextPtr> make_redis_tls_context(const std::string& ca_file) {
  ERR_clear_error();
  SslContextPtr context(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  if (context == nullptr) return failure(RedisFailure::kTls, openssl_errors());
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(context.get(),
                   SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  const bool loaded =
      ca_file.empty() ? SSL_CTX_set_default_verify_paths(context.get()) == 1
                      : SSL_CTX_load_verify_locations(context.get(), ca_file.c_str(), nullptr) == 1;
  if (!loaded) {
    return failure(RedisFailure::kTls, "--redis-tls-ca: cannot load '" + ca_file +
                                           "' as a PEM CA bundle: " + openssl_errors());
  }
  return context;
}

RedisResult<std::unique_ptr<RedisStream>> RedisStream::connect(const std::string& host, int port,
                                                               const SslContextPtr& tls,
                                                               Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const std::string service = std::to_string(port);
  if (const int error = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses)) {
    return failure(RedisFailure::kConnection,
                   "cannot resolve '" + host + "': " + ::gai_strerror(error));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(addresses, ::freeaddrinfo);
  RedisError last = failure(RedisFailure::kConnection, "'" + host + "' has no address");
  int fd = -1;
  for (const addrinfo* address = addresses; address != nullptr && fd < 0;
       address = address->ai_next) {
    auto connected = connect_one(*address, deadline);
    if (connected.ok()) {
      fd = connected.value();
    } else {
      last = connected.error();
      if (Clock::now() >= deadline) break;
    }
  }
  if (fd < 0) return last;
  std::unique_ptr<RedisStream> stream(new RedisStream(fd, nullptr));
  if (tls == nullptr) return stream;

  ignore_sigpipe();
  ERR_clear_error();
  stream->ssl_ = SSL_new(tls.get());
  if (stream->ssl_ == nullptr) return failure(RedisFailure::kTls, openssl_errors());
  SSL_set_fd(stream->ssl_, fd);
  if (is_ip_address(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream->ssl_), host.c_str());
  } else {
    SSL_set_tlsext_host_name(stream->ssl_, host.c_str());
    SSL_set1_host(stream->ssl_, host.c_str());
  }
  for (;;) {
    ERR_clear_error();
    const int result = SSL_connect(stream->ssl_);
    if (result == 1) return stream;
    const int error = SSL_get_error(stream->ssl_, result);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      const long verify = SSL_get_verify_result(stream->ssl_);
      std::string message = "TLS handshake with " + host + " failed: ";
      message += verify != X509_V_OK ? X509_verify_cert_error_string(verify)
                 : error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 ? "the connection closed"
                                                                       : openssl_errors();
      return failure(RedisFailure::kTls, std::move(message));
    }
    auto ready = wait_for(fd, error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, until(deadline));
    if (!ready.ok()) return ready.error();
    if (!ready.value()) {
      return failure(RedisFailure::kTimeout, "TLS handshake: no answer by the deadline");
    }
  }
}

RedisStream::~RedisStream() {
  if (ssl_ != nullptr) SSL_free(ssl_);  // no close_notify: the socket closes right after
  ::close(fd_);
}

std::optional<RedisError> RedisStream::write_all(std::string_view bytes,
                                                 std::chrono::milliseconds timeout) {
  while (!bytes.empty()) {
    short wait_events = POLLOUT;
    if (ssl_ == nullptr) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return errno_failure("send", errno);
    } else {
      ERR_clear_error();
      const int n =
          SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), 1 << 30)));
      if (n > 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      const int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_WANT_READ) {
        wait_events = POLLIN;
      } else if (error != SSL_ERROR_WANT_WRITE) {
        return failure(RedisFailure::kConnection, "TLS write: " + openssl_errors());
      }
    }
    auto ready = wait_for(fd_, wait_events, timeout);
    if (!ready.ok()) return ready.error();
    if (!ready.value()) return timed_out("write", timeout);
  }
  return std::nullopt;
}

RedisResult<size_t> RedisStream::read_some(char* buffer, size_t size,
                                           std::chrono::milliseconds timeout) {
  const int chunk = static_cast<int>(std::min<size_t>(size, 1 << 30));
  for (;;) {
    short wait_events = POLLIN;
    if (ssl_ == nullptr) {
      const ssize_t n = ::recv(fd_, buffer, static_cast<size_t>(chunk), 0);
      if (n > 0) return static_cast<size_t>(n);
      if (n == 0) return failure(RedisFailure::kConnection, "the server closed the connection");
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return errno_failure("recv", errno);
    } else {
      ERR_clear_error();
      const int n = SSL_read(ssl_, buffer, chunk);
      if (n > 0) return static_cast<size_t>(n);
      const int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_WANT_WRITE) {
        wait_events = POLLOUT;
      } else if (error == SSL_ERROR_ZERO_RETURN ||
                 (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
        return failure(RedisFailure::kConnection, "the server closed the connection");
      } else if (error != SSL_ERROR_WANT_READ) {
        return failure(RedisFailure::kConnection, "TLS read: " + openssl_errors());
      }
    }
    auto ready = wait_for(fd_, wait_events, timeout);
    if (!ready.ok()) return ready.error();
    if (!ready.value()) return timed_out("read", timeout);
  }
}

}  // namespace ramiel::server
