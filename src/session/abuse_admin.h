// session/abuse_admin.h — reading and changing an identity's abuse record in
// the shared store, for the admin's tools (the `sendguard abuse` command and
// the web console).
//
// Contract: AbuseRecordKey() is the store key of a login as the daemon
// counts it; LoadAbuseRecord() returns an empty record for an identity never
// seen, an error when the store cannot answer or the record is unreadable;
// ChangeAbuseRecord() is one atomic read-modify-write (an unreadable record
// starts again) and returns the record as saved.
// Thread-safety: as the store's.
#ifndef SENDGUARD_SESSION_ABUSE_ADMIN_H_
#define SENDGUARD_SESSION_ABUSE_ADMIN_H_

#include <functional>
#include <string>

#include "abuse/ladder.h"
#include "config/config.h"
#include "quota/quota_store.h"

namespace sendguard {

std::string AbuseRecordKey(const Config& config, const std::string& user);
Result<abuse::Record> LoadAbuseRecord(quota::QuotaStore* store, const std::string& key);
Result<abuse::Record> ChangeAbuseRecord(quota::QuotaStore* store, const std::string& key,
                                        const std::function<abuse::Change(abuse::Record*)>& change);

}  // namespace sendguard

#endif  // SENDGUARD_SESSION_ABUSE_ADMIN_H_
