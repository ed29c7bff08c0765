// rules/regex_group.cc — candidate finders (literal prefilter + RE2::Set,
// optionally Hyperscan) in front of RE2, which alone decides a match. The
// only sendguard file that includes RE2.
#include "rules/regex_group.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <chrono>

#include "core/log.h"
#include "rules/aho_corasick.h"
#include "rules/gram_filter.h"
#include "rules/hyperscan_prefilter.h"

namespace sendguard {
namespace rules {

constexpr int kMaxCount = 1000;  // hard cap for `multiple` rules
// Groups up to this size may run without a prefilter (each regex on its
// own) when that is fastest.
constexpr size_t kMaxWithoutPrefilter = 8;
// Groups up to this size give Hyperscan every regex it can take; larger ones
// only those with a required literal, leaving the literal-free ones to the
// RE2::Set. On SpamAssassin's body rules (517, about 200 literal-free)
// Hyperscan was slower than the Set on the literal-free ones, and compiling
// them took seconds of every load. Larger groups of short texts (headers,
// URIs) are not tried at all: on SpamAssassin's (70 to 136 regexes) the RE2
// prefilter always won.
constexpr size_t kMaxAllInHyperscan = 64;
// The literal-free regexes of a group run in RE2::Sets of at most this many.
// One Set of SpamAssassin's ~190 literal-free body regexes has so many DFA
// states that its cache (set_max_mem) fills within a message and is rebuilt
// over and over: ~2 ms for a 500-byte body. Sets of this size keep their
// states cached across messages; a few passes over the text cost less.
constexpr size_t kMaxSetSize = 32;
constexpr int kCalibrationRounds = 5;
constexpr double kClearlyFaster = 0.9;  // at least 10% less time

namespace {

re2::RE2::Options RegexOptions(bool case_insensitive, int64_t max_mem) {
  re2::RE2::Options o;
  o.set_encoding(re2::RE2::Options::EncodingLatin1);
  o.set_case_sensitive(!case_insensitive);
  o.set_log_errors(false);
  o.set_max_mem(max_mem);
  return o;
}

std::string CompileErrorText(const RegexSpec& spec) {
  re2::RE2 re(spec.pattern, RegexOptions(spec.case_insensitive, 8 << 20));
  return re.error().empty() ? "RE2 rejected the pattern" : re.error();
}

// Counts non-overlapping matches of `re` in `text`, up to `limit`, and keeps
// the first matched text.
int CountMatches(const re2::RE2& re, std::string_view text, int limit,
                 std::string_view* first) {
  int count = 0;
  size_t pos = 0;
  re2::StringPiece m;
  // One DFA pass per match: a miss costs one pass over the text, a hit only
  // the bytes up to its end (a separate boolean pre-pass would scan twice).
  while (count < limit && pos <= text.size() &&
         re.Match(re2::StringPiece(text.data(), text.size()), pos, text.size(),
                  re2::RE2::UNANCHORED, &m, 1)) {
    if (count == 0) *first = std::string_view(m.data(), m.size());
    ++count;
    size_t end = static_cast<size_t>(m.data() - text.data()) + m.size();
    pos = m.empty() ? end + 1 : end;
  }
  return count;
}

// About 8 KB of ordinary mail text (prose, HTML, links, amounts) on which
// the two candidate finders of a group are timed against each other.
const std::string& CalibrationText() {
  static const std::string text = [] {
    static const char* const kWords[] = {
        "the", "meeting", "invoice", "please", "attached", "report", "account", "thanks",
        "regards", "tomorrow", "schedule", "project", "update", "customer", "delivery", "price",
        "order", "review", "quarterly", "numbers", "team", "office", "Monday", "Friday",
        "confirm", "payment", "$1,250.00", "2026", "<p>", "</p>", "<a href=\"https://example.com/a?b=c\">",
        "</a>", "http://www.example.org/path", "info@example.net", "Hello,", "Best,", "-", "&nbsp;"};
    std::string out;
    uint32_t state = 12345;
    size_t line = 0;
    while (out.size() < 8192) {
      state = state * 1103515245u + 12345u;
      const char* w = kWords[(state >> 16) % (sizeof kWords / sizeof kWords[0])];
      out += w;
      line += std::string_view(w).size() + 1;
      if (line > 70) { out += "\n"; line = 0; } else { out += ' '; }
    }
    return out;
  }();
  return text;
}

// A header value or URI, for groups that scan short texts.
const std::string& ShortCalibrationText() {
  static const std::string text =
      "Re: quarterly numbers for Monday <info@example.net> https://www.example.com/a?b=c&d=2026";
  return text;
}

}  // namespace

// Finds the candidate regexes of a group: those that may match a text.
// Regexes Hyperscan takes (when asked) are named by one Hyperscan pass; the
// others get their required literals from FilteredRE2 and are named when
// their literals occur (n-gram or Aho–Corasick search); those without a
// usable literal run in RE2::Sets of up to kMaxSetSize.
// Immutable after Build(); Candidates() may run concurrently.
class RegexGroup::CandidateFinder {
 public:
  enum class Kind {
    kRe2,                // no Hyperscan
    kHyperscanAll,       // Hyperscan takes every regex it can
    kHyperscanLiterals,  // Hyperscan takes those with a literal, the RE2::Set the rest
  };
  static std::unique_ptr<CandidateFinder> Build(const std::vector<RegexSpec>& specs,
                                                const std::vector<int>& spec_of,
                                                const RegexGroupOptions& options, Kind kind);
  Status Candidates(std::string_view text, std::vector<int>* out,
                    std::atomic<int64_t>* dfa_fallbacks) const;
  int num_hyperscan() const { return num_hyperscan_; }
  int num_unfiltered() const { return static_cast<int>(set_fids_.size()); }

 private:
  explicit CandidateFinder(int min_atom_len) : filter_(min_atom_len) {}
  std::vector<int> BuildHyperscan(const std::vector<RegexSpec>& specs,
                                  const std::vector<int>& spec_of, const std::vector<int>& ids);
  void BuildLiteralFilter(const std::vector<RegexSpec>& specs, const std::vector<int>& spec_of,
                          const std::vector<int>& ids, const RegexGroupOptions& options);
  void BuildSet(const std::vector<RegexSpec>& specs, const std::vector<int>& spec_of,
                const RegexGroupOptions& options);
  Status HyperscanCandidates(std::string_view text, std::vector<int>* out) const;
  Status LiteralCandidates(std::string_view text, std::vector<int>* out,
                           std::atomic<int64_t>* dfa_fallbacks) const;
  Status MatchSets(std::string_view text, std::vector<uint8_t>* set_hit, bool* use_sets,
                   std::atomic<int64_t>* dfa_fallbacks) const;

  std::unique_ptr<HyperscanPrefilter> hs_;
  std::vector<int> hs_ids_;           // Hyperscan pattern index -> id
  int num_hyperscan_ = 0;
  re2::FilteredRE2 filter_;
  std::vector<int> filter_ids_;       // filter id -> id
  std::vector<uint8_t> in_set_;       // filter id -> literal-free, runs in the set
  std::vector<int> set_fids_;         // the literal-free filter ids
  // Exactly one of these finds the atoms: the n-gram filter when all atoms
  // are long enough for it (the usual case), else Aho–Corasick.
  std::unique_ptr<GramFilter> grams_;
  std::unique_ptr<AhoCorasick> atoms_;
  // The literal-free regexes, in sets of at most kMaxSetSize (see there).
  std::vector<std::unique_ptr<re2::RE2::Set>> sets_;
  std::vector<std::vector<int>> set_members_;  // per set: set index -> filter id
  bool inject_set_out_of_memory_ = false;
};

namespace {

// Splits ids into those FilteredRE2 finds a required literal for and those
// it does not.
void SplitByLiteral(const std::vector<RegexSpec>& specs, const std::vector<int>& spec_of,
                    const RegexGroupOptions& options, std::vector<int>* with_literal,
                    std::vector<int>* literal_free) {
  re2::FilteredRE2 filter(options.min_atom_len);
  std::vector<int> ids;
  for (size_t id = 0; id < spec_of.size(); ++id) {
    const RegexSpec& spec = specs[spec_of[id]];
    int fid = -1;
    if (filter.Add(spec.pattern, RegexOptions(spec.case_insensitive, options.regex_max_mem), &fid) ==
        re2::RE2::NoError)
      ids.push_back(static_cast<int>(id));
  }
  std::vector<std::string> atoms;
  std::vector<int> free_fids;
  if (!ids.empty()) {
    filter.Compile(&atoms);
    filter.AllPotentials({}, &free_fids);
  }
  std::vector<uint8_t> is_free(ids.size(), 0);
  for (int fid : free_fids) is_free[fid] = 1;
  for (size_t fid = 0; fid < ids.size(); ++fid)
    (is_free[fid] ? literal_free : with_literal)->push_back(ids[fid]);
}

}  // namespace

std::unique_ptr<RegexGroup::CandidateFinder> RegexGroup::CandidateFinder::Build(
    const std::vector<RegexSpec>& specs, const std::vector<int>& spec_of,
    const RegexGroupOptions& options, Kind kind) {
  std::unique_ptr<CandidateFinder> f(new CandidateFinder(options.min_atom_len));
  f->inject_set_out_of_memory_ = options.inject_set_out_of_memory;
  std::vector<int> all, rest;
  for (size_t id = 0; id < spec_of.size(); ++id) all.push_back(static_cast<int>(id));
  if (kind == Kind::kRe2) {
    rest = all;
  } else if (kind == Kind::kHyperscanAll) {
    rest = f->BuildHyperscan(specs, spec_of, all);
  } else {
    std::vector<int> with_literal;
    SplitByLiteral(specs, spec_of, options, &with_literal, &rest);
    std::vector<int> refused = f->BuildHyperscan(specs, spec_of, with_literal);
    rest.insert(rest.end(), refused.begin(), refused.end());
    std::sort(rest.begin(), rest.end());
  }
  f->BuildLiteralFilter(specs, spec_of, rest, options);
  return f;
}

// Puts every one of `ids` Hyperscan can approximate behind one database;
// returns the ids it could not take.
std::vector<int> RegexGroup::CandidateFinder::BuildHyperscan(const std::vector<RegexSpec>& specs,
                                                             const std::vector<int>& spec_of,
                                                             const std::vector<int>& ids) {
  std::vector<HyperscanPrefilter::Pattern> patterns;
  for (int id : ids) patterns.push_back({specs[spec_of[id]].pattern, specs[spec_of[id]].case_insensitive});
  std::vector<uint8_t> accepted;
  hs_ = HyperscanPrefilter::Build(patterns, &accepted);
  hs_ids_ = ids;
  std::vector<int> rest;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (hs_ && accepted[i]) ++num_hyperscan_;
    else rest.push_back(ids[i]);
  }
  return rest;
}

void RegexGroup::CandidateFinder::BuildLiteralFilter(const std::vector<RegexSpec>& specs,
                                                     const std::vector<int>& spec_of,
                                                     const std::vector<int>& ids,
                                                     const RegexGroupOptions& options) {
  for (int id : ids) {
    const RegexSpec& spec = specs[spec_of[id]];
    int fid = -1;
    if (filter_.Add(spec.pattern, RegexOptions(spec.case_insensitive, options.regex_max_mem),
                    &fid) == re2::RE2::NoError)
      filter_ids_.push_back(id);
  }
  std::vector<std::string> atoms;
  if (!filter_ids_.empty()) filter_.Compile(&atoms);
  if (GramFilter::UsefulFor(atoms))
    grams_ = std::make_unique<GramFilter>(atoms);
  else
    atoms_ = std::make_unique<AhoCorasick>(atoms);
  in_set_.assign(filter_ids_.size(), 0);
  if (!filter_ids_.empty()) filter_.AllPotentials({}, &set_fids_);
  BuildSet(specs, spec_of, options);
}

void RegexGroup::CandidateFinder::BuildSet(const std::vector<RegexSpec>& specs,
                                           const std::vector<int>& spec_of,
                                           const RegexGroupOptions& options) {
  bool ok = true;
  for (size_t first = 0; first < set_fids_.size() && ok; first += kMaxSetSize) {
    auto set = std::make_unique<re2::RE2::Set>(RegexOptions(false, options.set_max_mem),
                                               re2::RE2::UNANCHORED);
    std::vector<int> members;
    size_t last = std::min(set_fids_.size(), first + kMaxSetSize);
    for (size_t k = first; k < last; ++k) {
      int fid = set_fids_[k];
      in_set_[fid] = 1;
      const RegexSpec& spec = specs[spec_of[filter_ids_[fid]]];
      std::string p = (spec.case_insensitive ? "(?i:" : "(?:") + spec.pattern + ")";
      if (set->Add(p, nullptr) >= 0) members.push_back(fid);
    }
    ok = members.size() == last - first && set->Compile();
    sets_.push_back(std::move(set));
    set_members_.push_back(std::move(members));
  }
  if (!ok) {
    SG_LOG(kWarning) << "rules: cannot build the RE2::Set of " << set_fids_.size()
                     << " regexes without literals; running them one by one";
    sets_.clear();
    set_members_.clear();
  }
}

// Marks in set_hit the literal-free regexes the sets say match. *use_sets
// becomes false when a set's DFA ran out of memory: then every literal-free
// candidate must run on its own.
Status RegexGroup::CandidateFinder::MatchSets(std::string_view text, std::vector<uint8_t>* set_hit,
                                              bool* use_sets,
                                              std::atomic<int64_t>* dfa_fallbacks) const {
  *use_sets = !sets_.empty();
  for (size_t i = 0; i < sets_.size() && *use_sets; ++i) {
    std::vector<int> members;
    re2::RE2::Set::ErrorInfo info;
    bool matched = sets_[i]->Match(re2::StringPiece(text.data(), text.size()), &members, &info);
    if (inject_set_out_of_memory_) {
      matched = false;
      info.kind = re2::RE2::Set::kOutOfMemory;
    }
    if (matched) {
      for (int m : members) (*set_hit)[set_members_[i][m]] = 1;
    } else if (info.kind == re2::RE2::Set::kOutOfMemory) {
      dfa_fallbacks->fetch_add(1);
      SG_LOG(kWarning) << "rules: RE2::Set DFA out of memory on a " << text.size()
                       << "-byte text; running " << set_fids_.size() << " regexes one by one";
      *use_sets = false;
    } else if (info.kind != re2::RE2::Set::kNoError) {
      return Status::Internal("rules: RE2::Set match failed (error kind " +
                              std::to_string(static_cast<int>(info.kind)) + ")");
    }
  }
  return Status::Ok();
}

Status RegexGroup::CandidateFinder::HyperscanCandidates(std::string_view text,
                                                        std::vector<int>* out) const {
  if (!hs_) return Status::Ok();
  std::vector<uint8_t> may_match(hs_ids_.size(), 0);
  Status s = hs_->Scan(text, &may_match);
  if (!s.ok()) return s;
  for (size_t i = 0; i < hs_ids_.size(); ++i)
    if (may_match[i]) out->push_back(hs_ids_[i]);  // only accepted patterns are reported
  return Status::Ok();
}

// Prefilter candidates, minus the literal-free ones the RE2::Set rules out.
Status RegexGroup::CandidateFinder::LiteralCandidates(std::string_view text, std::vector<int>* out,
                                                      std::atomic<int64_t>* dfa_fallbacks) const {
  if (filter_ids_.empty()) return Status::Ok();
  std::vector<int> found_atoms;
  std::vector<uint8_t> seen;
  if (grams_) grams_->FindAll(text, &found_atoms, &seen);
  else atoms_->FindAll(text, &found_atoms, &seen);
  std::vector<int> candidates;
  filter_.AllPotentials(found_atoms, &candidates);
  std::vector<uint8_t> set_hit(filter_ids_.size(), 0);
  bool use_set = false;
  Status s = MatchSets(text, &set_hit, &use_set, dfa_fallbacks);
  if (!s.ok()) return s;
  for (int fid : candidates)
    if (!use_set || !in_set_[fid] || set_hit[fid]) out->push_back(filter_ids_[fid]);
  return Status::Ok();
}

Status RegexGroup::CandidateFinder::Candidates(std::string_view text, std::vector<int>* out,
                                               std::atomic<int64_t>* dfa_fallbacks) const {
  Status s = HyperscanCandidates(text, out);
  if (s.ok()) s = LiteralCandidates(text, out, dfa_fallbacks);
  std::sort(out->begin(), out->end());
  return s;
}

struct RegexGroup::Impl {
  std::vector<std::unique_ptr<re2::RE2>> regexes;  // id -> compiled regex
  std::vector<int> spec_of;                        // id -> spec index
  std::vector<int> max_count;                      // id -> max matches to count
  std::unique_ptr<CandidateFinder> finder;  // nullptr: every regex is a candidate
};

RegexGroup::RegexGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RegexGroup::~RegexGroup() = default;

namespace {

// Compiles each spec; a spec RE2 rejects is reported and gets no id.
void CompileAll(const std::vector<RegexSpec>& specs, const RegexGroupOptions& options,
                RegexGroup::Impl* impl, std::vector<RegexGroup::CompileError>* errors) {
  for (size_t i = 0; i < specs.size(); ++i) {
    auto re = std::make_unique<re2::RE2>(
        specs[i].pattern, RegexOptions(specs[i].case_insensitive, options.regex_max_mem));
    if (!re->ok()) {
      errors->push_back({static_cast<int>(i), CompileErrorText(specs[i])});
      continue;
    }
    impl->regexes.push_back(std::move(re));
    impl->spec_of.push_back(static_cast<int>(i));
    impl->max_count.push_back(std::max(1, std::min(specs[i].max_count, kMaxCount)));
  }
}

}  // namespace

// One timed Match() on a calibration text with `finder` (nullptr: no
// prefilter, every regex runs), in seconds; +infinity if the finder fails.
double RegexGroup::TimeMatch(const CandidateFinder* finder, bool short_texts) const {
  const std::string& text = short_texts ? ShortCalibrationText() : CalibrationText();
  const int repeat = short_texts ? 64 : 1;  // short texts: time many, for the clock's sake
  std::atomic<int64_t> not_counted{0};      // calibration is not a scan
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < repeat; ++r) {
    std::vector<int> candidates;
    std::vector<GroupMatch> found;
    if (finder && !finder->Candidates(text, &candidates, &not_counted).ok()) return 1e30;
    if (!finder) AllIds(&candidates);
    for (int id : candidates) Confirm(id, text, &found);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / repeat;
}

void RegexGroup::AllIds(std::vector<int>* out) const {
  for (size_t id = 0; id < impl_->spec_of.size(); ++id) out->push_back(static_cast<int>(id));
}

// Keeps the fastest of the RE2 prefilter, the Hyperscan one and none at all
// (for up to 8 regexes), timed on the calibration text; the RE2 prefilter
// unless another is at least 10% faster.
void RegexGroup::ChooseFinder(const std::vector<RegexSpec>& specs, const RegexGroupOptions& options) {
  using Kind = CandidateFinder::Kind;
  const bool forced = options.hyperscan == HyperscanUse::kAlways;
  const bool small = impl_->spec_of.size() <= kMaxAllInHyperscan;
  std::unique_ptr<CandidateFinder> hybrid;
  if (small || options.short_texts)
    hybrid = forced || small ? CandidateFinder::Build(specs, impl_->spec_of, options, Kind::kHyperscanAll)
                             : nullptr;
  else
    hybrid = CandidateFinder::Build(specs, impl_->spec_of, options, Kind::kHyperscanLiterals);
  if (hybrid && hybrid->num_hyperscan() == 0) hybrid.reset();
  if (forced) {
    if (hybrid) impl_->finder = std::move(hybrid);
    return;
  }
  // Interleaved rounds, best of each, so a burst of other work on the
  // machine does not decide; the first round also warms the DFA caches.
  const bool short_texts = options.short_texts;
  const bool try_none = impl_->spec_of.size() <= kMaxWithoutPrefilter;
  double re2 = 1e30, hs = 1e30, none = 1e30;
  for (int round = 0; round < kCalibrationRounds; ++round) {
    re2 = std::min(re2, TimeMatch(impl_->finder.get(), short_texts));
    if (hybrid) hs = std::min(hs, TimeMatch(hybrid.get(), short_texts));
    if (try_none) none = std::min(none, TimeMatch(nullptr, short_texts));
  }
  // The RE2 prefilter stays unless another choice is clearly faster.
  const char* chosen = "RE2";
  if (none < kClearlyFaster * re2 && none <= hs) {
    impl_->finder.reset();
    chosen = "no";
  } else if (hs < kClearlyFaster * re2) {
    impl_->finder = std::move(hybrid);
    chosen = small ? "Hyperscan" : "Hyperscan (regexes with a literal) + RE2::Set";
  }
  SG_LOG(kDebug) << "rules: group of " << impl_->spec_of.size() << " regexes: " << chosen
                 << " prefilter (" << (short_texts ? "short" : "8 KB")
                 << " sample: RE2 prefilter " << re2 * 1e6 << " us, Hyperscan " << hs * 1e6
                 << " us, none " << none * 1e6 << " us)";
}

std::unique_ptr<RegexGroup> RegexGroup::Build(const std::vector<RegexSpec>& specs,
                                              const RegexGroupOptions& options,
                                              std::vector<CompileError>* errors) {
  auto impl = std::make_unique<Impl>();
  CompileAll(specs, options, impl.get(), errors);
  impl->finder = CandidateFinder::Build(specs, impl->spec_of, options, CandidateFinder::Kind::kRe2);
  std::unique_ptr<RegexGroup> group(new RegexGroup(std::move(impl)));
  if (options.hyperscan != HyperscanUse::kNever && !group->impl_->spec_of.empty())
    group->ChooseFinder(specs, options);
  return group;
}

int RegexGroup::num_regexes() const { return static_cast<int>(impl_->spec_of.size()); }
int RegexGroup::num_unfiltered() const {
  return impl_->finder ? impl_->finder->num_unfiltered() : 0;
}
int RegexGroup::num_hyperscan() const {
  return impl_->finder ? impl_->finder->num_hyperscan() : 0;
}

Status RegexGroup::Candidates(std::string_view text, std::vector<int>* out) const {
  if (!impl_->finder) {
    AllIds(out);
    return Status::Ok();
  }
  return impl_->finder->Candidates(text, out, &dfa_fallbacks_);
}

void RegexGroup::Confirm(int id, std::string_view text, std::vector<GroupMatch>* out) const {
  std::string_view first;
  int count = CountMatches(*impl_->regexes[id], text, impl_->max_count[id], &first);
  if (count > 0) out->push_back({impl_->spec_of[id], first, count});
}

Status RegexGroup::Match(std::string_view text, std::vector<GroupMatch>* out) const {
  if (impl_->spec_of.empty()) return Status::Ok();
  std::vector<int> candidates;
  Status s = Candidates(text, &candidates);
  if (!s.ok()) return s;
  for (int id : candidates) Confirm(id, text, out);
  return Status::Ok();
}

Status RegexGroup::MatchEach(const std::vector<std::string>& texts,
                             std::vector<std::vector<GroupMatch>>* out) const {
  out->assign(texts.size(), {});
  if (impl_->spec_of.empty() || texts.empty()) return Status::Ok();
  std::string joined;
  for (const std::string& t : texts) {
    joined += t;
    joined += '\n';
  }
  std::vector<int> candidates;
  Status s = Candidates(joined, &candidates);
  if (!s.ok()) return s;
  for (int id : candidates)
    for (size_t i = 0; i < texts.size(); ++i) Confirm(id, texts[i], &(*out)[i]);
  return Status::Ok();
}

}  // namespace rules
}  // namespace sendguard
