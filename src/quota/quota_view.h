// quota/quota_view.h — one identity's quota as an admin looks at it: its
// class (override or policy match), every windowed limit of the class with
// its usage (committed + pending, when it frees up), the windows of its
// domain if the policy has them, and its last hour. Read by `sendguard quota
// show` and the console's account page, so both say the same.
//
// Contract: ReadQuotaView() reads the override and the usage from `store`
// at `now`; `view->cls` points into `policy`, which must outlive the view;
// any store error is returned as is.
// Thread-safety: as the store's.
#ifndef SENDGUARD_QUOTA_QUOTA_VIEW_H_
#define SENDGUARD_QUOTA_QUOTA_VIEW_H_

#include <string>
#include <vector>

#include "quota/identity.h"
#include "quota/quota_policy.h"
#include "quota/quota_store.h"

namespace sendguard {
namespace quota {

struct QuotaView {
  std::string class_name = "(none)";
  std::string class_source;  // "override" or the matching map pattern
  const QuotaClass* cls = nullptr;
  std::vector<LimitUsage> user_usage, domain_usage;
  Amounts last_hour;
};

Status ReadQuotaView(const QuotaPolicy& policy, QuotaStore& store, const Identity& id, int64_t now, QuotaView* view);

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_QUOTA_VIEW_H_
