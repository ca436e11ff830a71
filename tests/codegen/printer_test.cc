#include "core/codegen/python/printer.h"

#include <gtest/gtest.h>

namespace ramiel::codegen::py {
namespace {

std::string show(const ExprPtr& e) {
  return Printer().expr(*e);
}
std::string show(const std::vector<Stmt>& body, int width = 100) {
  return Printer(width).statements(body).text;
}

TEST(PrinterTest, Literals) {
  EXPECT_EQ(show(int_lit(-3)), "-3");
  EXPECT_EQ(show(float32_lit(0.1f)), "0.1");
  EXPECT_EQ(show(float_lit(0.1f)), "0.10000000149011612");
  EXPECT_EQ(show(str_lit("it's \"x\"")), "\"it's \\\"x\\\"\"");
  EXPECT_EQ(show(bool_lit(true)), "True");
  EXPECT_EQ(show(none()), "None");
  EXPECT_EQ(show(tuple({})), "()");
  EXPECT_EQ(show(tuple({int_lit(1)})), "(1,)");
  EXPECT_EQ(show(ints_tuple({1, 2})), "(1, 2)");
  EXPECT_EQ(show(list({})), "[]");
  EXPECT_EQ(show(dict({{str_lit("a"), int_lit(1)}})), "{\"a\": 1}");
}

TEST(PrinterTest, CallsAttributesAndSubscripts) {
  EXPECT_EQ(show(call(dotted("F.conv2d"), {name("x"), name("w")}, {{"stride", int_lit(2)}})),
            "F.conv2d(x, w, stride=2)");
  EXPECT_EQ(show(method(name("x"), "reshape", {int_lit(1), int_lit(-1)})), "x.reshape(1, -1)");
  EXPECT_EQ(show(attr(int_lit(1), "real")), "(1).real");
  EXPECT_EQ(show(attr(binop("+", name("a"), name("b")), "shape")), "(a + b).shape");
  EXPECT_EQ(
      show(subscript(name("x"), tuple({slice(nullptr, nullptr), slice(int_lit(1), int_lit(3))}))),
      "x[:, 1:3]");
  EXPECT_EQ(show(subscript(name("x"), slice(nullptr, nullptr, int_lit(2)))), "x[::2]");
  EXPECT_EQ(show(subscript(name("x"), int_lit(0))), "x[0]");
}

TEST(PrinterTest, PrecedenceAddsOnlyNeededParentheses) {
  auto a = name("a"), b = name("b"), c = name("c");
  EXPECT_EQ(show(binop("*", binop("+", a, b), c)), "(a + b) * c");
  EXPECT_EQ(show(binop("+", binop("*", a, b), c)), "a * b + c");
  EXPECT_EQ(show(binop("-", a, binop("-", b, c))), "a - (b - c)");
  EXPECT_EQ(show(binop("-", binop("-", a, b), c)), "a - b - c");
  EXPECT_EQ(show(binop("**", a, binop("**", b, c))), "a ** b ** c");
  EXPECT_EQ(show(binop("**", binop("**", a, b), c)), "(a ** b) ** c");
  EXPECT_EQ(show(binop("**", unary("-", a), b)), "(-a) ** b");
  EXPECT_EQ(show(binop("**", a, unary("-", b))), "a ** -b");
  EXPECT_EQ(show(binop("**", int_lit(-1), a)), "(-1) ** a");
  EXPECT_EQ(show(binop("*", a, float_lit(-0.5))), "a * -0.5");
  EXPECT_EQ(show(unary("-", int_lit(-1))), "- -1");
  EXPECT_EQ(show(binop("<", binop("<", a, b), c)), "(a < b) < c");
  EXPECT_EQ(show(unary("not", binop("==", a, b))), "not a == b");
  EXPECT_EQ(show(binop("==", unary("not", a), b)), "(not a) == b");
  EXPECT_EQ(show(binop("*", a, float_lit(-std::numeric_limits<double>::infinity()))),
            "a * -float(\"inf\")");
}

TEST(PrinterTest, StatementsAndIndentation) {
  std::vector<Stmt> body;
  body.push_back(assign(name("y"), call(dotted("F.relu"), {name("x")})));
  body.push_back(del_stmt({"x"}));
  body.push_back(return_stmt(name("y")));
  std::vector<Stmt> module;
  module.push_back(comment("a comment\nwith a newline"));
  module.push_back(function_def("f", {"c", "io"}, "Does things.", std::move(body)));
  module.push_back(function_def("g", {}, "", {}));
  module.push_back(if_stmt(binop("==", name("__name__"), str_lit("__main__")),
                           {expr_stmt(call(name("main"), {}))}, {raw("pass")}));
  EXPECT_EQ(show(module),
            "# a comment?with a newline\n"
            "def f(c, io):\n"
            "    \"\"\"Does things.\"\"\"\n"
            "    y = F.relu(x)\n"
            "    del x\n"
            "    return y\n"
            "def g():\n"
            "    pass\n"
            "if __name__ == \"__main__\":\n"
            "    main()\n"
            "else:\n"
            "    pass\n");
}

TEST(PrinterTest, DocstringsThatNeedEscapesBecomeLiterals) {
  std::vector<Stmt> module = {function_def("f", {}, "two\nlines", {}),
                              function_def("g", {}, "back\\slash", {})};
  EXPECT_EQ(show(module),
            "def f():\n    \"\"\"two\n    lines\n    \"\"\"\n"
            "def g():\n    \"back\\\\slash\"\n");
}

TEST(PrinterTest, TupleUnpackingAndTrailingComments) {
  Stmt s =
      assign_many({name("a"), name("_")}, call(dotted("torch.split"), {name("x"), int_lit(2)}));
  s.trailing_comment = "two halves";
  EXPECT_EQ(show({s}), "a, _ = torch.split(x, 2)  # two halves\n");
  EXPECT_EQ(show({assign_many({tuple({name("a")})}, name("pair"))}), "(a,) = pair\n");
}

TEST(PrinterTest, LongLinesBreakInsideBrackets) {
  std::vector<ExprPtr> args;
  for (int i = 0; i < 6; ++i) args.push_back(name("argument_number_" + std::to_string(i)));
  Stmt s = assign(name("result"), call(dotted("torch.cat"), {list(args)}, {{"dim", int_lit(1)}}));
  EXPECT_EQ(show({s}, 60),
            "result = torch.cat(\n"
            "    [\n"
            "        argument_number_0,\n"
            "        argument_number_1,\n"
            "        argument_number_2,\n"
            "        argument_number_3,\n"
            "        argument_number_4,\n"
            "        argument_number_5,\n"
            "    ],\n"
            "    dim=1,\n"
            ")\n");
  args.resize(4);
  Stmt shorter =
      assign(name("result"), call(dotted("torch.cat"), {list(args)}, {{"dim", int_lit(1)}}));
  EXPECT_EQ(
      show({shorter}, 100),
      "result = torch.cat(\n"
      "    [argument_number_0, argument_number_1, argument_number_2, argument_number_3], dim=1\n"
      ")\n");
}

TEST(PrinterTest, LongListsOfNumbersArePacked) {
  std::vector<int64_t> values;
  for (int64_t i = 0; i < 12; ++i) values.push_back(1000 + i);
  EXPECT_EQ(show({assign(name("v"), call(dotted("torch.tensor"), {ints_list(values)}))}, 40),
            "v = torch.tensor(\n"
            "    [\n"
            "        1000, 1001, 1002, 1003, 1004,\n"
            "        1005, 1006, 1007, 1008, 1009,\n"
            "        1010, 1011,\n"
            "    ],\n"
            ")\n");
}

TEST(PrinterTest, LongDelStatementsSplit) {
  std::vector<std::string> names;
  for (int i = 0; i < 8; ++i) names.push_back("variable_" + std::to_string(i));
  EXPECT_EQ(show({del_stmt(names)}, 50),
            "del variable_0, variable_1, variable_2, variable_3\n"
            "del variable_4, variable_5, variable_6, variable_7\n");
}

TEST(PrinterTest, RawTextIsIndentedAndTagsCoverEveryLine) {
  Stmt tagged_stmt = assign(name("y"), call(name("f"), {name("x")}));
  tagged_stmt.tag = LineTag{"node", "Op"};
  std::vector<Stmt> body = {raw("a = 1\n\nb = 2\n"), tagged_stmt};
  std::vector<Stmt> module = {comment("x"), function_def("f", {}, "", std::move(body))};
  PrintedCode printed = Printer().statements(module, 10);
  EXPECT_EQ(printed.text, "# x\ndef f():\n    a = 1\n\n    b = 2\n    y = f(x)\n");
  EXPECT_EQ(printed.line_count, 6);
  ASSERT_EQ(printed.tagged_lines.size(), 1u);
  EXPECT_EQ(printed.tagged_lines[0].first, 15);
  EXPECT_EQ(printed.tagged_lines[0].second, (LineTag{"node", "Op"}));
}

}  // namespace
}  // namespace ramiel::codegen::py
