// mime/html.cc — a small linear HTML-to-text renderer.
#include "mime/html.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>

#include "core/strings.h"
#include "mime/charset.h"
#include "mime/header_block.h"
#include "mime/html_entities.h"

namespace sendguard {
namespace mime {
namespace {

constexpr size_t kMaxEntityName = 32;
constexpr size_t kMaxTagName = 32;

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
constexpr std::array<bool, 256> MakeSpaceTable() {
  std::array<bool, 256> t{};
  t[' '] = t['\t'] = t['\r'] = t['\n'] = t['\f'] = true;
  return t;
}
constexpr std::array<bool, 256> kSpace = MakeSpaceTable();

bool IsSpace(char c) { return kSpace[static_cast<unsigned char>(c)]; }

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool OneOf(std::string_view name, std::initializer_list<std::string_view> set) {
  for (std::string_view v : set) {
    if (name == v) return true;
  }
  return false;
}

enum class TagKind { kInline, kBlock, kCell, kRawText };

struct KnownTag {
  std::string_view name;
  TagKind kind;
};

// Sorted by name for binary search; every other tag is inline.
constexpr KnownTag kKnownTags[] = {
    {"address", TagKind::kBlock},  {"article", TagKind::kBlock},
    {"blockquote", TagKind::kBlock}, {"body", TagKind::kBlock},
    {"br", TagKind::kBlock},       {"caption", TagKind::kBlock},
    {"center", TagKind::kBlock},   {"dd", TagKind::kBlock},
    {"div", TagKind::kBlock},      {"dl", TagKind::kBlock},
    {"dt", TagKind::kBlock},       {"fieldset", TagKind::kBlock},
    {"footer", TagKind::kBlock},   {"form", TagKind::kBlock},
    {"h1", TagKind::kBlock},       {"h2", TagKind::kBlock},
    {"h3", TagKind::kBlock},       {"h4", TagKind::kBlock},
    {"h5", TagKind::kBlock},       {"h6", TagKind::kBlock},
    {"head", TagKind::kBlock},     {"header", TagKind::kBlock},
    {"hr", TagKind::kBlock},       {"html", TagKind::kBlock},
    {"li", TagKind::kBlock},       {"nav", TagKind::kBlock},
    {"ol", TagKind::kBlock},       {"option", TagKind::kBlock},
    {"p", TagKind::kBlock},        {"pre", TagKind::kBlock},
    {"script", TagKind::kRawText}, {"section", TagKind::kBlock},
    {"style", TagKind::kRawText},  {"table", TagKind::kBlock},
    {"tbody", TagKind::kBlock},    {"td", TagKind::kCell},
    {"template", TagKind::kRawText}, {"tfoot", TagKind::kBlock},
    {"th", TagKind::kCell},        {"thead", TagKind::kBlock},
    {"title", TagKind::kBlock},    {"tr", TagKind::kBlock},
    {"ul", TagKind::kBlock},       {"xmp", TagKind::kRawText},
};

// Byte-wise a < b; names are short, so this beats a memcmp call.
bool ShortLess(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

TagKind KindOf(std::string_view lower_name) {
  if (lower_name.empty()) return TagKind::kInline;
  const KnownTag* end = std::end(kKnownTags);
  const KnownTag* it = std::lower_bound(
      std::begin(kKnownTags), end, lower_name,
      [](const KnownTag& t, std::string_view n) { return ShortLess(t.name, n); });
  return it != end && it->name == lower_name ? it->kind : TagKind::kInline;
}

// Lower-cased copy of a short name in a caller buffer ("" if too long).
class ShortName {
 public:
  explicit ShortName(std::string_view s) {
    if (s.size() > sizeof(buf_)) return;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      buf_[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    len_ = s.size();
  }
  std::string_view view() const { return std::string_view(buf_, len_); }

 private:
  char buf_[kMaxTagName];
  size_t len_ = 0;
};

bool IsUriAttribute(std::string_view n) {
  return OneOf(n, {"href", "src", "action", "background", "data", "formaction"});
}

// Decodes "&#...;" / "&name;" at s[0] == '&'. Returns bytes consumed, 0 if
// it is not a reference (the '&' is then literal).
size_t DecodeReference(std::string_view s, std::string* out) {
  if (s.size() > 2 && s[1] == '#') {
    bool hex = s[2] == 'x' || s[2] == 'X';
    size_t i = hex ? 3 : 2;
    unsigned long cp = 0;
    size_t digits = 0;
    for (; i < s.size(); ++i, ++digits) {
      int v = hex ? HexValue(s[i]) : (IsDigit(s[i]) ? s[i] - '0' : -1);
      if (v < 0) break;
      if (cp <= 0x10FFFF) cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(v);
    }
    if (digits == 0) return 0;
    if (i < s.size() && s[i] == ';') ++i;
    if (cp >= 0x80 && cp <= 0x9F) {
      AppendAsUtf8(std::string(1, static_cast<char>(cp)), "windows-1252", out);
    } else {
      AppendCodePoint(cp == 0 ? 0xFFFD : cp, out);
    }
    return i;
  }
  size_t i = 1;
  while (i < s.size() && i <= kMaxEntityName && IsAlnum(s[i])) ++i;
  std::string_view name = s.substr(1, i - 1);
  bool semicolon = i < s.size() && s[i] == ';';
  unsigned long cp = LookupHtmlEntity(name);
  bool legacy = OneOf(name, {"amp", "lt", "gt", "quot", "nbsp", "copy", "reg"});
  if (cp == 0 || (!semicolon && !legacy)) return 0;
  AppendCodePoint(cp, out);
  return semicolon ? i + 1 : i;
}

class Renderer {
 public:
  Renderer(std::string_view html, std::string* text, std::vector<std::string>* uris)
      : h_(html), text_(text), uris_(uris) {}

  void Run() {
    text_->reserve(text_->size() + h_.size() / 2);
    while (pos_ < h_.size()) {
      const void* lt = std::memchr(h_.data() + pos_, '<', h_.size() - pos_);
      size_t end = lt ? static_cast<const char*>(lt) - h_.data() : h_.size();
      AppendText(h_.substr(pos_, end - pos_));
      pos_ = end;
      if (pos_ < h_.size()) Markup();
    }
  }

 private:
  // Text between tags: entities decoded, white space collapsed.
  void AppendText(std::string_view s) {
    if (s.empty()) return;
    if (s.find('&') != std::string_view::npos) {
      decoded_.clear();  // reused: one allocation per message, not per chunk
      DecodeHtmlEntities(s, &decoded_);
      s = decoded_;
    }
    size_t i = 0;
    while (i < s.size()) {
      if (IsSpace(s[i])) {
        pending_space_ = true;
        ++i;
        continue;
      }
      size_t word = i;
      while (i < s.size() && !IsSpace(s[i])) ++i;
      if (pending_space_ && !text_->empty() && text_->back() != '\n' && text_->back() != ' ') {
        text_->push_back(' ');
      }
      pending_space_ = false;
      text_->append(s.data() + word, i - word);
    }
  }

  void Newline() {
    pending_space_ = false;
    if (!text_->empty() && text_->back() == ' ') text_->pop_back();
    if (!text_->empty() && text_->back() != '\n') text_->push_back('\n');
  }

  // At '<': a comment, declaration, tag, or a literal '<'.
  void Markup() {
    std::string_view rest = h_.substr(pos_);
    if (rest.size() > 1 && (rest[1] == '!' || rest[1] == '?')) {
      if (rest.compare(0, 4, "<!--") == 0) return SkipPast("-->", 4);
      return SkipPast(">", 2);
    }
    bool closing = rest.size() > 1 && rest[1] == '/';
    size_t name_at = closing ? 2 : 1;
    if (rest.size() <= name_at || !IsAlpha(rest[name_at])) {
      AppendText("<");
      ++pos_;
      return;
    }
    Tag(closing, name_at);
  }

  void SkipPast(std::string_view terminator, size_t from) {
    size_t end = h_.find(terminator, pos_ + from);
    pos_ = end == std::string_view::npos ? h_.size() : end + terminator.size();
  }

  void Tag(bool closing, size_t name_at) {
    size_t i = pos_ + name_at;
    size_t b = i;
    while (i < h_.size() && !IsSpace(h_[i]) && h_[i] != '>' && h_[i] != '/') ++i;
    ShortName name(h_.substr(b, i - b));
    pos_ = Attributes(i, !closing);
    TagKind kind = KindOf(name.view());
    if (kind == TagKind::kBlock) Newline();
    if (kind == TagKind::kCell) pending_space_ = true;
    if (!closing && kind == TagKind::kRawText) SkipRawText(std::string(name.view()));
  }

  // Reads attributes from h_[i] to '>'; collects URL attributes. Returns the
  // position after the tag.
  size_t Attributes(size_t i, bool collect) {
    while (i < h_.size() && h_[i] != '>') {
      if (IsSpace(h_[i]) || h_[i] == '/') { ++i; continue; }
      size_t b = i;
      while (i < h_.size() && !IsSpace(h_[i]) && h_[i] != '=' && h_[i] != '>') ++i;
      ShortName name(h_.substr(b, i - b));
      while (i < h_.size() && IsSpace(h_[i])) ++i;
      if (i >= h_.size() || h_[i] != '=') continue;
      ++i;
      while (i < h_.size() && IsSpace(h_[i])) ++i;
      std::string_view value = AttributeValue(&i);
      if (collect && !value.empty() && IsUriAttribute(name.view())) {
        std::string decoded;
        DecodeHtmlEntities(value, &decoded);
        uris_->push_back(std::move(decoded));
      }
    }
    return i < h_.size() ? i + 1 : i;
  }

  std::string_view AttributeValue(size_t* i) {
    if (*i < h_.size() && (h_[*i] == '"' || h_[*i] == '\'')) {
      char q = h_[*i];
      size_t b = *i + 1;
      size_t e = h_.find(q, b);
      if (e == std::string_view::npos) e = h_.size();
      *i = e < h_.size() ? e + 1 : e;
      return h_.substr(b, e - b);
    }
    size_t b = *i;
    while (*i < h_.size() && !IsSpace(h_[*i]) && h_[*i] != '>') ++*i;
    return h_.substr(b, *i - b);
  }

  // Skips the contents of <script>/<style> up to the matching end tag.
  void SkipRawText(const std::string& name) {
    std::string end_tag = "</" + name;
    while (pos_ < h_.size()) {
      size_t lt = h_.find("</", pos_);
      if (lt == std::string_view::npos) break;
      if (EqualsIgnoreCase(h_.substr(lt, end_tag.size()), end_tag)) {
        pos_ = lt;
        return;
      }
      pos_ = lt + 2;
    }
    pos_ = h_.size();
  }

  std::string_view h_;
  std::string* text_;
  std::vector<std::string>* uris_;
  size_t pos_ = 0;
  bool pending_space_ = false;
  std::string decoded_;  // scratch for AppendText
};

}  // namespace

void DecodeHtmlEntities(std::string_view s, std::string* out) {
  size_t i = 0;
  while (i < s.size()) {
    size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) amp = s.size();
    out->append(s.data() + i, amp - i);
    if (amp == s.size()) break;
    size_t used = DecodeReference(s.substr(amp, kMaxEntityName + 16), out);
    if (used == 0) {
      out->push_back('&');
      used = 1;
    }
    i = amp + used;
  }
}

void RenderHtml(std::string_view html, std::string* text,
                std::vector<std::string>* uris) {
  Renderer(html, text, uris).Run();
  if (!text->empty() && text->back() == ' ') text->pop_back();
}

}  // namespace mime
}  // namespace sendguard
