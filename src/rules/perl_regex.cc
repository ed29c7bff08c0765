// rules/perl_regex.cc — Perl regex literal -> RE2 pattern.
#include "rules/perl_regex.h"

#include <cctype>
#include <cstring>

namespace sendguard {
namespace rules {
namespace {

bool Fail(Unsupported* why, const char* category, std::string reason) {
  why->category = category;
  why->reason = std::move(reason);
  return false;
}

char ClosingDelimiter(char open) {
  switch (open) {
    case '{': return '}';
    case '(': return ')';
    case '[': return ']';
    case '<': return '>';
    default: return open;
  }
}

// Splits `/body/flags` or `m<d>body<d>flags` into body and flags.
bool SplitLiteral(std::string_view lit, std::string_view* body,
                  std::string_view* flags, Unsupported* why) {
  size_t i = 0;
  if (!lit.empty() && lit[0] == 'm' && lit.size() > 1 && !isalnum(static_cast<unsigned char>(lit[1])) &&
      !isspace(static_cast<unsigned char>(lit[1]))) {
    i = 1;
  } else if (lit.empty() || lit[0] != '/') {
    return Fail(why, "syntax", "regex must look like /re/flags or m{re}flags");
  }
  char open = lit[i];
  char close = ClosingDelimiter(open);
  size_t j = i + 1;
  int depth = 0;
  for (; j < lit.size(); ++j) {
    if (lit[j] == '\\') { ++j; continue; }
    if (open != close && lit[j] == open) ++depth;
    if (lit[j] == close) {
      if (depth == 0) break;
      --depth;
    }
  }
  if (j >= lit.size()) return Fail(why, "syntax", "unterminated regex (missing closing delimiter)");
  *body = lit.substr(i + 1, j - i - 1);
  *flags = lit.substr(j + 1);
  return true;
}

struct Flags {
  bool i = false, m = false, s = false, x = false;
};

bool ParseFlags(std::string_view flags, Flags* f, Unsupported* why) {
  for (char c : flags) {
    switch (c) {
      case 'i': f->i = true; break;
      case 'm': f->m = true; break;
      case 's': f->s = true; break;
      case 'x': f->x = true; break;
      case 'g': case 'o': case 'a': case 'u': case 'l': case 'd': break;  // no effect here
      default:
        return Fail(why, "flag", std::string("unknown regex flag '") + c + "'");
    }
  }
  return true;
}

// The translator walks the pattern once, copying RE2-compatible text and
// rewriting or refusing the rest.
class Translator {
 public:
  Translator(std::string_view src, bool extended) : src_(src), x_(extended) {}

  bool Run(std::string* out, Unsupported* why) {
    while (pos_ < src_.size()) {
      if (!Step(why)) return false;
    }
    if (in_class_) return Fail(why, "syntax", "unterminated character class [");
    *out = std::move(out_);
    return true;
  }

 private:
  std::string At() const { return " at offset " + std::to_string(pos_); }

  bool Step(Unsupported* why) {
    char c = src_[pos_];
    if (c == '\\') return Escape(why);
    if (in_class_) return ClassChar();
    if (x_ && (isspace(static_cast<unsigned char>(c)))) { ++pos_; return true; }
    if (x_ && c == '#') { SkipToEol(); return true; }
    if (c == '[') return OpenClass();
    if (c == '(') return Group(why);
    if (c == '*' || c == '+' || c == '?' || c == '}') return Quantifier(c, why);
    out_ += c;
    last_was_quantifier_ = false;
    ++pos_;
    return true;
  }

  void SkipToEol() {
    while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
  }

  bool Quantifier(char c, Unsupported* why) {
    if (c == '+' && last_was_quantifier_) {
      return Fail(why, "possessive", "possessive quantifier" + At());
    }
    bool lazy_marker = (c == '?' && last_was_quantifier_);
    out_ += c;
    ++pos_;
    last_was_quantifier_ = !lazy_marker;
    return true;
  }

  bool OpenClass() {
    in_class_ = true;
    out_ += '[';
    ++pos_;
    if (pos_ < src_.size() && src_[pos_] == '^') { out_ += '^'; ++pos_; }
    if (pos_ < src_.size() && src_[pos_] == ']') { out_ += "\\]"; ++pos_; }
    last_was_quantifier_ = false;
    return true;
  }

  bool ClassChar() {
    char c = src_[pos_];
    if (c == '[' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ':') {
      size_t end = src_.find(":]", pos_ + 2);
      if (end != std::string_view::npos) {
        out_.append(src_.substr(pos_, end + 2 - pos_));
        pos_ = end + 2;
        return true;
      }
    }
    if (c == '[') {
      out_ += "\\[";
    } else {
      out_ += c;
      if (c == ']') in_class_ = false;
    }
    ++pos_;
    return true;
  }

  bool Group(Unsupported* why) {
    std::string_view rest = src_.substr(pos_);
    last_was_quantifier_ = false;
    if (rest.size() < 2 || rest[1] != '?') {
      if (rest.size() >= 2 && rest[1] == '*') return Fail(why, "verb", "backtracking verb (*..." + At());
      out_ += '(';
      ++pos_;
      return true;
    }
    auto starts = [&](const char* p) { return rest.substr(0, strlen(p)) == p; };
    if (starts("(?=")) return Fail(why, "look-around", "look-ahead (?=" + At());
    if (starts("(?!")) return Fail(why, "look-around", "negative look-ahead (?!" + At());
    if (starts("(?<=")) return Fail(why, "look-around", "look-behind (?<=" + At());
    if (starts("(?<!")) return Fail(why, "look-around", "negative look-behind (?<!" + At());
    if (starts("(?>")) return Fail(why, "atomic-group", "atomic group (?>" + At());
    if (starts("(?|")) return Fail(why, "branch-reset", "branch reset (?|" + At());
    if (starts("(?{") || starts("(??{")) return Fail(why, "perl-code", "embedded Perl code" + At());
    if (starts("(?P=") || starts("(?&") || starts("(?R") || starts("(?P>"))
      return Fail(why, "back-reference", "named back-reference or recursion" + At());
    if (rest.size() > 2 && (isdigit(static_cast<unsigned char>(rest[2])) || rest[2] == '+' || rest[2] == '-') &&
        rest.find(')') != std::string_view::npos && rest.find(':') > rest.find(')'))
      return Fail(why, "back-reference", "recursion (?N)" + At());
    if (starts("(?#")) {
      size_t end = rest.find(')');
      if (end == std::string_view::npos) return Fail(why, "syntax", "unterminated (?# comment" + At());
      pos_ += end + 1;
      return true;
    }
    if (starts("(?<") || starts("(?'")) return NamedGroup(why);
    if (starts("(?P<")) { out_ += "(?P<"; pos_ += 4; return true; }
    return InlineFlags(why);
  }

  bool NamedGroup(Unsupported* why) {
    char close = src_[pos_ + 2] == '<' ? '>' : '\'';
    size_t end = src_.find(close, pos_ + 3);
    if (end == std::string_view::npos) return Fail(why, "syntax", "unterminated group name" + At());
    out_ += "(?P<";
    out_.append(src_.substr(pos_ + 3, end - pos_ - 3));
    out_ += '>';
    pos_ = end + 1;
    return true;
  }

  // (?i) (?i-s: (?^i: ... : RE2 knows i, m, s, U; drop the ones with no effect.
  bool InlineFlags(Unsupported* why) {
    size_t p = pos_ + 2;
    std::string flags;
    bool negative = false;
    for (; p < src_.size(); ++p) {
      char c = src_[p];
      if (c == ')' || c == ':') break;
      if (c == '^') continue;
      if (c == '-') { negative = true; flags += c; continue; }
      if (c == 'x') {
        if (!negative) x_ = true;
        continue;
      }
      if (c == 'i' || c == 'm' || c == 's') { flags += c; continue; }
      if (c == 'a' || c == 'u' || c == 'l' || c == 'd' || c == 'o' || c == 'n') continue;
      return Fail(why, "syntax", std::string("unknown group construct (?") + c + At());
    }
    if (p >= src_.size()) return Fail(why, "syntax", "unterminated group" + At());
    if (!flags.empty() && flags.back() == '-') flags.pop_back();
    if (flags.empty()) {
      out_ += src_[p] == ':' ? "(?:" : "";
    } else {
      out_ += "(?" + flags + src_[p];
    }
    pos_ = p + 1;
    return true;
  }

  bool Escape(Unsupported* why) {
    if (pos_ + 1 >= src_.size()) return Fail(why, "syntax", "trailing backslash");
    char e = src_[pos_ + 1];
    std::string rep;
    switch (e) {
      case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
        return Fail(why, "back-reference", std::string("back-reference \\") + e + At());
      case 'g': case 'k':
        return Fail(why, "back-reference", std::string("back-reference \\") + e + At());
      case 'G': return Fail(why, "anchor-G", "\\G anchor" + At());
      case 'K': return Fail(why, "keep-out", "\\K (keep out)" + At());
      case 'X': return Fail(why, "perl-escape", "\\X (extended grapheme)" + At());
      case 'l': case 'u': case 'L': case 'U':
        return Fail(why, "perl-escape", std::string("case-changing escape \\") + e + At());
      case 'h': rep = in_class_ ? "\\t " : "[\\t ]"; break;
      case 'H':
        if (in_class_) return Fail(why, "perl-escape", "\\H inside a character class" + At());
        rep = "[^\\t ]";
        break;
      case 'v': rep = in_class_ ? "\\n\\x0B\\f\\r" : "[\\n\\x0B\\f\\r]"; break;
      case 'V':
        if (in_class_) return Fail(why, "perl-escape", "\\V inside a character class" + At());
        rep = "[^\\n\\x0B\\f\\r]";
        break;
      case 'R':
        if (in_class_) return Fail(why, "perl-escape", "\\R inside a character class" + At());
        rep = "(?:\\r\\n|[\\n\\x0B\\f\\r])";
        break;
      case 'N':
        if (pos_ + 2 < src_.size() && src_[pos_ + 2] == '{')
          return Fail(why, "perl-escape", "\\N{...} named character" + At());
        rep = in_class_ ? "" : "[^\\n]";
        if (in_class_) return Fail(why, "perl-escape", "\\N inside a character class" + At());
        break;
      case 'e': rep = "\\x1B"; break;
      case 'Z': rep = "(?:\\n?\\z)"; break;
      case 'b': rep = in_class_ ? "\\x08" : "\\b"; break;
      case 'c': return ControlChar(why);
      case 'o': return Fail(why, "perl-escape", "\\o{...} octal escape" + At());
      case '0': return Octal();
      case '/': case '#': case '!': case '@': case '%': case '&': case '\'': case '"':
      case '<': case '>': case ',': case ';': case '=': case '~': case '`': case '-':
      case ' ': case '_':
        rep = (isalnum(static_cast<unsigned char>(e)) || e == '_') ? std::string(1, e)
                                                                   : EscapedLiteral(e);
        break;
      default:
        rep = std::string("\\") + e;
        break;
    }
    pos_ += 2;
    out_ += rep;
    last_was_quantifier_ = false;
    return true;
  }

  static std::string EscapedLiteral(char e) {
    // RE2 rejects some escapes of characters that need none; emit them as
    // hex so the meaning is unambiguous everywhere.
    static const char kHex[] = "0123456789ABCDEF";
    std::string s = "\\x";
    s += kHex[(static_cast<unsigned char>(e) >> 4) & 0xF];
    s += kHex[static_cast<unsigned char>(e) & 0xF];
    return s;
  }

  bool ControlChar(Unsupported* why) {
    if (pos_ + 2 >= src_.size()) return Fail(why, "syntax", "\\c without a character" + At());
    unsigned char c = static_cast<unsigned char>(toupper(static_cast<unsigned char>(src_[pos_ + 2])));
    out_ += EscapedLiteral(static_cast<char>(c ^ 0x40));
    pos_ += 3;
    last_was_quantifier_ = false;
    return true;
  }

  bool Octal() {
    size_t p = pos_ + 2;
    int value = 0;
    int digits = 0;
    while (p < src_.size() && digits < 2 && src_[p] >= '0' && src_[p] <= '7') {
      value = value * 8 + (src_[p] - '0');
      ++p;
      ++digits;
    }
    out_ += EscapedLiteral(static_cast<char>(value));
    pos_ = p;
    last_was_quantifier_ = false;
    return true;
  }

  std::string_view src_;
  bool x_;
  size_t pos_ = 0;
  bool in_class_ = false;
  bool last_was_quantifier_ = false;
  std::string out_;
};

}  // namespace

bool TranslatePerlRegex(std::string_view literal, TranslatedRegex* out,
                        Unsupported* why) {
  std::string_view body, flag_text;
  if (!SplitLiteral(literal, &body, &flag_text, why)) return false;
  return TranslatePerlRegexBody(body, flag_text, out, why);
}

bool SplitPerlRegex(std::string_view literal, std::string_view* body, std::string_view* flags,
                    Unsupported* why) {
  return SplitLiteral(literal, body, flags, why);
}

bool TranslatePerlRegexBody(std::string_view body, std::string_view flag_text,
                            TranslatedRegex* out, Unsupported* why) {
  Flags flags;
  if (!ParseFlags(flag_text, &flags, why)) return false;
  std::string translated;
  if (!Translator(body, flags.x).Run(&translated, why)) return false;
  std::string prefix;
  if (flags.m) prefix += 'm';
  if (flags.s) prefix += 's';
  out->pattern = prefix.empty() ? translated : "(?" + prefix + ")" + translated;
  out->case_insensitive = flags.i;
  return true;
}

}  // namespace rules
}  // namespace sendguard
