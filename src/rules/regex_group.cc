// rules/regex_group.cc — FilteredRE2 + n-gram (or Aho–Corasick) prefilter +
// RE2::Set for the regexes without literals. The only sendguard file that includes RE2.
#include "rules/regex_group.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>

#include "core/log.h"
#include "rules/aho_corasick.h"
#include "rules/gram_filter.h"

namespace sendguard {
namespace rules {

constexpr int kMaxCount = 1000;  // hard cap for `multiple` rules

struct RegexGroup::Impl {
  explicit Impl(int min_atom_len) : filter(min_atom_len) {}
  re2::FilteredRE2 filter;
  std::vector<int> spec_of;          // filter id -> spec index
  std::vector<int> max_count;        // filter id -> max matches to count
  std::vector<uint8_t> unfiltered;   // filter id -> runs without a literal
  // Exactly one of these finds the atoms: the n-gram filter when all atoms
  // are long enough for it (the usual case), else Aho–Corasick.
  std::unique_ptr<GramFilter> grams;
  std::unique_ptr<AhoCorasick> atoms;
  void FindAtoms(std::string_view text, std::vector<int>* found) const {
    std::vector<uint8_t> seen;
    if (grams) grams->FindAll(text, found, &seen);
    else atoms->FindAll(text, found, &seen);
  }
  std::unique_ptr<re2::RE2::Set> set;  // the unfiltered regexes
  std::vector<int> set_members;        // set index -> filter id
  bool inject_set_out_of_memory = false;
  int num_unfiltered = 0;
};

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

}  // namespace

RegexGroup::RegexGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RegexGroup::~RegexGroup() = default;

std::unique_ptr<RegexGroup> RegexGroup::Build(const std::vector<RegexSpec>& specs,
                                              const RegexGroupOptions& options,
                                              std::vector<CompileError>* errors) {
  auto impl = std::make_unique<Impl>(options.min_atom_len);
  impl->inject_set_out_of_memory = options.inject_set_out_of_memory;
  for (size_t i = 0; i < specs.size(); ++i) {
    int id = -1;
    auto code = impl->filter.Add(specs[i].pattern,
                                 RegexOptions(specs[i].case_insensitive, options.regex_max_mem), &id);
    if (code != re2::RE2::NoError) {
      errors->push_back({static_cast<int>(i), CompileErrorText(specs[i])});
      continue;
    }
    impl->spec_of.push_back(static_cast<int>(i));
    impl->max_count.push_back(std::max(1, std::min(specs[i].max_count, kMaxCount)));
  }
  std::vector<std::string> atoms;
  if (!impl->spec_of.empty()) impl->filter.Compile(&atoms);
  if (GramFilter::UsefulFor(atoms))
    impl->grams = std::make_unique<GramFilter>(atoms);
  else
    impl->atoms = std::make_unique<AhoCorasick>(atoms);
  impl->unfiltered.assign(impl->spec_of.size(), 0);
  std::vector<int> always;
  if (!impl->spec_of.empty()) impl->filter.AllPotentials({}, &always);
  re2::RE2::Options set_options = RegexOptions(false, options.set_max_mem);
  impl->set = std::make_unique<re2::RE2::Set>(set_options, re2::RE2::UNANCHORED);
  for (int id : always) {
    impl->unfiltered[id] = 1;
    const RegexSpec& spec = specs[impl->spec_of[id]];
    std::string p = (spec.case_insensitive ? "(?i:" : "(?:") + spec.pattern + ")";
    if (impl->set->Add(p, nullptr) >= 0) impl->set_members.push_back(id);
  }
  impl->num_unfiltered = static_cast<int>(always.size());
  if (impl->set_members.size() != always.size() || !impl->set->Compile()) {
    SG_LOG(kWarning) << "rules: cannot build the RE2::Set of " << always.size()
                     << " regexes without literals; running them one by one";
    impl->set.reset();
  }
  return std::unique_ptr<RegexGroup>(new RegexGroup(std::move(impl)));
}

int RegexGroup::num_regexes() const { return static_cast<int>(impl_->spec_of.size()); }
int RegexGroup::num_unfiltered() const { return impl_->num_unfiltered; }

// Finds the regexes that may match `text`: prefilter candidates, minus the
// literal-free ones the RE2::Set rules out.
Status RegexGroup::Candidates(std::string_view text, std::vector<int>* out) const {
  std::vector<int> found_atoms;
  impl_->FindAtoms(text, &found_atoms);
  std::vector<int> candidates;
  impl_->filter.AllPotentials(found_atoms, &candidates);
  std::vector<uint8_t> set_hit(impl_->spec_of.size(), 0);
  bool use_set = impl_->set != nullptr;
  if (use_set) {
    std::vector<int> members;
    re2::RE2::Set::ErrorInfo info;
    bool matched = impl_->set->Match(re2::StringPiece(text.data(), text.size()), &members, &info);
    if (impl_->inject_set_out_of_memory) {
      matched = false;
      info.kind = re2::RE2::Set::kOutOfMemory;
    }
    if (matched) {
      for (int m : members) set_hit[impl_->set_members[m]] = 1;
    } else if (info.kind == re2::RE2::Set::kOutOfMemory) {
      dfa_fallbacks_.fetch_add(1);
      SG_LOG(kWarning) << "rules: RE2::Set DFA out of memory on a " << text.size()
                       << "-byte text; running " << impl_->set_members.size()
                       << " regexes one by one";
      use_set = false;
    } else if (info.kind != re2::RE2::Set::kNoError) {
      return Status::Internal("rules: RE2::Set match failed (error kind " +
                              std::to_string(static_cast<int>(info.kind)) + ")");
    }
  }
  for (int id : candidates)
    if (!use_set || !impl_->unfiltered[id] || set_hit[id]) out->push_back(id);
  return Status::Ok();
}

void RegexGroup::Confirm(int id, std::string_view text, std::vector<GroupMatch>* out) const {
  std::string_view first;
  int count = CountMatches(impl_->filter.GetRE2(id), text, impl_->max_count[id], &first);
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
