// spf/public_suffix.cc — Public Suffix List parsing and the longest-match
// algorithm of publicsuffix.org ("*" is the implicit default rule).
#include "spf/public_suffix.h"
#include "idna/idna.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace sendguard::spf {
namespace {

std::string Normalize(std::string d) {
  for (char& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!d.empty() && d.back() == '.') d.pop_back();
  return d;
}

bool IsAscii(const std::string& s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Start offsets of each label suffix: "a.b.c" -> {0, 2, 4}.
std::vector<size_t> SuffixStarts(const std::string& d) {
  std::vector<size_t> starts = {0};
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] == '.') starts.push_back(i + 1);
  }
  return starts;
}

// "!x.公司.cn" -> "!x.xn--55qx5d.cn": the list writes IDN suffixes as
// U-labels, sendguard compares domains as A-labels. "" if not valid IDNA.
std::string ToALabels(const std::string& rule) {
  size_t body = rule.rfind("!", 0) == 0 ? 1 : rule.rfind("*.", 0) == 0 ? 2 : 0;
  Result<std::string> domain = idna::CanonicalDomain(rule.substr(body));
  return domain.ok() ? rule.substr(0, body) + *domain : "";
}

}  // namespace

std::shared_ptr<const PublicSuffixList> PublicSuffixList::Parse(const std::string& text) {
  auto list = std::make_shared<PublicSuffixList>();
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string rule;
    if (!(words >> rule) || rule.rfind("//", 0) == 0) continue;
    rule = IsAscii(rule) ? Normalize(rule) : ToALabels(rule);
    if (rule.rfind("!", 0) == 0) {
      list->exceptions_.insert(rule.substr(1));
    } else if (rule.rfind("*.", 0) == 0) {
      list->wildcards_.insert(rule.substr(2));
    } else if (!rule.empty()) {
      list->rules_.insert(rule);
    }
  }
  return list;
}

Result<std::shared_ptr<const PublicSuffixList>> PublicSuffixList::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError(path + ": cannot open public suffix list");
  std::ostringstream text;
  text << in.rdbuf();
  auto list = Parse(text.str());
  if (list->rule_count() == 0) return Status::InvalidArgument(path + ": no public suffix rules");
  return list;
}

std::shared_ptr<const PublicSuffixList> PublicSuffixList::FallbackOnly() {
  auto list = std::make_shared<PublicSuffixList>();
  list->fallback_ = true;
  return list;
}

size_t PublicSuffixList::SuffixLabels(const std::string& d) const {
  std::vector<size_t> starts = SuffixStarts(d);
  size_t total = starts.size();
  if (fallback_) return 1;
  for (size_t i = 0; i < total; ++i) {  // longest candidate first
    std::string suffix = d.substr(starts[i]);
    size_t labels = total - i;
    if (exceptions_.count(suffix)) return labels - 1;
    if (rules_.count(suffix)) return labels;
    if (i + 1 < total && wildcards_.count(d.substr(starts[i + 1]))) return labels;
  }
  return 1;  // the implicit "*" rule
}

std::string PublicSuffixList::OrganizationalDomain(const std::string& domain) const {
  std::string d = Normalize(domain);
  std::vector<size_t> starts = SuffixStarts(d);
  size_t suffix_labels = SuffixLabels(d);
  if (suffix_labels >= starts.size()) return d;  // d is itself a public suffix
  return d.substr(starts[starts.size() - suffix_labels - 1]);
}

}  // namespace sendguard::spf
