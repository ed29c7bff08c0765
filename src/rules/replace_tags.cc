// rules/replace_tags.cc — ReplaceTags, step by step as the plugin does it.
#include "rules/replace_tags.h"

#include <vector>

#include "rules/perl_regex.h"
#include "rules/rule_def.h"

namespace sendguard {
namespace rules {
namespace {

constexpr int kMaxExtraPasses = 5;

// Removes the first "<KIND NAME>" and returns NAME ("" if none).
std::string TakeSpecial(std::string* re, const std::string& kind, const ReplaceTagConfig& c) {
  std::string open = c.start + kind + " ";
  size_t at = re->find(open);
  if (at == std::string::npos) return "";
  size_t name_at = at + open.size();
  size_t close = re->find(c.end, name_at + 1);  // (.+?): at least one character
  if (close == std::string::npos) return "";
  std::string name = re->substr(name_at, close - name_at);
  re->erase(at, close + c.end.size() - at);
  return name;
}

// Perl's split(/(<[^<>]+>)/, $re): text and tag pieces alternating, the
// leading empty piece kept, trailing empty pieces dropped.
std::vector<std::string> SplitAtTags(const std::string& re) {
  std::vector<std::string> pieces;
  size_t from = 0, pos = 0;
  while ((pos = re.find('<', pos)) != std::string::npos) {
    size_t close = re.find_first_of("<>", pos + 1);
    if (close == std::string::npos) break;
    if (re[close] == '<' || close == pos + 1) {
      pos = re[close] == '<' ? close : pos + 1;
      continue;
    }
    pieces.push_back(re.substr(from, pos - from));
    pieces.push_back(re.substr(pos, close + 1 - pos));
    from = pos = close + 1;
  }
  pieces.push_back(re.substr(from));
  while (!pieces.empty() && pieces.back().empty()) pieces.pop_back();
  return pieces;
}

// The first "start...end" in `piece` (non-greedy), as [at, len); false if none.
bool FindTag(const std::string& piece, const ReplaceTagConfig& c, size_t* at, size_t* len) {
  size_t s = piece.find(c.start);
  if (s == std::string::npos) return false;
  size_t e = piece.find(c.end, s + c.start.size() + 1);
  if (e == std::string::npos) return false;
  *at = s;
  *len = e + c.end.size() - s;
  return true;
}

std::string Lookup(const std::map<std::string, std::string>& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? "" : it->second;
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size()))
    s->replace(at, from.size(), to);
}

// The plugin's test for another pass: /<[^>]+>/.
bool LooksLikeTag(const std::string& s) {
  for (size_t lt = s.find('<'); lt != std::string::npos; lt = s.find('<', lt + 1)) {
    size_t gt = s.find('>', lt + 1);
    if (gt == std::string::npos) return false;
    if (gt > lt + 1) return true;
  }
  return false;
}

// One pass; true if a replacement brought text that looks like a tag.
bool OnePass(std::string* re, const ReplaceTagConfig& c) {
  std::string pre = Lookup(c.pre, TakeSpecial(re, "pre", c));
  std::string post = Lookup(c.post, TakeSpecial(re, "post", c));
  std::string inter = Lookup(c.inter, TakeSpecial(re, "inter", c));
  std::vector<std::string> pieces = SplitAtTags(*re);
  bool again = false;
  for (std::string& piece : pieces) {
    size_t at, len;
    if (piece.empty()) {
      piece = inter;
      continue;
    }
    if (!FindTag(piece, c, &at, &len)) continue;
    if (!pre.empty()) piece.insert(at, pre);
    if (!post.empty()) piece.insert(at + pre.size() + len, post);
    FindTag(piece, c, &at, &len);
    std::string name = piece.substr(at + c.start.size(), len - c.start.size() - c.end.size());
    std::string value = Lookup(c.tags, name);
    if (value.empty()) continue;
    ReplaceAll(&piece, c.start + name + c.end, value);
    again = again || LooksLikeTag(value);
  }
  re->clear();
  for (const std::string& piece : pieces) *re += piece;
  return again;
}

}  // namespace

std::string ReplaceTagsIn(std::string_view re, const ReplaceTagConfig& config) {
  std::string out(re);
  for (int pass = 0; pass <= kMaxExtraPasses; ++pass)
    if (!OnePass(&out, config)) break;
  return out;
}

void ApplyReplaceTags(ParsedRules* parsed) {
  const ReplaceTagConfig& c = parsed->replace;
  for (const std::string& name : c.rules) {
    auto it = parsed->index.find(name);
    if (it == parsed->index.end()) continue;
    RuleDef& def = parsed->defs[it->second];
    if (def.regex.empty() || (!def.unsupported_category.empty() && !def.regex_untranslatable))
      continue;
    std::string_view body, flags;
    Unsupported why;
    if (!SplitPerlRegex(def.regex, &body, &flags, &why)) continue;
    std::string replaced = ReplaceTagsIn(body, c);
    if (replaced == body) continue;
    TranslatedRegex tr;
    def.unsupported_category.clear();
    def.unsupported_reason.clear();
    def.regex_untranslatable = false;
    def.replaced_tags = true;
    if (!TranslatePerlRegexBody(replaced, flags, &tr, &why)) {
      def.unsupported_category = why.category;
      def.unsupported_reason = why.reason + " (after ReplaceTags)";
      def.regex_untranslatable = true;
      continue;
    }
    def.re2_pattern = tr.pattern;
    def.case_insensitive = tr.case_insensitive;
  }
}

}  // namespace rules
}  // namespace sendguard
