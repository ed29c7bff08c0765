// session/abuse_admin.cc — the admin's access to abuse records.
#include "session/abuse_admin.h"

#include "quota/identity.h"

namespace sendguard {

std::string AbuseRecordKey(const Config& c, const std::string& user) {
  return "a:" + quota::NormalizeLogin(user, c.identity.fold_case);
}

Result<abuse::Record> LoadAbuseRecord(quota::QuotaStore* store, const std::string& key) {
  Result<std::string> stored = store->GetRecord(key);
  if (!stored.ok()) return stored.status();
  if (stored->empty()) return abuse::Record();
  return abuse::Decode(*stored);
}

Result<abuse::Record> ChangeAbuseRecord(quota::QuotaStore* store, const std::string& key,
                                        const std::function<abuse::Change(abuse::Record*)>& change) {
  abuse::Record after;
  Result<std::string> saved = store->UpdateRecord(key, [&](const std::string& stored) {
    Result<abuse::Record> r = stored.empty() ? abuse::Record() : abuse::Decode(stored);
    abuse::Record record = r.ok() ? *r : abuse::Record();
    change(&record);
    after = record;
    return abuse::Encode(record);
  });
  if (!saved.ok()) return saved.status();
  return after;
}

}  // namespace sendguard
