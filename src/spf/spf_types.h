// spf/spf_types.h — the small value types shared by the SPF/DMARC pre-flight
// library: SPF results (RFC 7208 names) and the actions a check can ask for.
//
// Contract: pure values and pure name<->value conversions; no I/O.
// Thread-safety: everything here is immutable or a pure function.
#ifndef SENDGUARD_SPF_SPF_TYPES_H_
#define SENDGUARD_SPF_SPF_TYPES_H_

#include <ostream>
#include <string>

namespace sendguard::spf {

// RFC 7208 section 2.6 results.
enum class SpfResult { kNone, kNeutral, kPass, kFail, kSoftFail, kTempError, kPermError };

// "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror".
const char* SpfResultName(SpfResult result);
// Inverse of SpfResultName; false for anything else.
bool ParseSpfResult(const std::string& name, SpfResult* out);

// What a failed check asks the daemon to do, in increasing severity.
enum class Action { kNone = 0, kTag = 1, kTempFail = 2, kReject = 3 };

// "none", "tag", "tempfail", "reject".
const char* ActionName(Action action);
// Inverse of ActionName; false for anything else.
bool ParseAction(const std::string& name, Action* out);

// Stream the names above (logging, test messages).
inline std::ostream& operator<<(std::ostream& out, SpfResult r) { return out << SpfResultName(r); }
inline std::ostream& operator<<(std::ostream& out, Action a) { return out << ActionName(a); }

}  // namespace sendguard::spf

#endif  // SENDGUARD_SPF_SPF_TYPES_H_
