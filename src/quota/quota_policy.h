// quota/quota_policy.h — quota classes and who belongs to which, loaded from
// policies/quota.conf (format documented at the top of the shipped file).
//
// Contract: Load()/Parse() either return a complete, validated policy or a
// Status whose message names `file:line` and why (unknown class, bad window,
// negative limit, unknown keyword, unclosed block, ...). Lookup precedence for
// an identity: exact entry > "@domain" entry > first matching wildcard entry
// in file order > class "default" > none (unknown user). Per-user overrides
// from the store take precedence over all of these; MessageQuota applies them.
// Matching ignores case.
// Thread-safety: immutable after loading; share it as shared_ptr<const>.
#ifndef SENDGUARD_QUOTA_QUOTA_POLICY_H_
#define SENDGUARD_QUOTA_QUOTA_POLICY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "quota/limits.h"

namespace sendguard {
namespace quota {

enum class OverQuotaAction { kTempfail, kReject, kQuarantine };
const char* ActionName(OverQuotaAction a);

struct QuotaClass {
  std::string name;
  std::vector<WindowLimit> limits;  // all apply at once
  int64_t rcpt_per_msg = -1;        // -1: no per-message recipient limit
  int64_t max_size = -1;            // bytes; -1: no size limit
  OverQuotaAction action = OverQuotaAction::kTempfail;
};

struct UserMapEntry {
  std::string pattern;  // "alice@example.org", "@example.com", "*@*.edu"
  std::string class_name;
  int line = 0;
};

class QuotaPolicy {
 public:
  static Result<std::shared_ptr<const QuotaPolicy>> Load(const std::string& path);
  // `source_name` is used in error messages in place of a path.
  static Result<std::shared_ptr<const QuotaPolicy>> Parse(const std::string& text,
                                                          const std::string& source_name);

  const QuotaClass* FindClass(const std::string& name) const;
  // Class of `identity` from the file alone (no overrides); nullptr when none.
  // `matched_by` (optional) receives the map pattern, or "default".
  const QuotaClass* ClassFor(const std::string& identity, std::string* matched_by) const;
  // Windowed limits shared by all users of `domain` ("domain NAME" block, or
  // "domain *"); nullptr when there are none.
  const std::vector<WindowLimit>* DomainLimits(const std::string& domain) const;

  const std::map<std::string, QuotaClass>& classes() const { return classes_; }

 private:
  friend class PolicyParser;
  std::map<std::string, QuotaClass> classes_;
  std::map<std::string, std::vector<WindowLimit>> domains_;  // "*" = every domain
  std::map<std::string, std::string> exact_;        // user -> class
  std::map<std::string, std::string> by_domain_;    // domain -> class
  std::vector<UserMapEntry> wildcards_;
};

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_QUOTA_POLICY_H_
