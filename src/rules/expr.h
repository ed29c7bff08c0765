// rules/expr.h — the small expression language of SpamAssassin `meta` rules
// and of `if` conditions: numbers, names, ! - * / + - < <= > >= == != && ||
// and parentheses, with Perl's precedence. `plugin(X)`, `can(X)` and
// `version` are plain names here; the caller gives every name its value.
//
// Contract: Parse() either returns a compiled Expr or an InvalidArgument
// Status saying what is wrong and where. Evaluate() is total (x/0 is 0) and
// returns a number; "true" is non-zero, as in Perl.
// Thread-safety: an Expr is immutable after Parse; Evaluate is const.
#ifndef SENDGUARD_RULES_EXPR_H_
#define SENDGUARD_RULES_EXPR_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sendguard {
namespace rules {

class Expr {
 public:
  static Result<Expr> Parse(std::string_view text);

  // Distinct names used, in order of first use; Evaluate() takes one value
  // per name, in this order.
  const std::vector<std::string>& names() const { return names_; }
  double Evaluate(const std::vector<double>& values) const;

 private:
  enum class Op { kConst, kName, kNot, kNeg, kMul, kDiv, kAdd, kSub, kLt, kLe,
                  kGt, kGe, kEq, kNe, kAnd, kOr };
  struct Instr {
    Op op;
    double value;  // kConst: the number; kName: index into names_
  };
  friend class ExprParser;
  std::vector<Instr> code_;  // reverse Polish
  std::vector<std::string> names_;
};

}  // namespace rules
}  // namespace sendguard

#endif  // SENDGUARD_RULES_EXPR_H_
