#include <gtest/gtest.h>

#include "core/driver/compile.h"

namespace ramiel::driver {
namespace {

TEST(CompileOptionsTest, ValidateRejectsBadValues) {
  CompileOptions options;
  EXPECT_TRUE(options.validate().ok());
  options.workers = 0;
  EXPECT_EQ(options.validate().code(), StatusCode::kInvalidArgument);
  options.workers = 2;
  options.input_shapes["x"] = {1, 0};
  EXPECT_EQ(options.validate().code(), StatusCode::kInvalidArgument);
  options.input_shapes["x"] = {1, 3};
  options.device_profile_json = "{not json";
  EXPECT_NE(options.validate().message().find("device profile is not valid JSON"), std::string::npos);
  options.device_profile_json = "[1, 2]";
  EXPECT_NE(options.validate().message().find("must be a JSON object"), std::string::npos);
  options.device_profile_json = "{}";
  EXPECT_TRUE(options.validate().ok());
  for (const std::string& bad :
       {std::string(63, 'a'), std::string(64, 'A'), std::string(64, 'g')}) {
    options.model_sha256 = bad;
    EXPECT_NE(options.validate().message().find("64 lower-case hex"), std::string::npos) << bad;
  }
  options.model_sha256 = std::string(64, '0');
  EXPECT_TRUE(options.validate().ok());
}

TEST(CompileOptionsTest, CanonicalIgnoresFormattingButNotContent) {
  CompileOptions a, b;
  a.device_profile_json = R"({"peak_gflops": 40, "memory_gbps": 9})";
  b.device_profile_json = "{ \"memory_gbps\":9,\n  \"peak_gflops\":40 }";
  EXPECT_EQ(a.canonical(), b.canonical());
  b.workers = 3;
  EXPECT_NE(a.canonical(), b.canonical());
  b.workers = a.workers;
  b.input_shapes["x"] = {1, 3};
  EXPECT_NE(a.canonical(), b.canonical());
  b.input_shapes.clear();
  b.model_name = "other";
  EXPECT_NE(a.canonical(), b.canonical());
  // Things that do not change the output do not change the key.
  b.model_name = a.model_name;
  b.print_ir_after = "fold-constants";
  b.model_dir = "/somewhere";
  b.model_sha256 = std::string(64, 'f');  // the model is keyed on its own
  EXPECT_EQ(a.canonical(), b.canonical());
}

}  // namespace
}  // namespace ramiel::driver
