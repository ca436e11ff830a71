#include "core/codegen/python/names.h"

#include <gtest/gtest.h>


namespace ramiel::codegen::py {
namespace {

TEST(NamesTest, SanitizeKeepsNamesReadable) {
  EXPECT_EQ(sanitize_identifier("conv1"), "conv1");
  EXPECT_EQ(sanitize_identifier("onnx::Conv_12"), "onnx_Conv_12");
  EXPECT_EQ(sanitize_identifier("/features/conv0/Conv_output_0"), "features_conv0_Conv_output_0");
  EXPECT_EQ(sanitize_identifier("input.1"), "input_1");
  EXPECT_EQ(sanitize_identifier("123"), "t_123");
  EXPECT_EQ(sanitize_identifier("__init__"), "init");
  EXPECT_EQ(sanitize_identifier(""), "t");
  EXPECT_EQ(sanitize_identifier("::"), "t");
  EXPECT_EQ(sanitize_identifier("caf\xc3\xa9"), "caf");
}

TEST(NamesTest, TheExportersOutputSuffixIsDropped) {
  EXPECT_EQ(tensor_name_base("/layer1/conv/Conv_output_0"), "/layer1/conv/Conv");
  EXPECT_EQ(tensor_name_base("/split/Split_output_1"), "/split/Split_output_1");
  EXPECT_EQ(tensor_name_base("_output_0"), "_output_0");
  EXPECT_EQ(tensor_name_base("x"), "x");
}

TEST(NamesTest, KeywordsAndBuiltinsAreKnown) {
  EXPECT_TRUE(is_keyword("class"));
  EXPECT_TRUE(is_keyword("match"));
  EXPECT_TRUE(is_keyword("None"));
  EXPECT_FALSE(is_keyword("torch"));
  EXPECT_TRUE(is_builtin("input"));
  EXPECT_TRUE(is_builtin("ZeroDivisionError"));
  EXPECT_TRUE(is_builtin("abs"));
  EXPECT_FALSE(is_builtin("conv"));
}

TEST(NamesTest, NamerAvoidsKeywordsBuiltinsAndReservedNames) {
  Namer namer(/*reserve_builtins=*/true);
  namer.reserve("torch");
  namer.reserve("F");
  EXPECT_EQ(namer.fresh("input"), "input_");
  EXPECT_EQ(namer.fresh("class"), "class_");
  EXPECT_EQ(namer.fresh("torch"), "torch_");
  EXPECT_EQ(namer.fresh("F"), "F_");
  EXPECT_EQ(namer.fresh("x"), "x");
  EXPECT_EQ(namer.fresh("x"), "x_1");
  EXPECT_EQ(namer.fresh("x:0"), "x_0");
  EXPECT_EQ(namer.fresh("x.0"), "x_0_1");
  EXPECT_EQ(namer.fresh("input"), "input__1");
}

TEST(NamesTest, AttributeNamesMayBeBuiltins) {
  Namer namer(/*reserve_builtins=*/false);
  EXPECT_EQ(namer.fresh("input"), "input");
  EXPECT_EQ(namer.fresh("lambda"), "lambda_");
}

}  // namespace
}  // namespace ramiel::codegen::py
