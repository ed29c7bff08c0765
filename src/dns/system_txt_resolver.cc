// dns/system_txt_resolver.cc — TXT lookups through the libc stub resolver
// (res_nquery, /etc/resolv.conf); the only file that includes <resolv.h>.
// The resolver follows CNAMEs itself: the answer section carries the chain
// and the TXT records of its end. Fails as TxtAnswer outcomes, never throws.
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <cstring>
#include <vector>

#include "dns/txt_resolver.h"

namespace sendguard::dns {
namespace {

constexpr int kAnswerBufferSize = 65536;

// The character-strings of one TXT rdata, joined (RFC 6376 3.6.2.2).
std::string JoinTxtStrings(const unsigned char* rdata, size_t len) {
  std::string out;
  for (size_t i = 0; i < len;) {
    size_t n = rdata[i++];
    n = std::min(n, len - i);
    out.append(reinterpret_cast<const char*>(rdata + i), n);
    i += n;
  }
  return out;
}

class SystemTxtResolver : public TxtResolver {
 public:
  explicit SystemTxtResolver(int timeout_s) : timeout_s_(timeout_s) {
    std::memset(&state_, 0, sizeof state_);
    ready_ = res_ninit(&state_) == 0;
    state_.retrans = timeout_s;
    state_.retry = 1;
    state_.options |= RES_USE_EDNS0;
  }
  ~SystemTxtResolver() override {
    if (ready_) res_nclose(&state_);
  }

  TxtAnswer LookupTxt(const std::string& name) override {
    TxtAnswer answer;
    if (!ready_) return Failure(TxtAnswer::Outcome::kTempFail, "cannot read the resolver configuration");
    std::vector<unsigned char> buf(kAnswerBufferSize);
    int len = res_nquery(&state_, name.c_str(), ns_c_in, ns_t_txt, buf.data(), static_cast<int>(buf.size()));
    if (len < 0) return ErrorAnswer(name);
    return Parse(buf.data(), len);
  }

 private:
  static TxtAnswer Failure(TxtAnswer::Outcome outcome, const std::string& why) {
    TxtAnswer a;
    a.outcome = outcome;
    a.error = why;
    return a;
  }

  TxtAnswer ErrorAnswer(const std::string& name) const {
    switch (state_.res_h_errno) {
      case HOST_NOT_FOUND:
      case NO_DATA:
        return TxtAnswer{};
      case TRY_AGAIN:  // SERVFAIL or no server answered in time: the stub cannot tell them apart
        return Failure(TxtAnswer::Outcome::kTimeout,
                       name + ": no usable answer within " + std::to_string(timeout_s_) + " s (TRY_AGAIN)");
      default:
        return Failure(TxtAnswer::Outcome::kTempFail, name + ": DNS error " + hstrerror(state_.res_h_errno));
    }
  }

  static TxtAnswer Parse(const unsigned char* msg, int len) {
    ns_msg handle;
    if (ns_initparse(msg, len, &handle) < 0) return Failure(TxtAnswer::Outcome::kTempFail, "malformed DNS answer");
    TxtAnswer answer;
    for (int i = 0; i < ns_msg_count(handle, ns_s_an); ++i) {
      ns_rr rr;
      if (ns_parserr(&handle, ns_s_an, i, &rr) < 0) return Failure(TxtAnswer::Outcome::kTempFail, "malformed DNS answer");
      if (ns_rr_type(rr) == ns_t_txt) {
        answer.records.push_back(JoinTxtStrings(ns_rr_rdata(rr), ns_rr_rdlen(rr)));
      } else if (ns_rr_type(rr) == ns_t_cname) {
        char target[NS_MAXDNAME];
        if (ns_name_uncompress(ns_msg_base(handle), ns_msg_end(handle), ns_rr_rdata(rr), target, sizeof target) < 0)
          return Failure(TxtAnswer::Outcome::kTempFail, "malformed CNAME in the DNS answer");
        answer.aliases.push_back(target);
      }
    }
    answer.outcome = answer.records.empty() ? TxtAnswer::Outcome::kNoRecord : TxtAnswer::Outcome::kFound;
    return answer;
  }

  int timeout_s_;
  struct __res_state state_;
  bool ready_ = false;
};

}  // namespace

std::unique_ptr<TxtResolver> NewSystemTxtResolver(int timeout_s) {
  return std::make_unique<SystemTxtResolver>(timeout_s);
}

}  // namespace sendguard::dns
