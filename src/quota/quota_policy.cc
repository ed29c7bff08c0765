// quota/quota_policy.cc — tokenizer and parser of the quota policy file, and
// class lookup. Every error names file:line and why.
#include "quota/quota_policy.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "core/strings.h"
#include "idna/idna.h"
#include "quota/units.h"

namespace sendguard {
namespace quota {

namespace {

struct Token {
  std::string text;  // a word, "{", "}", or ";" (newlines become ";")
  int line;
};

void FlushWord(std::string* word, int line, std::vector<Token>* out) {
  if (!word->empty()) out->push_back({*word, line});
  word->clear();
}

std::vector<Token> Tokenize(const std::string& text) {
  std::vector<Token> out;
  std::string word;
  int line = 1;
  bool comment = false;
  for (char c : text) {
    if (c == '\n') {
      FlushWord(&word, line, &out);
      out.push_back({";", line++});
      comment = false;
    } else if (comment) {
      continue;
    } else if (c == '#') {
      FlushWord(&word, line, &out);
      comment = true;
    } else if (c == '{' || c == '}' || c == ';') {
      FlushWord(&word, line, &out);
      out.push_back({std::string(1, c), line});
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      FlushWord(&word, line, &out);
    } else {
      word.push_back(c);
    }
  }
  FlushWord(&word, line, &out);
  out.push_back({";", line});
  return out;
}

constexpr int64_t kMaxWindowSeconds = 366 * 86400;

bool IsWildcard(const std::string& pattern) {
  return pattern.find_first_of("*?[") != std::string::npos;
}

}  // namespace

const char* ActionName(OverQuotaAction a) {
  switch (a) {
    case OverQuotaAction::kTempfail: return "tempfail";
    case OverQuotaAction::kReject: return "reject";
    case OverQuotaAction::kQuarantine: return "quarantine";
  }
  return "?";
}

// Recursive-descent over statements: a statement is the words up to ";"
// (or newline), "{" or "}".
class PolicyParser {
 public:
  PolicyParser(const std::string& text, std::string source)
      : tokens_(Tokenize(text)), source_(std::move(source)) {}

  Status Run(QuotaPolicy* policy);

 private:
  using Words = std::vector<Token>;

  Status Error(int line, const std::string& why) const {
    return Status::InvalidArgument(source_ + ":" + std::to_string(line) + ": " + why);
  }
  bool AtEnd() const { return pos_ >= tokens_.size(); }
  // Reads the next statement's words; `*terminator` is ";", "{" or "}".
  Words NextStatement(std::string* terminator);

  Status ParseTopLevel(const Words& words, const std::string& terminator, QuotaPolicy* p);
  Status ParseClass(const Token& name, QuotaPolicy* p);
  Status ParseDomain(const Token& name, QuotaPolicy* p);
  Status ParseUsers(QuotaPolicy* p);
  Status ParseClassLine(const Words& words, QuotaClass* c);
  Status ParseLimit(const Words& words, WindowLimit* limit);
  Status ParseSizeValue(const Token& t, int64_t* out);
  Status CheckReferences(const QuotaPolicy& p) const;
  Status AddUser(const Words& words, QuotaPolicy* p);

  std::vector<Token> tokens_;
  std::string source_;
  size_t pos_ = 0;
  std::vector<UserMapEntry> users_;
};

PolicyParser::Words PolicyParser::NextStatement(std::string* terminator) {
  Words words;
  while (!AtEnd()) {
    const Token& t = tokens_[pos_++];
    if (t.text == ";" || t.text == "{" || t.text == "}") {
      *terminator = t.text;
      return words;
    }
    words.push_back(t);
  }
  *terminator = ";";
  return words;
}

Status PolicyParser::Run(QuotaPolicy* policy) {
  while (!AtEnd()) {
    std::string terminator;
    Words words = NextStatement(&terminator);
    Status st = ParseTopLevel(words, terminator, policy);
    if (!st.ok()) return st;
  }
  return CheckReferences(*policy);
}

Status PolicyParser::ParseTopLevel(const Words& words, const std::string& terminator,
                                   QuotaPolicy* p) {
  if (words.empty() && terminator == ";") return Status::Ok();
  int line = words.empty() ? tokens_[pos_ - 1].line : words[0].line;
  if (terminator == "}") return Error(line, "'}' without an open block");
  if (terminator != "{") {
    return Error(line, "expected 'class NAME {', 'domain NAME {' or 'users {', got '" +
                           (words.empty() ? std::string() : words[0].text) + "'");
  }
  if (words.size() == 2 && words[0].text == "class") return ParseClass(words[1], p);
  if (words.size() == 2 && words[0].text == "domain") return ParseDomain(words[1], p);
  if (words.size() == 1 && words[0].text == "users") return ParseUsers(p);
  return Error(line, "unknown block '" + (words.empty() ? std::string("{") : words[0].text) +
                         "' (expected class NAME, domain NAME or users)");
}

Status PolicyParser::ParseClass(const Token& name, QuotaPolicy* p) {
  if (p->classes_.count(name.text)) {
    return Error(name.line, "class '" + name.text + "' defined twice");
  }
  QuotaClass c;
  c.name = name.text;
  for (;;) {
    if (AtEnd()) return Error(name.line, "class '" + name.text + "' is not closed with '}'");
    std::string terminator;
    Words words = NextStatement(&terminator);
    if (terminator == "{") return Error(tokens_[pos_ - 1].line, "unexpected '{' in class");
    if (!words.empty()) {
      Status st = ParseClassLine(words, &c);
      if (!st.ok()) return st;
    }
    if (terminator == "}") break;
  }
  p->classes_[c.name] = std::move(c);
  return Status::Ok();
}

Status PolicyParser::ParseClassLine(const Words& words, QuotaClass* c) {
  const std::string& key = words[0].text;
  int line = words[0].line;
  if (key == "messages" || key == "recipients" || key == "bytes") {
    WindowLimit limit;
    Status st = ParseLimit(words, &limit);
    if (st.ok()) c->limits.push_back(limit);
    return st;
  }
  if (words.size() != 2) return Error(line, "'" + key + "' takes one value");
  if (key == "rcpt_per_msg") {
    if (words[1].text[0] == '-') return Error(line, "negative limit '" + words[1].text + "'");
    if (!ParseCount(words[1].text, &c->rcpt_per_msg)) {
      return Error(line, "rcpt_per_msg wants a number, got '" + words[1].text + "'");
    }
    return Status::Ok();
  }
  if (key == "max_size") return ParseSizeValue(words[1], &c->max_size);
  if (key == "action") {
    const std::string& a = words[1].text;
    if (a == "tempfail") c->action = OverQuotaAction::kTempfail;
    else if (a == "reject") c->action = OverQuotaAction::kReject;
    else if (a == "quarantine") c->action = OverQuotaAction::kQuarantine;
    else return Error(line, "action must be tempfail, reject or quarantine, got '" + a + "'");
    return Status::Ok();
  }
  return Error(line, "unknown setting '" + key + "'");
}

Status PolicyParser::ParseSizeValue(const Token& t, int64_t* out) {
  if (t.text[0] == '-') return Error(t.line, "negative limit '" + t.text + "'");
  if (!ParseSize(t.text, out)) {
    return Error(t.line, "bad size '" + t.text + "' (examples: 25MB, 512KB, 1048576)");
  }
  return Status::Ok();
}

// "messages 100/1h", "bytes 50 MB / 1d", "recipients 10/1m resolution 1s".
Status PolicyParser::ParseLimit(const Words& words, WindowLimit* limit) {
  const std::string& key = words[0].text;
  int line = words[0].line;
  limit->metric = key == "messages" ? Metric::kMessages
                  : key == "recipients" ? Metric::kRecipients : Metric::kBytes;
  std::string spec;
  size_t i = 1;
  for (; i < words.size() && words[i].text != "resolution"; ++i) spec += words[i].text;
  size_t slash = spec.find('/');
  if (slash == std::string::npos) {
    return Error(line, "'" + key + "' wants LIMIT/WINDOW, e.g. 100/1h, got '" + spec + "'");
  }
  std::string amount = spec.substr(0, slash), window = spec.substr(slash + 1);
  if (!amount.empty() && amount[0] == '-') return Error(line, "negative limit '" + amount + "'");
  bool amount_ok = limit->metric == Metric::kBytes ? ParseSize(amount, &limit->limit)
                                                   : ParseCount(amount, &limit->limit);
  if (!amount_ok) return Error(line, "bad limit '" + amount + "' for " + key);
  if (!ParseDuration(window, &limit->window_seconds) || limit->window_seconds <= 0) {
    return Error(line, "bad window '" + window + "' (examples: 30s, 15m, 1h, 1d, 1w)");
  }
  if (limit->window_seconds > kMaxWindowSeconds) {
    return Error(line, "window '" + window + "' is longer than a year");
  }
  limit->resolution_seconds = DefaultResolution(limit->window_seconds);
  if (i == words.size()) return Status::Ok();
  if (i + 2 != words.size() || !ParseDuration(words[i + 1].text, &limit->resolution_seconds) ||
      limit->resolution_seconds <= 0 || limit->resolution_seconds > limit->window_seconds) {
    return Error(line, "'resolution' wants one duration between 1s and the window");
  }
  return Status::Ok();
}

Status PolicyParser::ParseDomain(const Token& name, QuotaPolicy* p) {
  Result<std::string> canonical = idna::CanonicalDomain(name.text);
  if (!canonical.ok()) return Error(name.line, canonical.status().message());
  std::string domain = *canonical;
  if (p->domains_.count(domain)) return Error(name.line, "domain '" + domain + "' defined twice");
  QuotaClass limits;
  for (;;) {
    if (AtEnd()) return Error(name.line, "domain '" + domain + "' is not closed with '}'");
    std::string terminator;
    Words words = NextStatement(&terminator);
    if (terminator == "{") return Error(tokens_[pos_ - 1].line, "unexpected '{' in domain");
    if (!words.empty()) {
      const std::string& key = words[0].text;
      if (key != "messages" && key != "recipients" && key != "bytes") {
        return Error(words[0].line, "domain blocks take only messages/recipients/bytes "
                                    "limits, got '" + key + "'");
      }
      Status st = ParseClassLine(words, &limits);
      if (!st.ok()) return st;
    }
    if (terminator == "}") break;
  }
  p->domains_[domain] = std::move(limits.limits);
  return Status::Ok();
}

Status PolicyParser::ParseUsers(QuotaPolicy* p) {
  int open_line = tokens_[pos_ - 1].line;
  for (;;) {
    if (AtEnd()) return Error(open_line, "users block is not closed with '}'");
    std::string terminator;
    Words words = NextStatement(&terminator);
    if (!words.empty()) {
      Status st = AddUser(words, p);
      if (!st.ok()) return st;
    }
    if (terminator == "}") return Status::Ok();
    if (terminator == "{") return Error(tokens_[pos_ - 1].line, "unexpected '{' in users");
  }
}

Status PolicyParser::AddUser(const Words& words, QuotaPolicy* p) {
  if (words.size() != 2) {
    return Error(words[0].line, "users entries are 'PATTERN CLASS', e.g. "
                                "'alice@example.org bulk'");
  }
  Result<std::string> pattern = idna::CanonicalPattern(Lower(words[0].text));
  if (!pattern.ok()) return Error(words[0].line, pattern.status().message());
  UserMapEntry e{*pattern, words[1].text, words[0].line};
  if (e.pattern == "@") return Error(e.line, "'@' needs a domain, e.g. '@example.com'");
  users_.push_back(e);
  if (IsWildcard(e.pattern)) {
    p->wildcards_.push_back(e);
  } else if (e.pattern[0] == '@') {
    if (!p->by_domain_.emplace(e.pattern.substr(1), e.class_name).second) {
      return Error(e.line, "'" + e.pattern + "' listed twice");
    }
  } else if (!p->exact_.emplace(e.pattern, e.class_name).second) {
    return Error(e.line, "'" + e.pattern + "' listed twice");
  }
  return Status::Ok();
}

Status PolicyParser::CheckReferences(const QuotaPolicy& p) const {
  for (const UserMapEntry& e : users_) {
    if (!p.classes_.count(e.class_name)) {
      return Error(e.line, "unknown class '" + e.class_name + "' for '" + e.pattern + "'");
    }
  }
  return Status::Ok();
}

Result<std::shared_ptr<const QuotaPolicy>> QuotaPolicy::Parse(const std::string& text,
                                                              const std::string& source) {
  auto policy = std::make_shared<QuotaPolicy>();
  PolicyParser parser(text, source);
  Status st = parser.Run(policy.get());
  if (!st.ok()) return st;
  return std::shared_ptr<const QuotaPolicy>(std::move(policy));
}

Result<std::shared_ptr<const QuotaPolicy>> QuotaPolicy::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot open quota policy");
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IoError(path + ": read error");
  return Parse(buffer.str(), path);
}

const QuotaClass* QuotaPolicy::FindClass(const std::string& name) const {
  auto it = classes_.find(name);
  return it == classes_.end() ? nullptr : &it->second;
}

const QuotaClass* QuotaPolicy::ClassFor(const std::string& identity,
                                        std::string* matched_by) const {
  std::string who = Lower(identity);
  std::string pattern, class_name;
  if (auto it = exact_.find(who); it != exact_.end()) {
    pattern = it->first;
    class_name = it->second;
  } else if (auto d = by_domain_.find(DomainOf(who)); d != by_domain_.end()) {
    pattern = "@" + d->first;
    class_name = d->second;
  } else {
    for (const UserMapEntry& e : wildcards_) {
      if (fnmatch(e.pattern.c_str(), who.c_str(), 0) == 0) {
        pattern = e.pattern;
        class_name = e.class_name;
        break;
      }
    }
  }
  if (class_name.empty()) pattern = class_name = "default";
  if (matched_by != nullptr) *matched_by = pattern;
  return FindClass(class_name);
}

const std::vector<WindowLimit>* QuotaPolicy::DomainLimits(const std::string& domain) const {
  if (domain.empty()) return nullptr;
  auto it = domains_.find(Lower(domain));
  if (it == domains_.end()) it = domains_.find("*");
  return it == domains_.end() ? nullptr : &it->second;
}

}  // namespace quota
}  // namespace sendguard
