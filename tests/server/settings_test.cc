#include "server/settings.h"

#include <functional>
#include <limits>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/settings_flags.h"

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

// Each field's limit, crossed by one step on both sides, with the exact message (flags, config
// files and the docs name them).
TEST(ServerSettings, EveryLimitIsCheckedWithItsMessage) {
  struct Case {
    std::function<void(ServerSettings&)> bad;
    std::function<void(ServerSettings&)> good;
    std::string message;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Case> cases = {
      {[](auto& s) { s.listen = "localhost"; }, [](auto& s) { s.listen = "localhost:0"; },
       "listen must be HOST:PORT, got 'localhost'"},
      {[](auto& s) { s.listen = "h:65536"; }, [](auto& s) { s.listen = "h:65535"; },
       "listen has a bad port in 'h:65536'"},
      {[](auto& s) { s.metrics_listen = "h:x"; }, [](auto& s) { s.metrics_listen = ""; },
       "metrics_listen has a bad port in 'h:x'"},
      {[](auto& s) { s.cache_dir = ""; }, [](auto& s) { s.cache_dir = "c"; },
       "cache_dir must not be empty"},
      {[](auto& s) { s.workers = -1; }, [](auto& s) { s.workers = 0; },
       "workers must be >= 0 (0: one per core)"},
      {[](auto& s) { s.queue_length = -1; }, [](auto& s) { s.queue_length = 0; },
       "queue_length must be >= 0"},
      {[](auto& s) { s.io_threads = 0; }, [](auto& s) { s.io_threads = 1; },
       "io_threads must be positive, got 0"},
      {[](auto& s) { s.max_model_bytes = 0; }, [](auto& s) { s.max_model_bytes = 1; },
       "max_model_bytes must be positive, got 0"},
      {[](auto& s) { s.max_upload_bytes_in_flight = -1; },
       [](auto& s) { s.max_upload_bytes_in_flight = s.max_model_bytes; },
       "max_upload_bytes_in_flight must be positive, got -1"},
      {[](auto& s) { s.max_upload_bytes_in_flight = s.max_model_bytes - 1; },
       [](auto& s) { s.max_upload_bytes_in_flight = s.max_model_bytes; },
       "max_upload_bytes_in_flight must be at least max_model_bytes"},
      {[](auto& s) { s.upload_idle_timeout_seconds = 0; },
       [](auto& s) { s.upload_idle_timeout_seconds = 0.001; },
       "upload_idle_timeout_seconds must be positive"},
      {[&](auto& s) { s.upload_idle_timeout_seconds = nan; },
       [](auto& s) { s.upload_idle_timeout_seconds = 1e9; },
       "upload_idle_timeout_seconds must be positive"},
      {[](auto& s) { s.max_compiles_per_peer = 0; }, [](auto& s) { s.max_compiles_per_peer = 1; },
       "max_compiles_per_peer must be positive, got 0"},
      {[](auto& s) { s.max_uploads_per_peer = 0; }, [](auto& s) { s.max_uploads_per_peer = 1; },
       "max_uploads_per_peer must be positive, got 0"},
      {[](auto& s) { s.max_streams_per_connection = -3; },
       [](auto& s) { s.max_streams_per_connection = 1; },
       "max_streams_per_connection must be positive, got -3"},
      {[](auto& s) { s.memory_cache_bytes = -1; }, [](auto& s) { s.memory_cache_bytes = 0; },
       "memory_cache_bytes must be >= 0"},
      {[](auto& s) { s.disk_cache_bytes = 0; }, [](auto& s) { s.disk_cache_bytes = 1; },
       "disk_cache_bytes must be positive, got 0"},
      {[](auto& s) { s.drain_timeout_seconds = -0.5; },
       [](auto& s) { s.drain_timeout_seconds = 0; }, "drain_timeout_seconds must be >= 0"},
      {[&](auto& s) { s.drain_timeout_seconds = nan; },
       [](auto& s) { s.drain_timeout_seconds = 0; }, "drain_timeout_seconds must be >= 0"},
      {[](auto& s) { s.debug_compile_delay_ms = -1; },
       [](auto& s) { s.debug_compile_delay_ms = 0; }, "debug_compile_delay_ms must be >= 0"},
      {[](auto& s) { s.compile_memory_bytes = (int64_t{64} << 20) - 1; },
       [](auto& s) { s.compile_memory_bytes = int64_t{64} << 20; },
       "compile_memory_bytes must be 0 (automatic) or at least 64 MiB"},
      {[](auto& s) { s.compile_memory_bytes = -1; }, [](auto& s) { s.compile_memory_bytes = 0; },
       "compile_memory_bytes must be 0 (automatic) or at least 64 MiB"},
      {[](auto& s) { s.compile_cpu_seconds = 0; }, [](auto& s) { s.compile_cpu_seconds = 1; },
       "compile_cpu_seconds must be positive, got 0"},
      {[](auto& s) { s.debug_worker_fault = "hang"; },
       [](auto& s) { s.debug_worker_fault = "spin"; },
       "debug_worker_fault must be crash, oom or spin"},
      {[](auto& s) { s.redis_tls_ca = "/ca.pem"; }, [](auto& s) { s.redis_tls_ca = ""; },
       "--redis-password-file and --redis-tls-ca need --redis"},
      {[](auto& s) { s.redis = "redis://h", s.redis_ttl_seconds = 0; },
       [](auto& s) { s.redis = "redis://h", s.redis_ttl_seconds = 1; },
       "--redis-ttl (redis_ttl_seconds) must be from 1 to 2147483647, got 0"},
      {[](auto& s) { s.redis = "redis://h", s.redis_ttl_seconds = 2147483648; },
       [](auto& s) { s.redis = "redis://h", s.redis_ttl_seconds = 2147483647; },
       "--redis-ttl (redis_ttl_seconds) must be from 1 to 2147483647, got 2147483648"},
      {[](auto& s) { s.redis = "redis://h", s.redis_timeout_ms = 60001; },
       [](auto& s) { s.redis = "redis://h", s.redis_timeout_ms = 60000; },
       "--redis-timeout-ms (redis_timeout_ms) must be from 1 to 60000, got 60001"},
      {[](auto& s) { s.redis = "redis://h", s.redis_timeout_ms = 0; },
       [](auto& s) { s.redis = "redis://h", s.redis_timeout_ms = 1; },
       "--redis-timeout-ms (redis_timeout_ms) must be from 1 to 60000, got 0"},
      {[](auto& s) {
         s.redis = "rediss://h", s.redis_password_file = "/p", s.redis = "redis://:x@h";
       },
       [](auto& s) { s.redis = "redis://:x@h"; },
       "--redis has a password and --redis-password-file gives another: give one"},
      {[](auto& s) { s.redis = "redis://h", s.redis_tls_ca = "/ca.pem"; },
       [](auto& s) { s.redis = "rediss://h", s.redis_tls_ca = "/ca.pem"; },
       "--redis-tls-ca needs a rediss:// URL in --redis"},
  };
  for (const Case& c : cases) {
    ServerSettings settings;
    c.bad(settings);
    const Status status = settings.validate();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(status.message(), c.message);
    settings = {};
    c.good(settings);
    EXPECT_TRUE(settings.validate().ok()) << c.message << ": " << settings.validate().to_string();
  }
}

TEST(ServerSettings, RedisLimitsApplyOnlyWithRedis) {
  ServerSettings settings;
  settings.redis_ttl_seconds = 0;
  settings.redis_timeout_ms = 0;
  EXPECT_TRUE(settings.validate().ok());
}

// Every key of the config file, each set to a value that differs from its default.
constexpr const char* kEveryKey = R"({
  "listen": "0.0.0.0:1", "metrics_listen": "", "cache_dir": "/c", "workers": 7,
  "queue_length": 8, "io_threads": 9, "max_model_bytes": 10, "max_upload_bytes_in_flight": 11,
  "upload_idle_timeout_seconds": 1.5, "max_compiles_per_peer": 12, "max_uploads_per_peer": 13,
  "max_streams_per_connection": 14, "memory_cache_bytes": 15, "disk_cache_bytes": 16,
  "drain_timeout_seconds": 2.5, "reflection": true, "log_requests": false,
  "debug_compile_delay_ms": 17, "compile_memory_bytes": 18, "compile_cpu_seconds": 19,
  "compile_worker": "/w", "compile_in_process": true, "debug_worker_fault": "oom",
  "tls_cert": "/a", "tls_key": "/b", "tls_client_ca": "/d", "auth_token_file": "/e",
  "insecure": true, "redis": "redis://h", "redis_password_file": "/f", "redis_tls_ca": "/g",
  "redis_ttl_seconds": 20, "redis_timeout_ms": 21})";

void expect_every_field_set(const ServerSettings& s) {
  EXPECT_EQ(s.listen, "0.0.0.0:1");
  EXPECT_EQ(s.metrics_listen, "");
  EXPECT_EQ(s.cache_dir, "/c");
  EXPECT_EQ(s.workers, 7);
  EXPECT_EQ(s.queue_length, 8);
  EXPECT_EQ(s.io_threads, 9);
  EXPECT_EQ(s.max_model_bytes, 10);
  EXPECT_EQ(s.max_upload_bytes_in_flight, 11);
  EXPECT_DOUBLE_EQ(s.upload_idle_timeout_seconds, 1.5);
  EXPECT_EQ(s.max_compiles_per_peer, 12);
  EXPECT_EQ(s.max_uploads_per_peer, 13);
  EXPECT_EQ(s.max_streams_per_connection, 14);
  EXPECT_EQ(s.memory_cache_bytes, 15);
  EXPECT_EQ(s.disk_cache_bytes, 16);
  EXPECT_DOUBLE_EQ(s.drain_timeout_seconds, 2.5);
  EXPECT_TRUE(s.reflection);
  EXPECT_FALSE(s.log_requests);
  EXPECT_EQ(s.debug_compile_delay_ms, 17);
  EXPECT_EQ(s.compile_memory_bytes, 18);
  EXPECT_EQ(s.compile_cpu_seconds, 19);
  EXPECT_EQ(s.compile_worker, "/w");
  EXPECT_TRUE(s.compile_in_process);
  EXPECT_EQ(s.debug_worker_fault, "oom");
  EXPECT_EQ(s.tls_cert, "/a");
  EXPECT_EQ(s.tls_key, "/b");
  EXPECT_EQ(s.tls_client_ca, "/d");
  EXPECT_EQ(s.auth_token_file, "/e");
  EXPECT_TRUE(s.insecure);
  EXPECT_EQ(s.redis, "redis://h");
  EXPECT_EQ(s.redis_password_file, "/f");
  EXPECT_EQ(s.redis_tls_ca, "/g");
  EXPECT_EQ(s.redis_ttl_seconds, 20);
  EXPECT_EQ(s.redis_timeout_ms, 21);
}

TEST(ServerSettings, EveryJsonKeySetsItsField) {
  ServerSettings settings;
  ASSERT_TRUE(apply_json_settings(kEveryKey, settings).ok());
  expect_every_field_set(settings);
}

TEST(ServerSettings, EveryJsonKeyRefusesTheWrongType) {
  const auto parsed = nlohmann::json::parse(kEveryKey);
  for (const auto& [key, good] : parsed.items()) {
    std::vector<nlohmann::json> wrong;
    if (good.is_string()) wrong = {1, true, nullptr, nlohmann::json::array()};
    if (good.is_boolean()) wrong = {1, "true", nullptr};
    if (good.is_number_integer()) wrong = {"1", 1.5, true, nlohmann::json::object()};
    if (good.is_number_float()) wrong = {"1", true, nullptr};
    ASSERT_FALSE(wrong.empty()) << key;
    for (const auto& value : wrong) {
      ServerSettings settings;
      const Status status = apply_json_settings(nlohmann::json{{key, value}}.dump(), settings);
      EXPECT_EQ(status.message(), "config key '" + key + "' has the wrong type") << value.dump();
    }
  }
  // Integers must fit their field: 32-bit fields refuse what 64-bit fields take.
  ServerSettings settings;
  EXPECT_EQ(apply_json_settings(R"({"io_threads": 2147483648})", settings).message(),
            "config key 'io_threads' has the wrong type");
  EXPECT_TRUE(apply_json_settings(R"({"io_threads": 2147483647})", settings).ok());
  EXPECT_TRUE(apply_json_settings(R"({"max_model_bytes": 4294967296})", settings).ok());
  EXPECT_EQ(settings.max_model_bytes, int64_t{4294967296});
  // Past int64 a number must not wrap into a negative (or any) size.
  EXPECT_EQ(apply_json_settings(R"({"max_model_bytes": 9223372036854775808})", settings).message(),
            "config key 'max_model_bytes' has the wrong type");
  EXPECT_EQ(apply_json_settings(R"({"max_model_bytes": 18446744073709551615})", settings).message(),
            "config key 'max_model_bytes' has the wrong type");
  EXPECT_EQ(settings.max_model_bytes, int64_t{4294967296});
  EXPECT_TRUE(apply_json_settings(R"({"max_model_bytes": 9223372036854775807})", settings).ok());
  // Seconds take integers too.
  EXPECT_TRUE(apply_json_settings(R"({"drain_timeout_seconds": 3})", settings).ok());
  EXPECT_DOUBLE_EQ(settings.drain_timeout_seconds, 3);
}

TEST(ServerSettings, ConfigMistakesAreNamed) {
  ServerSettings settings;
  EXPECT_EQ(apply_json_settings(R"({"listen": "a:1", "drain_timeout": 3})", settings).message(),
            "config has an unknown key 'drain_timeout'");
  EXPECT_EQ(apply_json_settings("[1]", settings).message(), "config must be a JSON object");
  EXPECT_EQ(apply_json_settings("{", settings).message(), "config is not valid JSON");
  EXPECT_EQ(load_settings_file("/nonexistent/ramiel.json", settings).message(),
            "cannot read config file '/nonexistent/ramiel.json'");
}

// Parses `args` (without the program name) as ramiel-server's flags and overlays them on `base`.
ServerSettings with_flags(std::vector<std::string> args, ServerSettings base = {}) {
  CLI::App app;
  const SettingsFlags flags(app);
  args.insert(args.begin(), "ramiel-server");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  flags.overlay(base);
  return base;
}

TEST(ServerSettingsFlags, EveryFlagSetsItsField) {
  const ServerSettings settings = with_flags({"--listen",
                                              "0.0.0.0:1",
                                              "--metrics-listen",
                                              "",
                                              "--cache-dir",
                                              "/c",
                                              "--workers",
                                              "7",
                                              "--queue-length",
                                              "8",
                                              "--io-threads",
                                              "9",
                                              "--max-model-bytes",
                                              "10",
                                              "--max-upload-bytes-in-flight",
                                              "11",
                                              "--upload-idle-timeout",
                                              "1.5",
                                              "--max-compiles-per-peer",
                                              "12",
                                              "--max-uploads-per-peer",
                                              "13",
                                              "--max-streams-per-connection",
                                              "14",
                                              "--memory-cache-bytes",
                                              "15",
                                              "--disk-cache-bytes",
                                              "16",
                                              "--drain-timeout",
                                              "2.5",
                                              "--reflection",
                                              "--no-request-log",
                                              "--debug-compile-delay-ms",
                                              "17",
                                              "--compile-memory-bytes",
                                              "18",
                                              "--compile-cpu-seconds",
                                              "19",
                                              "--compile-worker",
                                              "/w",
                                              "--compile-in-process",
                                              "--debug-worker-fault",
                                              "oom",
                                              "--tls-cert",
                                              "/a",
                                              "--tls-key",
                                              "/b",
                                              "--tls-client-ca",
                                              "/d",
                                              "--auth-token-file",
                                              "/e",
                                              "--insecure",
                                              "--redis",
                                              "redis://h",
                                              "--redis-password-file",
                                              "/f",
                                              "--redis-tls-ca",
                                              "/g",
                                              "--redis-ttl",
                                              "20",
                                              "--redis-timeout-ms",
                                              "21"});
  expect_every_field_set(settings);
}

TEST(ServerSettingsFlags, OnlyFlagsGivenOverrideTheConfigFile) {
  ServerSettings config;
  ASSERT_TRUE(
      apply_json_settings(R"({"workers": 3, "queue_length": 9, "log_requests": false})", config)
          .ok());
  // A flag given with its default value still wins; flags not given leave the config's values.
  const ServerSettings settings = with_flags({"--workers", "0", "--io-threads", "5"}, config);
  EXPECT_EQ(settings.workers, 0);
  EXPECT_EQ(settings.io_threads, 5);
  EXPECT_EQ(settings.queue_length, 9);
  EXPECT_FALSE(settings.log_requests);
  EXPECT_EQ(settings.cache_dir, ServerSettings().cache_dir);
}

TEST(ServerSettingsFlags, ValuesOfTheWrongKindAreCommandLineErrors) {
  EXPECT_THROW(with_flags({"--workers", "many"}), CLI::ParseError);
  EXPECT_THROW(with_flags({"--io-threads", "2147483648"}), CLI::ParseError);
  EXPECT_THROW(with_flags({"--drain-timeout", "soon"}), CLI::ParseError);
  EXPECT_THROW(with_flags({"--worker", "2"}), CLI::ParseError);
  EXPECT_EQ(with_flags({"--max-model-bytes", "4294967296"}).max_model_bytes, int64_t{1} << 32);
}

TEST(ServerSettingsFlags, HelpListsEveryFlagButTheTestOnesWithDefaultsAndConfigKeys) {
  CLI::App app;
  const SettingsFlags flags(app);
  const std::string help = app.help();
  for (const char* shown :
       {"--listen TEXT=127.0.0.1:50051", "--workers INT=0", "--upload-idle-timeout FLOAT=30",
        "--no-request-log", "--reflection", "--redis-timeout-ms INT=250", "--compile-in-process"}) {
    EXPECT_NE(help.find(shown), std::string::npos) << shown;
  }
  for (const char* hidden : {"--debug-worker-fault", "--debug-compile-delay-ms"}) {
    EXPECT_EQ(help.find(hidden), std::string::npos) << hidden;
  }
  // Every key that is not the flag's name with '_' for '-' is spelled out.
  const std::string config = config_file_help();
  for (const char* key :
       {R"(--upload-idle-timeout is "upload_idle_timeout_seconds")",
        R"(--drain-timeout is "drain_timeout_seconds")", R"(--redis-ttl is "redis_ttl_seconds")",
        R"(--no-request-log is "log_requests": false)"}) {
    EXPECT_NE(config.find(key), std::string::npos) << key;
  }
  EXPECT_EQ(config.find("--workers"), std::string::npos);
}

}  // namespace
}  // namespace ramiel::server
