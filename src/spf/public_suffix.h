// spf/public_suffix.h — organisational domains (RFC 7489 section 3.2) from
// the Public Suffix List (Debian package `publicsuffix`).
//
// Contract: Load() parses the list once (normal rules, "*." wildcards and
// "!" exceptions, ICANN and private sections alike); OrganizationalDomain()
// is then a pure lookup. Without a list, the fallback is "the last two labels"
// (FallbackOnly()). Only ASCII (A-label) names are matched; rules written in
// Unicode in the list are skipped, so IDN TLDs fall back to the "*" rule.
// Thread-safety: immutable after Load(); share freely between threads.
#ifndef SENDGUARD_SPF_PUBLIC_SUFFIX_H_
#define SENDGUARD_SPF_PUBLIC_SUFFIX_H_

#include <memory>
#include <string>
#include <unordered_set>

#include "core/status.h"

namespace sendguard::spf {

// Where Debian's `publicsuffix` package installs the list.
constexpr const char* kDefaultPublicSuffixFile = "/usr/share/publicsuffix/public_suffix_list.dat";

class PublicSuffixList {
 public:
  // Reads a list in the publicsuffix.org format.
  static Result<std::shared_ptr<const PublicSuffixList>> Load(const std::string& path);
  static std::shared_ptr<const PublicSuffixList> Parse(const std::string& text);
  // "Last two labels" for everything.
  static std::shared_ptr<const PublicSuffixList> FallbackOnly();

  // Registrable domain of `domain` (lower-cased, trailing dot removed): the
  // public suffix plus one label. A domain that is itself a public suffix, or
  // a single label, is returned as is.
  std::string OrganizationalDomain(const std::string& domain) const;

  size_t rule_count() const { return rules_.size() + wildcards_.size() + exceptions_.size(); }

 private:
  // Number of labels in the public suffix of the normalized domain `d`.
  size_t SuffixLabels(const std::string& domain) const;

  bool fallback_ = false;
  std::unordered_set<std::string> rules_;       // "co.uk"
  std::unordered_set<std::string> wildcards_;   // "ck" for "*.ck"
  std::unordered_set<std::string> exceptions_;  // "www.ck" for "!www.ck"
};

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_PUBLIC_SUFFIX_H_
