// rules/rule_set.cc — compiling ParsedRules into per-target regex groups and
// metas, and scanning messages.
#include "rules/rule_set.h"

#include <algorithm>
#include <map>
#include <optional>

#include "rules/body_text.h"
#include "rules/cf_parser.h"
#include "rules/expr.h"
#include "rules/header_view.h"
#include "rules/relays.h"
#include "rules/regex_group.h"
#include "rules/replace_tags.h"

namespace sendguard {
namespace rules {
namespace {

constexpr int kMultipleDefaultMax = 1000;

struct CompiledRule {
  std::string name;
  std::string describe;
  double score = 0;
  bool scoring = false;
  bool negated = false;
  std::optional<Expr> meta;
  std::vector<int> meta_deps;  // rule index per meta name
};

// Rules that read the same text: a target, or one header view.
struct TextGroup {
  std::unique_ptr<RegexGroup> regexes;
  std::vector<int> rule_of;  // group entry -> rule index
  // Header groups only:
  std::string header;
  HeaderView view = HeaderView::kDecoded;
  bool has_if_unset = false;
  std::string if_unset;
  bool caller_supplied = false;  // pseudo-header: absent means "unknown"
  // What the group's rules match when the header is absent (the if-unset
  // text or ""), computed once at load: most headers are absent from most
  // messages (and from most MIME parts).
  std::vector<std::pair<int, int>> absent_hits;  // group entry, count
  bool absent_computed = false;
};

struct ExistsRule {
  int rule;
  std::string header;
};

bool IsScoring(const std::string& name, double score) {
  return name.rfind("__", 0) != 0 && score != 0;
}

// SpamAssassin's score for a rule without a `score` line (Parser.pm
// fix_tests): 0.01 for T_ rules, else 1, negated for `tflags nice`.
double UnsetScore(const std::string& name, bool nice) {
  double v = name.rfind("T_", 0) == 0 ? 0.01 : 1.0;
  return nice ? -v : v;
}

// What a rule adds to the total: "__" rules never add.
double DefaultScore(const std::string& name, bool nice) {
  return name.rfind("__", 0) == 0 ? 0 : UnsetScore(name, nice);
}

bool IsPseudoHeader(const std::string& h) { return h == "ALL" || h == "ToCc" || h == "MESSAGEID"; }

std::string HeaderKey(const RuleDef& def) {
  std::string name = def.header;
  if (!IsPseudoHeader(name)) std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  return name + '\x01' + std::to_string(static_cast<int>(def.view)) + '\x01' +
         (def.has_if_unset ? "1" + def.if_unset : "0");
}

}  // namespace

struct RuleSet::Impl {
  std::vector<CompiledRule> rules;
  TextGroup body, rawbody, full, uri;
  TextGroup body_nosubject;  // body rules with `tflags nosubject`: the text after the Subject line
  std::vector<TextGroup> headers;
  std::vector<TextGroup> mimeheaders;  // one per header view, run on each MIME part
  std::vector<ExistsRule> exists;
  std::vector<int> meta_order;  // dependencies first
  std::vector<int> max_count;   // rule -> most matches counted (1 unless multiple)
  std::vector<RuleInfo> infos;  // rule -> what the console shows of it
  std::vector<std::string> relay_headers;  // pseudo-headers read by a header group or exists rule
  mime::TldList tlds;                      // util_rb_tld: what text URL finding takes as a TLD

  Status ScanText(const TextGroup& g, std::string_view text, std::vector<int>* counts,
                  std::vector<std::string>* matched) const;
  Status ScanAbsent(const TextGroup& g, std::vector<int>* counts,
                    std::vector<std::string>* matched) const;
  Status ScanUris(const std::vector<std::string>& uris, std::vector<int>* counts,
                  std::vector<std::string>* matched) const;
  Status ScanHeaders(const mime::ParsedMessage& msg, std::vector<int>* counts,
                     std::vector<std::string>* matched) const;
  Status ScanMimeHeaders(const mime::ParsedMessage& msg, std::vector<int>* counts,
                         std::vector<std::string>* matched) const;
  void EvaluateMetas(std::vector<int>* counts) const;
};

// Builds the compiled rule set; lives in a class so each step stays short.
class RuleSetBuilder {
 public:
  RuleSetBuilder(ParsedRules parsed, const LoadOptions& options, LoadReport* report)
      : parsed_(std::move(parsed)), options_(options), report_(report),
        impl_(std::make_unique<RuleSet::Impl>()) {}

  std::unique_ptr<RuleSet::Impl> Run() {
    CreateRules();
    ChooseRules();
    AssignGroups();
    BuildGroup(&impl_->body, body_specs_, false);
    BuildGroup(&impl_->body_nosubject, body_nosubject_specs_, false);
    BuildGroup(&impl_->rawbody, rawbody_specs_, false);
    BuildGroup(&impl_->full, full_specs_, false);
    BuildGroup(&impl_->uri, uri_specs_, true);
    for (size_t i = 0; i < impl_->headers.size(); ++i) {
      BuildGroup(&impl_->headers[i], header_specs_[i], true);
      MatchAbsent(&impl_->headers[i]);
    }
    for (size_t i = 0; i < impl_->mimeheaders.size(); ++i) {
      BuildGroup(&impl_->mimeheaders[i], mimeheader_specs_[i], true);
      MatchAbsent(&impl_->mimeheaders[i]);
    }
    ResolveMetas();
    impl_->tlds = std::move(parsed_.tlds);
    Report();
    DescribeRules();
    ListRelayHeaders();
    return std::move(impl_);
  }

 private:
  void ListRelayHeaders() {
    std::vector<std::string>& out = impl_->relay_headers;
    auto add = [&out](const std::string& name) {
      if (IsRelayPseudoHeader(name) && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    };
    for (const TextGroup& g : impl_->headers) add(g.header);
    for (const ExistsRule& e : impl_->exists) add(e.header);
  }

  void CreateRules() {
    for (const RuleDef& def : parsed_.defs) {
      CompiledRule r;
      r.name = def.name;
      const RuleAttrs& a = parsed_.attrs[def.name];
      r.describe = a.describe;
      r.score = a.has_score ? a.score : DefaultScore(def.name, a.nice);
      r.scoring = IsScoring(def.name, r.score);
      nonzero_.push_back((a.has_score ? a.score : UnsetScore(def.name, a.nice)) != 0);
      r.negated = def.negated;
      impl_->rules.push_back(std::move(r));
      impl_->max_count.push_back(MaxCount(def.name));
      bad_.push_back(!def.unsupported_category.empty());
      category_.push_back(def.unsupported_category);
      reason_.push_back(def.unsupported_reason);
    }
  }

  // The names each meta uses (empty for other rules and unparsable metas,
  // which ResolveMetas reports).
  void ParseMetaNames() {
    meta_names_.resize(parsed_.defs.size());
    for (size_t i = 0; i < parsed_.defs.size(); ++i) {
      const RuleDef& def = parsed_.defs[i];
      if (def.target != Target::kMeta || bad_[i]) continue;
      Result<Expr> e = Expr::Parse(def.meta);
      if (e.ok()) meta_names_[i] = e->names();
    }
  }

  // Fills run_ per options_.run: every rule, those SpamAssassin runs (score
  // != 0), or those a scoring rule needs (scoring rules, then the non-zero
  // rules their metas use, transitively).
  void ChooseRules() {
    const size_t n = parsed_.defs.size();
    ParseMetaNames();
    run_.assign(n, options_.run == RunRules::kAll);
    if (options_.run == RunRules::kAll) return;
    if (options_.run == RunRules::kNonZero) {
      for (size_t i = 0; i < n; ++i) run_[i] = nonzero_[i];
      return;
    }
    std::vector<size_t> todo;
    for (size_t i = 0; i < n; ++i)
      if (impl_->rules[i].scoring) todo.push_back(i);
    while (!todo.empty()) {
      size_t i = todo.back();
      todo.pop_back();
      if (run_[i]) continue;
      run_[i] = true;
      for (const std::string& name : meta_names_[i]) {
        auto it = parsed_.index.find(name);
        if (it != parsed_.index.end() && nonzero_[it->second]) todo.push_back(it->second);
      }
    }
  }

  int MaxCount(const std::string& name) {
    const RuleAttrs& a = parsed_.attrs[name];
    if (!a.multiple) return 1;
    return a.maxhits > 0 ? a.maxhits : kMultipleDefaultMax;
  }

  void AssignGroups() {
    std::map<std::string, size_t> header_index, mimeheader_index;
    for (size_t i = 0; i < parsed_.defs.size(); ++i) {
      const RuleDef& def = parsed_.defs[i];
      if (bad_[i] || !run_[i] || def.target == Target::kMeta) continue;
      if (def.exists) {
        impl_->exists.push_back({static_cast<int>(i), def.header});
        continue;
      }
      RegexSpec spec{def.re2_pattern, def.case_insensitive, MaxCount(def.name)};
      if (def.target == Target::kBody || def.target == Target::kRawBody || def.target == Target::kUri)
        spec.pattern = "(?m)" + spec.pattern;
      if (def.target == Target::kHeader) {
        AddHeaderRule(def, i, spec, &header_index, &impl_->headers, &header_specs_);
        continue;
      }
      if (def.target == Target::kMimeHeader) {
        AddHeaderRule(def, i, spec, &mimeheader_index, &impl_->mimeheaders, &mimeheader_specs_);
        continue;
      }
      bool nosubject = def.target == Target::kBody && parsed_.attrs[def.name].nosubject;
      TextGroup* g = nosubject ? &impl_->body_nosubject
                     : def.target == Target::kBody ? &impl_->body
                     : def.target == Target::kRawBody ? &impl_->rawbody
                     : def.target == Target::kFull ? &impl_->full : &impl_->uri;
      std::vector<RegexSpec>* specs = nosubject ? &body_nosubject_specs_
                                      : def.target == Target::kBody ? &body_specs_
                                      : def.target == Target::kRawBody ? &rawbody_specs_
                                      : def.target == Target::kFull ? &full_specs_ : &uri_specs_;
      g->rule_of.push_back(static_cast<int>(i));
      specs->push_back(spec);
    }
  }

  void AddHeaderRule(const RuleDef& def, size_t rule, const RegexSpec& spec,
                     std::map<std::string, size_t>* header_index, std::vector<TextGroup>* groups,
                     std::vector<std::vector<RegexSpec>>* group_specs) {
    auto it = header_index->emplace(HeaderKey(def), groups->size()).first;
    if (it->second == groups->size()) {
      TextGroup g;
      g.header = def.header;
      g.view = def.view;
      g.has_if_unset = def.has_if_unset;
      g.if_unset = def.if_unset;
      g.caller_supplied = def.target == Target::kHeader && IsCallerSuppliedHeader(def.header);
      groups->push_back(std::move(g));
      group_specs->emplace_back();
    }
    (*groups)[it->second].rule_of.push_back(static_cast<int>(rule));
    (*group_specs)[it->second].push_back(spec);
  }

  void BuildGroup(TextGroup* g, const std::vector<RegexSpec>& specs, bool short_texts) {
    RegexGroupOptions o;
    o.hyperscan = options_.hyperscan;
    o.short_texts = short_texts;
    o.min_atom_len = options_.min_atom_len;
    o.set_max_mem = options_.set_max_mem;
    std::vector<RegexGroup::CompileError> errors;
    g->regexes = RegexGroup::Build(specs, o, &errors);
    for (const RegexGroup::CompileError& e : errors) {
      int rule = g->rule_of[e.index];
      bad_[rule] = true;
      category_[rule] = "re2-error";
      reason_[rule] = "RE2 cannot compile it: " + e.reason;
    }
  }

  // A failure here (engine error on a tiny text) leaves absent_hits empty
  // and is logged; scans then match the absent value for real.
  void MatchAbsent(TextGroup* g) {
    std::vector<GroupMatch> found;
    if (!g->regexes->Match(g->if_unset, &found).ok()) {
      g->absent_hits.clear();
      g->absent_computed = false;
      return;
    }
    for (const GroupMatch& m : found) g->absent_hits.emplace_back(m.index, m.count);
    g->absent_computed = true;
  }

  // Parses every meta and disables those whose dependencies are unknown,
  // unusable or circular; fills meta_order with dependencies first.
  void ResolveMetas() {
    for (size_t i = 0; i < parsed_.defs.size(); ++i) {
      const RuleDef& def = parsed_.defs[i];
      if (def.target != Target::kMeta || bad_[i]) continue;
      Result<Expr> e = Expr::Parse(def.meta);
      if (!e.ok()) {
        Disable(i, "syntax", e.status().message());
        continue;
      }
      impl_->rules[i].meta = std::move(e).value();
    }
    state_.assign(parsed_.defs.size(), 0);
    for (size_t i = 0; i < parsed_.defs.size(); ++i)
      if (impl_->rules[i].meta) Visit(i);
  }

  void Disable(size_t i, const std::string& category, const std::string& reason) {
    bad_[i] = true;
    category_[i] = category;
    reason_[i] = reason;
  }

  // Depth-first: 0 unvisited, 1 in progress, 2 done.
  bool Visit(size_t i) {
    if (state_[i] == 2) return !bad_[i];
    if (state_[i] == 1) {
      Disable(i, "meta-cycle", "meta rules depend on each other in a cycle");
      return false;
    }
    state_[i] = 1;
    bool ok = !bad_[i];
    CompiledRule& r = impl_->rules[i];
    for (const std::string& name : r.meta ? r.meta->names() : std::vector<std::string>{}) {
      if (!ok) break;
      auto it = parsed_.index.find(name);
      if (it == parsed_.index.end()) {
        Disable(i, "meta-undefined", "meta uses undefined rule " + name);
        ok = false;
      } else if (!Visit(it->second)) {
        const std::string& why = category_[it->second];
        if (!bad_[i]) Disable(i, why == "meta-cycle" ? why : "meta-dependency", "meta uses " + name + ", which is not loaded (" + why + ")");
        ok = false;
      } else {
        r.meta_deps.push_back(static_cast<int>(it->second));
      }
    }
    state_[i] = 2;
    if (ok && r.meta && run_[i]) impl_->meta_order.push_back(static_cast<int>(i));
    if (!ok) r.meta.reset();
    return ok;
  }

  void Report() {
    Severity sev = options_.strict ? Severity::kError : Severity::kWarning;
    if (!options_.strict)
      for (Problem& p : report_->problems) p.severity = Severity::kWarning;
    for (size_t i = 0; i < parsed_.defs.size(); ++i) {
      const RuleDef& def = parsed_.defs[i];
      bool regex_rule = def.target != Target::kMeta && !def.exists && category_[i] != "eval";
      report_->total++;
      report_->regex_total += regex_rule;
      report_->rule_states.emplace_back(def.name, bad_[i] ? category_[i] : "loaded");
      if (!bad_[i] && !run_[i])
        report_->not_run.emplace_back(def.name, nonzero_[i] ? "unused" : "score 0");
      if (!bad_[i]) {
        report_->loaded++;
        report_->regex_loaded += regex_rule;
        continue;
      }
      report_->unsupported_by_reason[category_[i]]++;
      report_->problems.push_back({def.file, def.line, def.name, reason_[i], sev});
    }
    ReportSkipped();
  }

  void DescribeRules() {
    for (size_t i = 0; i < parsed_.defs.size(); ++i) {
      const RuleDef& def = parsed_.defs[i];
      const CompiledRule& r = impl_->rules[i];
      std::string state = bad_[i] ? category_[i] + ": " + reason_[i]
                          : run_[i] ? "runs" : nonzero_[i] ? "not run (unused)" : "not run (score 0)";
      impl_->infos.push_back({def.name, def.target, def.header, r.score, r.describe, def.file, def.line, state});
    }
  }

  // Rules only defined in false ifplugin/if blocks: counted, never errors.
  void ReportSkipped() {
    for (const auto& [name, s] : parsed_.skipped) {
      if (parsed_.index.count(name)) continue;
      report_->total++;
      report_->unsupported_by_reason[s.category]++;
      report_->rule_states.emplace_back(name, s.category);
      report_->problems.push_back({s.file, s.line, name, "not defined: " + s.reason, Severity::kWarning});
    }
  }

  ParsedRules parsed_;
  LoadOptions options_;
  LoadReport* report_;
  std::unique_ptr<RuleSet::Impl> impl_;
  std::vector<bool> bad_;
  std::vector<std::string> category_, reason_;
  std::vector<RegexSpec> body_specs_, body_nosubject_specs_, rawbody_specs_, full_specs_, uri_specs_;
  std::vector<std::vector<RegexSpec>> header_specs_, mimeheader_specs_;
  std::vector<int> state_;
  std::vector<bool> nonzero_;  // SpamAssassin's score of the rule is not 0
  std::vector<bool> run_;      // Scan() computes the rule
  std::vector<std::vector<std::string>> meta_names_;
};

RuleSet::RuleSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuleSet::~RuleSet() = default;

int RuleSet::num_rules() const { return static_cast<int>(impl_->rules.size()); }

const std::vector<RuleInfo>& RuleSet::rule_infos() const { return impl_->infos; }

const std::vector<std::string>& RuleSet::relay_headers_read() const { return impl_->relay_headers; }

const mime::TldList& RuleSet::tlds() const { return impl_->tlds; }

int64_t RuleSet::dfa_fallbacks() const {
  int64_t n = 0;
  for (const TextGroup* g : {&impl_->body, &impl_->body_nosubject, &impl_->rawbody, &impl_->full, &impl_->uri})
    n += g->regexes->dfa_fallbacks();
  for (const TextGroup& g : impl_->headers) n += g.regexes->dfa_fallbacks();
  for (const TextGroup& g : impl_->mimeheaders) n += g.regexes->dfa_fallbacks();
  return n;
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Load(const std::vector<std::string>& paths,
                                                     const LoadOptions& options,
                                                     LoadReport* report) {
  ParsedRules parsed;
  Status s = ParseCfPaths(paths, &parsed, report);
  if (!s.ok()) return s;
  return Compile(std::move(parsed), options, report);
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Compile(ParsedRules parsed,
                                                        const LoadOptions& options,
                                                        LoadReport* report) {
  ApplyReplaceTags(&parsed);
  std::unique_ptr<Impl> impl = RuleSetBuilder(std::move(parsed), options, report).Run();
  if (options.strict && report->errors() > 0) {
    for (const Problem& p : report->problems) {
      if (p.severity != Severity::kError) continue;
      return Status::InvalidArgument(std::to_string(report->errors()) + " error(s) in rules, first: " +
                                     p.file + ":" + std::to_string(p.line) + ": " +
                                     (p.rule.empty() ? "" : p.rule + ": ") + p.reason);
    }
  }
  return std::shared_ptr<const RuleSet>(new RuleSet(std::move(impl)));
}

Status RuleSet::Impl::ScanText(const TextGroup& g, std::string_view text, std::vector<int>* counts,
                               std::vector<std::string>* matched) const {
  std::vector<GroupMatch> found;
  Status s = g.regexes->Match(text, &found);
  if (!s.ok()) return s;
  for (const GroupMatch& m : found) {
    int rule = g.rule_of[m.index];
    if ((*counts)[rule] == 0) (*matched)[rule] = std::string(m.matched);
    (*counts)[rule] += m.count;
  }
  return Status::Ok();
}

// The group's rules on an absent header: the load-time result.
Status RuleSet::Impl::ScanAbsent(const TextGroup& g, std::vector<int>* counts,
                                 std::vector<std::string>* matched) const {
  if (!g.absent_computed) return ScanText(g, g.if_unset, counts, matched);
  for (const auto& [entry, count] : g.absent_hits) {
    int rule = g.rule_of[entry];
    if ((*counts)[rule] == 0) (*matched)[rule] = g.if_unset;
    (*counts)[rule] += count;
  }
  return Status::Ok();
}

// Each URI is matched on its own; a rule's count is the number of URIs it
// matched (times the matches in each, with `tflags multiple`).
Status RuleSet::Impl::ScanUris(const std::vector<std::string>& uris, std::vector<int>* counts,
                               std::vector<std::string>* matched) const {
  std::vector<std::vector<GroupMatch>> found;
  Status s = uri.regexes->MatchEach(uris, &found);
  if (!s.ok()) return s;
  for (const std::vector<GroupMatch>& per_uri : found) {
    for (const GroupMatch& m : per_uri) {
      int rule = uri.rule_of[m.index];
      if ((*counts)[rule] == 0) (*matched)[rule] = std::string(m.matched);
      (*counts)[rule] += m.count;
    }
  }
  return Status::Ok();
}

Status RuleSet::Impl::ScanHeaders(const mime::ParsedMessage& msg, std::vector<int>* counts,
                                  std::vector<std::string>* matched) const {
  for (const TextGroup& g : headers) {
    bool found = false;
    const auto& source = IsRelayPseudoHeader(g.header) ? msg.pseudo_headers : msg.headers;
    std::string text = HeaderText(source, g.header, g.view, &found);
    // SpamAssassin matches a missing header as "" (Check.pm: $hval undef,
    // no warnings), or as its [if-unset: text]: /^$/ hits it, !~ /./ too.
    // A pseudo-header nobody supplied is unknown: without if-unset neither
    // =~ nor !~ rules hit.
    if (!found && g.caller_supplied && !g.has_if_unset) continue;
    Status s = found ? ScanText(g, text, counts, matched) : ScanAbsent(g, counts, matched);
    if (!s.ok()) return s;
    for (int rule : g.rule_of) {
      if (!rules[rule].negated) continue;
      (*counts)[rule] = (*counts)[rule] == 0 ? 1 : 0;
      (*matched)[rule].clear();
    }
  }
  for (const ExistsRule& e : exists) {
    bool found = false;
    HeaderText(IsRelayPseudoHeader(e.header) ? msg.pseudo_headers : msg.headers, e.header, HeaderView::kRaw,
               &found);
    (*counts)[e.rule] = found;
  }
  return Status::Ok();
}

// MIMEHeader: each rule is tried on the named header of every MIME entity
// (the last occurrence in that entity, decoded or :raw; "" or the if-unset
// text when absent); the count is the number of matches over all entities,
// up to the rule's maximum. `!~` hits when no entity matches. (SpamAssassin
// 4.0.1's plugin makes every `!~` mimeheader rule hit; no rule it ships
// uses one.)
Status RuleSet::Impl::ScanMimeHeaders(const mime::ParsedMessage& msg, std::vector<int>* counts,
                                      std::vector<std::string>* matched) const {
  for (const TextGroup& g : mimeheaders) {
    for (const std::vector<mime::Header>& part : msg.part_headers) {
      bool found = false;
      std::string text = LastHeaderValue(part, g.header, g.view, &found);
      Status s = found ? ScanText(g, text, counts, matched) : ScanAbsent(g, counts, matched);
      if (!s.ok()) return s;
    }
    for (int rule : g.rule_of) {
      (*counts)[rule] = std::min((*counts)[rule], max_count[rule]);
      if (!rules[rule].negated) continue;
      (*counts)[rule] = (*counts)[rule] == 0 ? 1 : 0;
      (*matched)[rule].clear();
    }
  }
  return Status::Ok();
}

void RuleSet::Impl::EvaluateMetas(std::vector<int>* counts) const {
  std::vector<double> values;
  for (int i : meta_order) {
    const CompiledRule& r = rules[i];
    values.clear();
    for (int dep : r.meta_deps) values.push_back((*counts)[dep]);
    (*counts)[i] = r.meta->Evaluate(values) != 0 ? 1 : 0;
  }
}

Status RuleSet::Scan(const mime::ParsedMessage& msg, ScanResult* out) const {
  const Impl& m = *impl_;
  std::vector<int> counts(m.rules.size(), 0);
  std::vector<std::string> matched(m.rules.size());
  std::string body = msg.body;
  ToParagraphs(&body);
  Status s = m.ScanText(m.body, body, &counts, &matched);
  if (s.ok() && !m.body_nosubject.rule_of.empty()) {
    size_t subject_end = body.find('\n');  // SpamAssassin's first text element
    s = m.ScanText(m.body_nosubject, subject_end == std::string::npos ? std::string_view() :
                   std::string_view(body).substr(subject_end + 1), &counts, &matched);
  }
  if (s.ok()) s = m.ScanText(m.rawbody, msg.rawbody, &counts, &matched);
  if (s.ok()) s = m.ScanText(m.full, msg.full, &counts, &matched);
  if (s.ok()) s = m.ScanUris(msg.uris, &counts, &matched);
  if (s.ok()) s = m.ScanHeaders(msg, &counts, &matched);
  if (s.ok()) s = m.ScanMimeHeaders(msg, &counts, &matched);
  if (!s.ok()) return s;
  m.EvaluateMetas(&counts);
  *out = ScanResult();
  for (size_t i = 0; i < m.rules.size(); ++i) {
    if (counts[i] == 0) continue;
    const CompiledRule& r = m.rules[i];
    RuleHit hit{r.name, r.scoring ? r.score * counts[i] : 0, matched[i], r.describe, counts[i]};
    if (r.scoring) {
      out->score += hit.score;
      out->hits.push_back(std::move(hit));
    } else {
      out->subrules.push_back(std::move(hit));
    }
  }
  return Status::Ok();
}

}  // namespace rules
}  // namespace sendguard
