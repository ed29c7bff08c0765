// mime/address.cc — RFC 5322 address-list reading, lenient.
#include "mime/address.h"

#include "core/strings.h"
#include "mime/header_block.h"
#include "mime/rfc2047.h"

namespace sendguard {
namespace mime {
namespace {

// One mailbox's text split by the scanner.
struct Chunk {
  std::string phrase;   // text outside <> and comments, quotes removed
  std::string angle;    // text inside <>
  std::string comment;  // text of the first comment
  bool has_angle = false;
};

// Collapses runs of blanks to one space.
std::string CollapseBlanks(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool blank = c == ' ' || c == '\t';
    if (blank && (out.empty() || out.back() == ' ')) continue;
    out.push_back(blank ? ' ' : c);
  }
  return std::string(TrimBlanks(out));
}

// "@a,@b:user@host" -> "user@host" (obsolete source routes).
std::string StripRoute(std::string s) {
  if (!s.empty() && s[0] == '@') {
    size_t colon = s.find(':');
    if (colon != std::string::npos) s = s.substr(colon + 1);
  }
  return std::string(TrimBlanks(s));
}

void Finish(Chunk* c, std::vector<Address>* out, size_t max) {
  Address a;
  if (c->has_angle) {
    a.address = StripRoute(c->angle);
    a.name = DecodeHeaderValue(CollapseBlanks(c->phrase));
  } else {
    std::string bare = CollapseBlanks(c->phrase);
    a.address = bare.find(' ') == std::string::npos ? bare : "";
    if (a.address.empty()) {  // "a@b junk": keep the word with '@'
      size_t at = bare.find('@');
      if (at != std::string::npos) {
        size_t b = bare.rfind(' ', at);
        size_t e = bare.find(' ', at);
        b = b == std::string::npos ? 0 : b + 1;
        a.address = bare.substr(b, e == std::string::npos ? e : e - b);
      }
    }
    a.name = DecodeHeaderValue(CollapseBlanks(c->comment));
  }
  if (!a.address.empty() && out->size() < max) out->push_back(std::move(a));
  *c = Chunk();
}

class Scanner {
 public:
  Scanner(std::string_view s, size_t max, std::vector<Address>* out)
      : s_(s), max_(max), out_(out) {}

  void Run() {
    for (i_ = 0; i_ < s_.size(); ++i_) Step(s_[i_]);
    Finish(&chunk_, out_, max_);
  }

 private:
  void Step(char c) {
    if (c == '"') return ReadQuoted();
    if (c == '(') return ReadComment();
    if (c == '<') return ReadAngle();
    if (c == ',' || c == ';') return Finish(&chunk_, out_, max_);
    if (c == ':' && !chunk_.has_angle && chunk_.phrase.find('@') == std::string::npos) {
      chunk_ = Chunk();  // "Group name:" — drop the group's name
      return;
    }
    if (c == '\r' || c == '\n') return;
    (chunk_.has_angle ? trailing_ : chunk_.phrase).push_back(c);
  }

  void ReadQuoted() {
    for (++i_; i_ < s_.size() && s_[i_] != '"'; ++i_) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      if (s_[i_] != '\r' && s_[i_] != '\n') chunk_.phrase.push_back(s_[i_]);
    }
  }

  void ReadComment() {
    int depth = 0;
    std::string text;
    for (; i_ < s_.size(); ++i_) {
      char c = s_[i_];
      if (c == '\\' && i_ + 1 < s_.size()) {
        text.push_back(s_[++i_]);
        continue;
      }
      if (c == '(' && depth++ == 0) continue;
      if (c == ')' && --depth == 0) break;
      if (c != '\r' && c != '\n') text.push_back(c);
    }
    if (chunk_.comment.empty()) chunk_.comment = text;
  }

  void ReadAngle() {
    std::string inside;
    for (++i_; i_ < s_.size() && s_[i_] != '>'; ++i_) {
      if (s_[i_] != '\r' && s_[i_] != '\n') inside.push_back(s_[i_]);
    }
    if (!chunk_.has_angle) chunk_.angle = inside;
    chunk_.has_angle = true;
  }

  std::string_view s_;
  size_t max_;
  std::vector<Address>* out_;
  size_t i_ = 0;
  Chunk chunk_;
  std::string trailing_;  // text after "<...>", ignored
};

}  // namespace

std::vector<Address> ParseAddressList(std::string_view raw_value,
                                      size_t max_addresses) {
  std::vector<Address> out;
  Scanner(raw_value, max_addresses, &out).Run();
  return out;
}

}  // namespace mime
}  // namespace sendguard
