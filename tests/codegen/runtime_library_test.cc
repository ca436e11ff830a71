#include "core/codegen/runtime_library.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace ramiel::codegen {
namespace {

TEST(RuntimeLibraryTest, HelpersAreIndexedAtBuildTime) {
  auto names = runtime_helper_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_GT(names.size(), 40u);
  for (const char* helper :
       {"onnx_gather", "tensor_from_base64", "onnx_reshape", "onnx_recurrent"}) {
    EXPECT_TRUE(is_runtime_helper(helper)) << helper;
  }
  for (const char* other : {"", "Program", "load_constants", "onnx_gathe", "torch"}) {
    EXPECT_FALSE(is_runtime_helper(other)) << other;
  }
}

TEST(RuntimeLibraryTest, TheRuntimeFileHoldsEveryPartAndItsVersion) {
  const std::string text = runtime_file("9.8.7");
  const std::string version = runtime_version("9.8.7");
  EXPECT_EQ(version, "9.8.7+" + std::string(runtime_sources_digest()));
  EXPECT_EQ(runtime_sources_digest().size(), 12u);
  EXPECT_NE(text.find("\nRUNTIME_VERSION = \"" + version + "\"\n"), std::string::npos);
  size_t at = 0;
  for (std::string_view part : runtime_parts()) {  // each whole, in order
    size_t found = text.find(part, at);
    ASSERT_NE(found, std::string::npos);
    at = found + part.size();
  }
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.substr(text.size() - 2), "\n\n");
  // model.py's own parts are not the runtime's.
  EXPECT_EQ(text.find(model_head_source()), std::string::npos);
  EXPECT_EQ(text.find(model_tail_source()), std::string::npos);
}

}  // namespace
}  // namespace ramiel::codegen
