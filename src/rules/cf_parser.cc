// rules/cf_parser.cc — line-oriented parser for SpamAssassin *.cf files.
#include "rules/cf_parser.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/strings.h"
#include "rules/expr.h"
#include "rules/header_view.h"
#include "rules/perl_regex.h"

namespace sendguard {
namespace rules {
namespace {

constexpr double kEmulatedVersion = 4.000001;  // SpamAssassin 4.0.1
constexpr double kEmulatedPerl = 5.036;

// Splits off the first whitespace-delimited word.
std::string_view NextWord(std::string_view* rest) {
  *rest = Trim(*rest);
  size_t end = 0;
  while (end < rest->size() && !isspace(static_cast<unsigned char>((*rest)[end]))) ++end;
  std::string_view word = rest->substr(0, end);
  *rest = Trim(rest->substr(end));
  return word;
}

// SpamAssassin: an unescaped '#' starts a comment; "\#" is a literal '#'.
std::string StripComment(std::string_view line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] != '\\')) break;
    out += line[i];
  }
  std::string unescaped;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\\' && i + 1 < out.size() && out[i + 1] == '#') continue;
    unescaped += out[i];
  }
  return std::string(Trim(unescaped));
}

bool ValidRuleName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// The plugins SpamAssassin 4.0.1 loads by default (Debian's
// /etc/spamassassin/v*.pre): `ifplugin` and `plugin()` are true for these
// only, so the rule set is the one SpamAssassin itself runs. Rules a plugin
// provides that sendguard cannot run (eval:, DNS) are reported as such.
bool PluginEmulated(std::string_view plugin) {
  static const char* const kDefaultPlugins[] = {
      "AskDNS",   "AutoLearnThreshold", "Bayes",     "BodyEval",   "Check",       "DKIM",
      "DMARC",    "DNSEval",            "FreeMail",  "HTMLEval",   "HTTPSMismatch", "HashBL",
      "HeaderEval", "ImageInfo",        "MIMEEval",  "MIMEHeader", "Pyzor",       "Razor2",
      "RelayEval", "ReplaceTags",       "SPF",       "SpamCop",    "URIDNSBL",    "URIDetail",
      "URIEval",  "VBounce",            "WLBLEval",  "WelcomeListSubject"};
  plugin = Trim(plugin);
  if (plugin.rfind("plugin(", 0) == 0 && plugin.back() == ')')
    plugin = Trim(plugin.substr(7, plugin.size() - 8));
  constexpr std::string_view kPrefix = "Mail::SpamAssassin::Plugin::";
  if (plugin.rfind(kPrefix, 0) != 0) return false;
  plugin.remove_prefix(kPrefix.size());
  for (const char* p : kDefaultPlugins)
    if (plugin == p) return true;
  return false;
}

// `can(Package::method)`: every Mail::SpamAssassin::Conf feature 4.0.1
// tests for exists; a plugin's method exists when the plugin is loaded.
bool CanValue(std::string_view name) {
  std::string_view inner = Trim(name.substr(4, name.size() - 5));
  if (inner.rfind("Mail::SpamAssassin::Conf::", 0) == 0) return true;
  size_t last = inner.rfind("::");
  return last != std::string_view::npos && PluginEmulated(inner.substr(0, last));
}

// Directives that define rules sendguard cannot run; they are recorded so
// that metas depending on them are reported rather than silently changed.
const char* UnsupportedRuleDirective(std::string_view directive) {
  static const std::pair<const char*, const char*> kTable[] = {
      {"askdns", "dns"},       {"urirhsbl", "dns"},        {"urirhssub", "dns"},
      {"uridnsbl", "dns"},     {"uridnssub", "dns"},       {"header_rbl", "dns"},
      {"uri_detail", "uri_detail"},
      {"check_hashbl_emails", "dns"}, {"full_tag", "plugin"},
  };
  for (const auto& e : kTable)
    if (directive == e.first) return e.second;
  return nullptr;
}

class FileParser {
 public:
  FileParser(const std::string& file, ParsedRules* rules, LoadReport* report)
      : file_(file), rules_(rules), report_(report) {}

  Status Run(std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      ++line_;
      Status s = Line(text.substr(start, end - start));
      if (!s.ok()) return s;
      start = end + 1;
    }
    if (!active_.empty())
      return Status::InvalidArgument(file_ + ":" + std::to_string(if_lines_.back()) +
                                     ": 'if' block is never closed by 'endif'");
    return Status::Ok();
  }

 private:
  Status FileError(const std::string& why) const {
    return Status::InvalidArgument(file_ + ":" + std::to_string(line_) + ": " + why);
  }

  void Warn(const std::string& rule, const std::string& why) {
    report_->problems.push_back({file_, line_, rule, why, Severity::kWarning});
  }

  bool Active() const {
    return std::all_of(active_.begin(), active_.end(), [](bool b) { return b; });
  }

  Status Line(std::string_view raw) {
    std::string line = StripComment(raw);
    if (line.empty()) return Status::Ok();
    std::string_view rest = line;
    std::string directive(NextWord(&rest));
    std::transform(directive.begin(), directive.end(), directive.begin(), ::tolower);
    if (directive == "ifplugin")
      return Open(PluginEmulated(rest), "plugin-not-loaded",
                  "plugin " + std::string(rest) + " is not one SpamAssassin loads by default");
    if (directive == "if") return OpenIf(rest);
    if (directive == "else") return Else();
    if (directive == "endif") return Close();
    if (!Active()) {
      NoteSkipped(directive, rest);
      return Status::Ok();
    }
    Directive(directive, rest);
    return Status::Ok();
  }

  Status Open(bool condition, const std::string& category, const std::string& why) {
    active_.push_back(condition);
    if_lines_.push_back(line_);
    why_.push_back({category, why});
    return Status::Ok();
  }

  // A rule defined in a false block: recorded with the first false block's
  // reason (a definition in a true block elsewhere wins, see Report).
  void NoteSkipped(const std::string& directive, std::string_view rest) {
    static const char* const kRuleDirectives[] = {"header", "body", "rawbody", "uri", "full",
                                                  "meta", "mimeheader"};
    bool defines = UnsupportedRuleDirective(directive) != nullptr;
    for (const char* d : kRuleDirectives) defines = defines || directive == d;
    if (!defines) return;
    std::string name(NextWord(&rest));
    if (!ValidRuleName(name) || rules_->skipped.count(name)) return;
    size_t first_false = 0;
    while (first_false < active_.size() && active_[first_false]) ++first_false;
    const auto& [category, why] = why_[first_false];
    rules_->skipped[name] = {file_, line_, category, why + " (line " + std::to_string(if_lines_[first_false]) + ")"};
  }

  Status OpenIf(std::string_view condition) {
    Result<Expr> expr = Expr::Parse(condition);
    if (!expr.ok()) return FileError("bad 'if' condition: " + expr.status().message());
    std::vector<double> values;
    for (const std::string& name : expr->names()) values.push_back(ConditionValue(name));
    return Open(expr->Evaluate(values) != 0, "condition-false",
                "'if " + std::string(Trim(condition)) + "' is false for SpamAssassin 4.0.1 with its default plugins");
  }

  static double ConditionValue(const std::string& name) {
    if (name == "version") return kEmulatedVersion;
    if (name == "perl_version") return kEmulatedPerl;
    if (name.rfind("plugin(", 0) == 0) return PluginEmulated(name) ? 1 : 0;
    if (name.rfind("can(", 0) == 0) return CanValue(name) ? 1 : 0;
    return 0;
  }

  Status Else() {
    if (active_.empty()) return FileError("'else' without 'if'");
    active_.back() = !active_.back();
    why_.back().second = "'else' of a true condition: " + why_.back().second;
    return Status::Ok();
  }

  Status Close() {
    if (active_.empty()) return FileError("'endif' without 'if'");
    active_.pop_back();
    if_lines_.pop_back();
    why_.pop_back();
    return Status::Ok();
  }

  void Directive(const std::string& directive, std::string_view rest) {
    if (directive == "header" || directive == "body" || directive == "rawbody" ||
        directive == "uri" || directive == "full" || directive == "meta" ||
        directive == "mimeheader") {
      RuleLine(directive, rest);
    } else if (directive == "score") {
      ScoreLine(rest);
    } else if (directive == "describe") {
      std::string name(NextWord(&rest));
      rules_->attrs[name].describe = std::string(rest);
    } else if (directive == "tflags") {
      TflagsLine(rest);
    } else if (directive.rfind("replace_", 0) == 0 && ReplaceLine(directive, rest)) {
    } else if (directive == "util_rb_tld") {
      for (std::string_view w = NextWord(&rest); !w.empty(); w = NextWord(&rest)) rules_->tlds.Add(w);
    } else if (directive == "clear_util_rb") {
      rules_->tlds.Clear();
    } else if (const char* category = UnsupportedRuleDirective(directive)) {
      std::string name(NextWord(&rest));
      RuleDef def = NewRule(name, Target::kMeta);
      MarkUnsupported(&def, category, "'" + directive + "' rules are not supported");
      rules_->Define(std::move(def));
    } else if (ignored_.insert(directive).second) {
      Warn("", "directive '" + directive + "' ignored (not supported by sendguard)");
    }
  }

  RuleDef NewRule(const std::string& name, Target target) const {
    RuleDef def;
    def.name = name;
    def.target = target;
    def.file = file_;
    def.line = line_;
    return def;
  }

  static void MarkUnsupported(RuleDef* def, const std::string& category,
                              const std::string& reason) {
    def->unsupported_category = category;
    def->unsupported_reason = reason;
  }

  void RuleLine(const std::string& directive, std::string_view rest) {
    std::string name(NextWord(&rest));
    static const std::pair<const char*, Target> kTargets[] = {
        {"header", Target::kHeader}, {"body", Target::kBody}, {"rawbody", Target::kRawBody},
        {"uri", Target::kUri},       {"full", Target::kFull}, {"meta", Target::kMeta},
        {"mimeheader", Target::kMimeHeader}};
    Target target = Target::kBody;
    for (const auto& t : kTargets)
      if (directive == t.first) target = t.second;
    RuleDef def = NewRule(name, target);
    if (!ValidRuleName(name)) {
      report_->problems.push_back({file_, line_, name, "invalid rule name", Severity::kError});
      return;
    }
    if (rest.empty()) {
      MarkUnsupported(&def, "syntax", "missing " + std::string(target == Target::kMeta ? "expression" : "pattern"));
    } else if (rest.rfind("eval:", 0) == 0) {
      MarkUnsupported(&def, "eval", "eval rules (Perl code) are not supported: " + std::string(rest.substr(0, 60)));
    } else if (target == Target::kMeta) {
      def.meta = std::string(rest);
    } else if (target == Target::kHeader) {
      HeaderSpec(rest, &def);
    } else if (target == Target::kMimeHeader) {
      MimeHeaderSpec(rest, &def);
    } else {
      SetRegex(rest, &def);
    }
    rules_->Define(std::move(def));
  }

  static void SetRegex(std::string_view literal, RuleDef* def) {
    def->regex = std::string(literal);
    TranslatedRegex tr;
    Unsupported why;
    if (!TranslatePerlRegex(literal, &tr, &why)) {
      MarkUnsupported(def, why.category, why.reason);
      def->regex_untranslatable = true;
      return;
    }
    def->re2_pattern = tr.pattern;
    def->case_insensitive = tr.case_insensitive;
  }

  // `Name[:mod] =~ /re/flags [if-unset: text]`, `Name !~ ...`, `exists:Name`.
  void HeaderSpec(std::string_view rest, RuleDef* def) {
    if (rest.rfind("exists:", 0) == 0) {
      def->exists = true;
      def->header = std::string(Trim(rest.substr(7)));
      if (def->header.empty()) MarkUnsupported(def, "syntax", "exists: without a header name");
      return;
    }
    std::string_view spec = NextWord(&rest);
    std::string_view op = NextWord(&rest);
    if (op != "=~" && op != "!~") {
      MarkUnsupported(def, "syntax", "expected =~ or !~ after the header name");
      return;
    }
    def->negated = op == "!~";
    size_t unset = rest.rfind("[if-unset:");
    if (unset != std::string_view::npos && rest.back() == ']') {
      def->has_if_unset = true;
      def->if_unset = std::string(Trim(rest.substr(unset + 10, rest.size() - unset - 11)));
      rest = Trim(rest.substr(0, unset));
    }
    SetHeaderName(spec, def);
    if (def->unsupported_category.empty()) SetRegex(rest, def);
  }

  // MIMEHeader's syntax: `Name[:raw] =~ /re/ [if-unset: text]` (or !~).
  void MimeHeaderSpec(std::string_view rest, RuleDef* def) {
    if (rest.rfind("exists:", 0) == 0) {
      MarkUnsupported(def, "syntax", "mimeheader takes Name =~ /re/, not exists:");
      return;
    }
    HeaderSpec(rest, def);
    if (def->unsupported_category.empty() && def->view != HeaderView::kDecoded &&
        def->view != HeaderView::kRaw)
      MarkUnsupported(def, "syntax", "mimeheader knows only the :raw modifier");
  }

  void SetHeaderName(std::string_view spec, RuleDef* def) {
    size_t colon = spec.find(':');
    def->header = std::string(spec.substr(0, colon));
    std::string_view mods = colon == std::string_view::npos ? "" : spec.substr(colon + 1);
    while (!mods.empty()) {
      size_t next = mods.find(':');
      std::string_view mod = mods.substr(0, next);
      mods = next == std::string_view::npos ? "" : mods.substr(next + 1);
      if (mod == "addr") def->view = HeaderView::kAddr;
      else if (mod == "name") def->view = HeaderView::kName;
      else if (mod == "raw" && def->view == HeaderView::kDecoded) def->view = HeaderView::kRaw;
      else if (mod != "raw")
        MarkUnsupported(def, "header-modifier", "header modifier ':" + std::string(mod) + "' is not supported");
    }
    if (IsCallerSuppliedHeader(def->header) && warned_pseudo_.insert(def->header).second)
      Warn(def->name, "pseudo-header '" + def->header +
                          "' only matches when the caller supplies it (first use in this file)");
  }

  // ReplaceTags' settings; false for a replace_* directive it does not have.
  bool ReplaceLine(const std::string& directive, std::string_view rest) {
    ReplaceTagConfig& c = rules_->replace;
    if (directive == "replace_rules") {
      while (!rest.empty()) c.rules.insert(std::string(NextWord(&rest)));
      return true;
    }
    if (directive == "replace_start" || directive == "replace_end") {
      (directive == "replace_start" ? c.start : c.end) = std::string(rest);
      return true;
    }
    std::map<std::string, std::string>* table = directive == "replace_tag"     ? &c.tags
                                                : directive == "replace_pre"   ? &c.pre
                                                : directive == "replace_inter" ? &c.inter
                                                : directive == "replace_post"  ? &c.post
                                                                               : nullptr;
    if (!table) return false;
    std::string name(NextWord(&rest));
    (*table)[name] = std::string(rest);
    return true;
  }

  void ScoreLine(std::string_view rest) {
    std::string name(NextWord(&rest));
    std::string first(NextWord(&rest));
    first.erase(std::remove(first.begin(), first.end(), '('), first.end());
    first.erase(std::remove(first.begin(), first.end(), ')'), first.end());
    char* end = nullptr;
    double v = strtod(first.c_str(), &end);
    if (first.empty() || *end != '\0') {
      report_->problems.push_back({file_, line_, name, "score is not a number: '" + first + "'", Severity::kError});
      return;
    }
    RuleAttrs& a = rules_->attrs[name];
    a.has_score = true;
    a.score = v;
  }

  void TflagsLine(std::string_view rest) {
    std::string name(NextWord(&rest));
    RuleAttrs& a = rules_->attrs[name];
    while (!rest.empty()) {
      std::string flag(NextWord(&rest));
      if (flag == "nice") a.nice = true;
      if (flag == "multiple") a.multiple = true;
      if (flag == "nosubject") a.nosubject = true;
      if (flag.rfind("maxhits=", 0) == 0) a.maxhits = atoi(flag.c_str() + 8);
    }
  }

  std::string file_;
  ParsedRules* rules_;
  LoadReport* report_;
  int line_ = 0;
  std::vector<bool> active_;
  std::vector<int> if_lines_;
  std::vector<std::pair<std::string, std::string>> why_;  // per open block: category, reason if false
  std::set<std::string> ignored_;
  std::set<std::string> warned_pseudo_;
};

}  // namespace

Status ParseCfText(std::string_view text, const std::string& file,
                   ParsedRules* rules, LoadReport* report) {
  return FileParser(file, rules, report).Run(text);
}

namespace {

Status ParseCfFile(const std::string& path, ParsedRules* rules, LoadReport* report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot open rule file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IoError(path + ": read error");
  return ParseCfText(buffer.str(), path, rules, report);
}

Status ExpandPath(const std::string& path, std::vector<std::string>* files) {
  std::error_code ec;
  namespace fs = std::filesystem;
  if (!fs::is_directory(path, ec)) {
    if (!fs::exists(path, ec)) return Status::IoError(path + ": no such file or directory");
    files->push_back(path);
    return Status::Ok();
  }
  std::vector<std::string> found;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".cf" && it->is_regular_file(ec)) found.push_back(it->path().string());
  }
  if (ec) return Status::IoError(path + ": cannot list directory: " + ec.message());
  std::sort(found.begin(), found.end());
  files->insert(files->end(), found.begin(), found.end());
  return Status::Ok();
}

}  // namespace

Status ParseCfPaths(const std::vector<std::string>& paths, ParsedRules* rules,
                    LoadReport* report) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    Status s = ExpandPath(p, &files);
    if (!s.ok()) return s;
  }
  for (const std::string& f : files) {
    Status s = ParseCfFile(f, rules, report);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace rules
}  // namespace sendguard
