#include "server/settings.h"

#include <gtest/gtest.h>

namespace ramiel::server {
namespace {

TEST(ServerSettings, DefaultsAreValid) {
  ServerSettings settings;
  EXPECT_TRUE(settings.validate().ok());
  EXPECT_EQ(settings.max_model_bytes, 256 << 20);
  EXPECT_GE(settings.resolved_workers(), 1);
}

TEST(ServerSettings, RejectsBadAddresses) {
  for (const char* address : {"localhost", ":50051", "host:", "host:port", "host:70000", "h:-1"}) {
    ServerSettings settings;
    settings.listen = address;
    const Status status = settings.validate();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << address;
    EXPECT_NE(status.message().find("listen"), std::string::npos) << status.message();
  }
  ServerSettings settings;
  settings.listen = "[::1]:0";
  settings.metrics_listen = "";  // disabled
  EXPECT_TRUE(settings.validate().ok());
}

TEST(ServerSettings, RejectsBadRanges) {
  ServerSettings settings;
  settings.queue_length = -1;
  EXPECT_FALSE(settings.validate().ok());
  settings = {};
  settings.max_model_bytes = 0;
  EXPECT_FALSE(settings.validate().ok());
  settings = {};
  settings.max_upload_bytes_in_flight = settings.max_model_bytes - 1;
  EXPECT_FALSE(settings.validate().ok());
  settings = {};
  settings.drain_timeout_seconds = -1;
  EXPECT_FALSE(settings.validate().ok());
}

TEST(ServerSettings, JsonOverlaysOnlyTheGivenKeys) {
  ServerSettings settings;
  ASSERT_TRUE(apply_json_settings(R"({"workers": 3, "cache_dir": "/tmp/c", "reflection": true,
                                      "drain_timeout_seconds": 2.5})",
                                  settings)
                  .ok());
  EXPECT_EQ(settings.workers, 3);
  EXPECT_EQ(settings.cache_dir, "/tmp/c");
  EXPECT_TRUE(settings.reflection);
  EXPECT_DOUBLE_EQ(settings.drain_timeout_seconds, 2.5);
  EXPECT_EQ(settings.queue_length, ServerSettings{}.queue_length);
}

TEST(ServerSettings, JsonMistakesAreErrorsNamingTheKey) {
  ServerSettings settings;
  Status status = apply_json_settings(R"({"worker": 3})", settings);
  EXPECT_NE(status.message().find("unknown key 'worker'"), std::string::npos) << status.message();
  status = apply_json_settings(R"({"workers": "3"})", settings);
  EXPECT_NE(status.message().find("'workers' has the wrong type"), std::string::npos);
  status = apply_json_settings(R"({"workers": 4294967296})", settings);
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(apply_json_settings("[1]", settings).ok());
  EXPECT_FALSE(apply_json_settings("{", settings).ok());
  EXPECT_EQ(load_settings_file("/nonexistent/ramiel.json", settings).code(), StatusCode::kNotFound);
}

TEST(ServerSettings, RedisKeysComeFromJsonAndAreValidated) {
  ServerSettings settings;
  ASSERT_TRUE(apply_json_settings(R"({"redis": "rediss://redis:6380/1",
                                      "redis_password_file": "/run/secrets/redis",
                                      "redis_tls_ca": "/etc/ramiel/redis-ca.pem",
                                      "redis_ttl_seconds": 3600, "redis_timeout_ms": 100})",
                                  settings)
                  .ok());
  EXPECT_EQ(settings.redis, "rediss://redis:6380/1");
  EXPECT_EQ(settings.redis_password_file, "/run/secrets/redis");
  EXPECT_EQ(settings.redis_tls_ca, "/etc/ramiel/redis-ca.pem");
  EXPECT_EQ(settings.redis_ttl_seconds, 3600);
  EXPECT_EQ(settings.redis_timeout_ms, 100);
  EXPECT_TRUE(settings.validate().ok()) << settings.validate().to_string();
  EXPECT_FALSE(apply_json_settings(R"({"redis_ttl_seconds": "1h"})", settings).ok());
}

TEST(ServerSettings, RedisMistakesStopTheStartNamingTheFlag) {
  const auto error_for = [](auto change) {
    ServerSettings settings;
    settings.redis = "redis://127.0.0.1:6379";
    change(settings);
    return settings.validate();
  };
  const auto expect_error = [](const Status& status, const std::string& flag) {
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(flag), std::string::npos) << status.message();
  };
  expect_error(error_for([](ServerSettings& s) { s.redis = "127.0.0.1:6379"; }), "--redis");
  expect_error(error_for([](ServerSettings& s) { s.redis = "redis://h:99999"; }), "--redis");
  expect_error(error_for([](ServerSettings& s) {
                 s.redis = "redis://:pw@h:6379";
                 s.redis_password_file = "/run/secrets/redis";
               }),
               "--redis-password-file");
  expect_error(error_for([](ServerSettings& s) { s.redis_tls_ca = "/ca.pem"; }), "--redis-tls-ca");
  expect_error(error_for([](ServerSettings& s) {
                 s.redis.clear();
                 s.redis_password_file = "/run/secrets/redis";
               }),
               "need --redis");
  // Limits: each crossed by one on both sides.
  for (const int64_t ttl : {int64_t{0}, int64_t{-1}, int64_t{2147483648}}) {
    expect_error(error_for([&](ServerSettings& s) { s.redis_ttl_seconds = ttl; }), "--redis-ttl");
  }
  for (const int64_t ttl : {int64_t{1}, int64_t{2147483647}}) {
    EXPECT_TRUE(error_for([&](ServerSettings& s) { s.redis_ttl_seconds = ttl; }).ok()) << ttl;
  }
  for (const int timeout : {0, -5, 60001}) {
    expect_error(error_for([&](ServerSettings& s) { s.redis_timeout_ms = timeout; }),
                 "--redis-timeout-ms");
  }
  for (const int timeout : {1, 60000}) {
    EXPECT_TRUE(error_for([&](ServerSettings& s) { s.redis_timeout_ms = timeout; }).ok());
  }
}

}  // namespace
}  // namespace ramiel::server
