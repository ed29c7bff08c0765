// Tests for rules/expr.h: meta expressions and if-conditions.
#include <boost/test/unit_test.hpp>

#include "rules/expr.h"

using sendguard::rules::Expr;

namespace {

double Eval(const std::string& text, const std::vector<double>& values) {
  auto e = Expr::Parse(text);
  BOOST_REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  return e->Evaluate(values);
}

}  // namespace

BOOST_AUTO_TEST_CASE(expr_boolean_precedence) {
  // || binds looser than &&; ! binds tightest.
  BOOST_TEST(Eval("A || B && C", {1, 1, 0}) == 1);
  BOOST_TEST(Eval("(A || B) && C", {1, 1, 0}) == 0);
  BOOST_TEST(Eval("!A && B", {0, 1}) == 1);
  BOOST_TEST(Eval("!(A && B)", {1, 1}) == 0);
}

BOOST_AUTO_TEST_CASE(expr_arithmetic_and_comparison) {
  BOOST_TEST(Eval("(A + B + C) > 1", {1, 0, 1}) == 1);
  BOOST_TEST(Eval("(A + B + C) > 1", {1, 0, 0}) == 0);
  BOOST_TEST(Eval("A * 2 + 1 >= 3", {1}) == 1);
  BOOST_TEST(Eval("A - B == 0", {2, 2}) == 1);
  BOOST_TEST(Eval("A / B", {1, 0}) == 0);  // no division by zero
  BOOST_TEST(Eval("-A + 3", {1}) == 2);
  BOOST_TEST(Eval("A != 1 || B <= 0.5", {1, 0.25}) == 1);
}

BOOST_AUTO_TEST_CASE(expr_names_in_first_use_order) {
  auto e = Expr::Parse("__B && (A || __B) && plugin(Mail::X::Y)");
  BOOST_REQUIRE(e.ok());
  BOOST_TEST(e->names().size() == 3u);
  BOOST_TEST(e->names()[0] == "__B");
  BOOST_TEST(e->names()[1] == "A");
  BOOST_TEST(e->names()[2] == "plugin(Mail::X::Y)");
}

BOOST_AUTO_TEST_CASE(expr_errors_name_the_column) {
  auto e = Expr::Parse("A && ");
  BOOST_TEST(!e.ok());
  BOOST_TEST(e.status().message().find("missing operand") != std::string::npos);
  BOOST_TEST(!Expr::Parse("(A || B").ok());
  BOOST_TEST(!Expr::Parse("A B").ok());
  BOOST_TEST(!Expr::Parse("A $ B").ok());
  BOOST_TEST(!Expr::Parse(std::string(500, '(') + "A" + std::string(500, ')')).ok());
}
