#include "server/redis_endpoint.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/server/test_results.h"

namespace ramiel::server {
namespace {

TEST(RedisUrl, ParsesEveryPartAndDefaultsTheRest) {
  auto plain = parse_redis_url("redis://cache.internal");
  ASSERT_TRUE(plain.ok()) << plain.status().to_string();
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "cache.internal");
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->database, 0);
  EXPECT_TRUE(plain->password.empty());

  auto full = parse_redis_url("rediss://:s3cret@10.0.0.7:6380/3");
  ASSERT_TRUE(full.ok()) << full.status().to_string();
  EXPECT_TRUE(full->tls);
  EXPECT_EQ(full->host, "10.0.0.7");
  EXPECT_EQ(full->port, 6380);
  EXPECT_EQ(full->database, 3);
  EXPECT_EQ(full->username, "");
  EXPECT_EQ(full->password, "s3cret");

  auto acl = parse_redis_url("redis://ramiel:p%40ss%3Aword@[::1]:7000/");
  ASSERT_TRUE(acl.ok()) << acl.status().to_string();
  EXPECT_EQ(acl->username, "ramiel");
  EXPECT_EQ(acl->password, "p@ss:word");
  EXPECT_EQ(acl->host, "::1");
  EXPECT_EQ(acl->port, 7000);
  EXPECT_EQ(acl->describe(), "redis://[::1]:7000/0");
}

TEST(RedisUrl, PortAndDatabaseLimitsAreChecked) {
  EXPECT_TRUE(parse_redis_url("redis://h:1").ok());
  EXPECT_TRUE(parse_redis_url("redis://h:65535/2147483647").ok());
  for (const char* url : {"redis://h:0", "redis://h:65536", "redis://h:-1", "redis://h:port",
                          "redis://h:", "redis://h:6379/-1", "redis://h:6379/x",
                          "redis://h:6379/2147483648", "redis://[::1]:", "redis://[::1]x"}) {
    const auto parsed = parse_redis_url(url);
    EXPECT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << url;
  }
}

TEST(RedisUrl, MalformedUrlsAreErrorsNamingTheFlagNotThePassword) {
  for (const char* url :
       {"http://h:6379", "redis:/h", "h:6379", "", "redis://", "redis://:hunter2@",
        "redis://:hunter2@:6379", "redis://hunter2@h", "redis://:@h", "redis://:hun%2ter2@h",
        "redis://:hunter2@h%", "redis://h:6379?db=1", "redis://[::1:6379"}) {
    const auto parsed = parse_redis_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_NE(parsed.status().message().find("--redis"), std::string::npos)
        << parsed.status().message();
    EXPECT_EQ(parsed.status().message().find("hunter2"), std::string::npos)
        << parsed.status().message();
  }
}

TEST(RedisUrl, DescribeLeavesTheCredentialsOut) {
  auto endpoint = parse_redis_url("rediss://admin:hunter2@redis:6379/1");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(endpoint->describe(), "rediss://redis:6379/1");
}

TEST(RedisPasswordFile, OneLineWithOrWithoutItsNewline) {
  testing::TempDir dir;
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.path() / name, std::ios::binary) << text;
    return (dir.path() / name).string();
  };
  EXPECT_EQ(read_redis_password_file(write("a", "secret\n")).value(), "secret");
  EXPECT_EQ(read_redis_password_file(write("b", "secret")).value(), "secret");
  EXPECT_EQ(read_redis_password_file(write("c", "secret\r\n")).value(), "secret");
  EXPECT_EQ(read_redis_password_file(write("d", "\n")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(read_redis_password_file(write("e", "one\ntwo\n")).status().code(),
            StatusCode::kInvalidArgument);
  const auto missing = read_redis_password_file((dir.path() / "missing").string());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("--redis-password-file"), std::string::npos);
}

}  // namespace
}  // namespace ramiel::server
