// quota/identity.h — who is counted: the normalised SASL login, or for
// unauthenticated mail from trusted networks the client address aggregated
// to a prefix. Also names the store subjects of the identity and its domain.
//
// Contract: the factories never throw; bad input is an InvalidArgument
// Status (empty login, login too long, unparsable address). Whether a client
// network is trusted is the caller's decision (the daemon's config).
// Thread-safety: a plain value.
#ifndef SENDGUARD_QUOTA_IDENTITY_H_
#define SENDGUARD_QUOTA_IDENTITY_H_

#include <string>
#include <string_view>

#include "core/status.h"
#include "quota/quota_options.h"

namespace sendguard {
namespace quota {

// The one login normaliser: white space trimmed, lower-cased when
// `fold_case`, the domain in its IDNA A-label form and a UTF-8 local part in
// NFC (idna/idna.h), so "demo@exämple.org" and "demo@xn--exmple-cua.org" are
// one identity; a domain that is not valid IDNA stays as written. The
// session's identity (logged, checked against sender policies) and the
// counted identity below both come from it.
std::string NormalizeLogin(std::string_view login, bool fold_case);

class Identity {
 public:
  // From {auth_authen}: trimmed, lower-cased when options.case_fold.
  static Result<Identity> FromLogin(const std::string& login, const QuotaOptions& options);
  // From {client_addr} ("192.0.2.7", "2001:db8::1"), aggregated to
  // options.ipv4_prefix / ipv6_prefix: name "192.0.2.0/24", no domain.
  static Result<Identity> FromClientAddress(const std::string& address,
                                            const QuotaOptions& options);
  // Parses what an admin types on the CLI: a login, or "ip:ADDR/LEN".
  static Result<Identity> FromCliArgument(const std::string& text, const QuotaOptions& options);

  const std::string& name() const { return name_; }      // "alice@example.org"
  const std::string& domain() const { return domain_; }  // "example.org" or ""
  // The name with its domain in U-labels, as people write it
  // ("demo@exämple.org"); the name itself when that is the same.
  std::string DisplayName() const;
  std::string UserSubject() const;    // store key of the identity's counts
  std::string DomainSubject() const;  // store key of the domain aggregate, "" if none

 private:
  std::string name_;
  std::string domain_;
};

}  // namespace quota
}  // namespace sendguard

#endif  // SENDGUARD_QUOTA_IDENTITY_H_
