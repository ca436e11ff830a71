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

}  // namespace
}  // namespace ramiel::server
