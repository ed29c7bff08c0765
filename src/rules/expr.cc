// rules/expr.cc — tokenizer, precedence-climbing parser and RPN evaluator.
#include "rules/expr.h"

#include <cctype>
#include <cstdlib>

namespace sendguard {
namespace rules {
namespace {

bool IsNameStart(char c) { return isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }

struct BinaryOp {
  const char* text;
  int precedence;  // higher binds tighter
  int op;          // Expr::Op as int
};

}  // namespace

class ExprParser {
 public:
  using Op = Expr::Op;
  explicit ExprParser(std::string_view text) : text_(text) {}

  Status Run(Expr* out) {
    Status s = ParseBinary(0);
    if (!s.ok()) return s;
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected '" + std::string(text_.substr(pos_, 10)) + "'");
    *out = std::move(expr_);
    return Status::Ok();
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("expression: " + what + " at column " + std::to_string(pos_ + 1));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool MatchBinary(int min_prec, int* prec, Op* op) {
    static const BinaryOp kOps[] = {
        {"||", 1, static_cast<int>(Op::kOr)}, {"&&", 2, static_cast<int>(Op::kAnd)},
        {"==", 3, static_cast<int>(Op::kEq)}, {"!=", 3, static_cast<int>(Op::kNe)},
        {"<=", 4, static_cast<int>(Op::kLe)}, {">=", 4, static_cast<int>(Op::kGe)},
        {"<", 4, static_cast<int>(Op::kLt)},  {">", 4, static_cast<int>(Op::kGt)},
        {"+", 5, static_cast<int>(Op::kAdd)}, {"-", 5, static_cast<int>(Op::kSub)},
        {"*", 6, static_cast<int>(Op::kMul)}, {"/", 6, static_cast<int>(Op::kDiv)},
    };
    SkipSpace();
    for (const BinaryOp& b : kOps) {
      std::string_view t(b.text);
      if (text_.substr(pos_, t.size()) == t && b.precedence >= min_prec) {
        pos_ += t.size();
        *prec = b.precedence;
        *op = static_cast<Op>(b.op);
        return true;
      }
    }
    return false;
  }

  Status ParseBinary(int min_prec) {
    if (++depth_ > 200) return Error("expression nested too deeply");
    Status s = ParseUnary();
    int prec;
    Op op;
    while (s.ok() && MatchBinary(min_prec, &prec, &op)) {
      s = ParseBinary(prec + 1);
      if (s.ok()) expr_.code_.push_back({op, 0});
    }
    --depth_;
    return s;
  }

  Status ParseUnary() {
    SkipSpace();
    if (pos_ >= text_.size()) return Error("missing operand");
    char c = text_[pos_];
    if (c == '!' || c == '-') {
      ++pos_;
      if (++depth_ > 200) return Error("expression nested too deeply");
      Status s = ParseUnary();
      --depth_;
      if (s.ok()) expr_.code_.push_back({c == '!' ? Op::kNot : Op::kNeg, 0});
      return s;
    }
    if (c == '(') return ParseParens();
    if (isdigit(static_cast<unsigned char>(c)) || c == '.') return ParseNumber();
    if (IsNameStart(c)) return ParseName();
    return Error(std::string("unexpected character '") + c + "'");
  }

  Status ParseParens() {
    ++pos_;
    Status s = ParseBinary(0);
    if (!s.ok()) return s;
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != ')') return Error("missing ')'");
    ++pos_;
    return Status::Ok();
  }

  Status ParseNumber() {
    std::string digits;
    while (pos_ < text_.size() && (isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.'))
      digits += text_[pos_++];
    char* end = nullptr;
    double v = strtod(digits.c_str(), &end);
    if (end == digits.c_str() || *end != '\0') return Error("bad number '" + digits + "'");
    expr_.code_.push_back({Op::kConst, v});
    return Status::Ok();
  }

  // A name; `plugin(...)` / `can(...)` style calls keep their argument.
  Status ParseName() {
    size_t start = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '(') {
      size_t close = text_.find(')', pos_);
      if (close == std::string_view::npos) return Error("missing ')' after function name");
      pos_ = close + 1;
    }
    std::string name(text_.substr(start, pos_ - start));
    expr_.code_.push_back({Op::kName, static_cast<double>(IndexOf(name))});
    return Status::Ok();
  }

  size_t IndexOf(const std::string& name) {
    for (size_t i = 0; i < expr_.names_.size(); ++i)
      if (expr_.names_[i] == name) return i;
    expr_.names_.push_back(name);
    return expr_.names_.size() - 1;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
  Expr expr_;
};

Result<Expr> Expr::Parse(std::string_view text) {
  Expr e;
  Status s = ExprParser(text).Run(&e);
  if (!s.ok()) return s;
  return e;
}

double Expr::Evaluate(const std::vector<double>& values) const {
  std::vector<double> stack;
  stack.reserve(code_.size());
  for (const Instr& in : code_) {
    if (in.op == Op::kConst) { stack.push_back(in.value); continue; }
    if (in.op == Op::kName) {
      size_t i = static_cast<size_t>(in.value);
      stack.push_back(i < values.size() ? values[i] : 0.0);
      continue;
    }
    double b = stack.back();
    if (in.op == Op::kNot) { stack.back() = (b == 0); continue; }
    if (in.op == Op::kNeg) { stack.back() = -b; continue; }
    stack.pop_back();
    double& a = stack.back();
    switch (in.op) {
      case Op::kMul: a = a * b; break;
      case Op::kDiv: a = b == 0 ? 0 : a / b; break;
      case Op::kAdd: a = a + b; break;
      case Op::kSub: a = a - b; break;
      case Op::kLt: a = a < b; break;
      case Op::kLe: a = a <= b; break;
      case Op::kGt: a = a > b; break;
      case Op::kGe: a = a >= b; break;
      case Op::kEq: a = a == b; break;
      case Op::kNe: a = a != b; break;
      case Op::kAnd: a = (a != 0 && b != 0); break;
      case Op::kOr: a = (a != 0 || b != 0); break;
      default: break;
    }
  }
  return stack.empty() ? 0.0 : stack.back();
}

}  // namespace rules
}  // namespace sendguard
