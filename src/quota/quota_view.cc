// quota/quota_view.cc — an identity's class and windows, read from the store.
#include "quota/quota_view.h"

namespace sendguard {
namespace quota {

Status ReadQuotaView(const QuotaPolicy& policy, QuotaStore& store, const Identity& id, int64_t now, QuotaView* data) {
  Result<std::optional<std::string>> over = store.GetOverride(id.name());
  if (!over.ok()) return over.status();
  if (over->has_value() && (data->cls = policy.FindClass(**over)) != nullptr) {
    data->class_source = "override";
  } else {
    data->cls = policy.ClassFor(id.name(), &data->class_source);
  }
  if (data->cls != nullptr) data->class_name = data->cls->name;
  std::vector<WindowLimit> limits = data->cls ? data->cls->limits : std::vector<WindowLimit>();
  size_t n_limits = limits.size();
  for (const WindowLimit& w : StatisticsSeries()) limits.push_back(w);
  Result<std::vector<LimitUsage>> usage = store.Read({id.UserSubject(), limits}, now);
  if (!usage.ok()) return usage.status();
  data->user_usage.assign(usage->begin(), usage->begin() + n_limits);
  data->last_hour = {(*usage)[n_limits].committed, (*usage)[n_limits + 1].committed,
                     (*usage)[n_limits + 2].committed};
  if (const std::vector<WindowLimit>* dl = policy.DomainLimits(id.domain())) {
    Result<std::vector<LimitUsage>> du = store.Read({id.DomainSubject(), *dl}, now);
    if (!du.ok()) return du.status();
    data->domain_usage = *du;
  }
  return Status::Ok();
}

}  // namespace quota
}  // namespace sendguard
