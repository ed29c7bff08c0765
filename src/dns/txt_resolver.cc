// dns/txt_resolver.cc — the static TXT resolver and the choice between the
// static data and the system resolver.
#include "dns/txt_resolver.h"

#include <unistd.h>

#include <algorithm>

#include "core/strings.h"

namespace sendguard::dns {
namespace {

class StaticTxtResolver : public TxtResolver {
 public:
  StaticTxtResolver(std::vector<DnsRecord> records, int timeout_s)
      : records_(std::move(records)), timeout_s_(timeout_s) {}

  TxtAnswer LookupTxt(const std::string& query) override {
    TxtAnswer answer;
    std::string name = CanonicalDnsName(query);
    for (int hops = 0;; ++hops) {
      const DnsRecord* special = Find(name, {DnsRecordType::kCname, DnsRecordType::kTempFail,
                                             DnsRecordType::kTimeout});
      if (special == nullptr) return Collect(name, std::move(answer));
      if (special->type == DnsRecordType::kTimeout) return Timeout(name, std::move(answer));
      if (special->type == DnsRecordType::kTempFail) {
        answer.outcome = TxtAnswer::Outcome::kTempFail;
        answer.error = name + ": temporary DNS failure";
        return answer;
      }
      if (hops == kMaxAliases) return TooManyAliases(std::move(answer));
      name = special->data;
      answer.aliases.push_back(name);
    }
  }

 private:
  const DnsRecord* Find(const std::string& name, std::initializer_list<DnsRecordType> types) const {
    for (const DnsRecord& r : records_)
      if (r.name == name && std::find(types.begin(), types.end(), r.type) != types.end()) return &r;
    return nullptr;
  }

  TxtAnswer Collect(const std::string& name, TxtAnswer answer) const {
    for (const DnsRecord& r : records_)
      if (r.name == name && r.type == DnsRecordType::kTxt) answer.records.push_back(r.data);
    answer.outcome = answer.records.empty() ? TxtAnswer::Outcome::kNoRecord : TxtAnswer::Outcome::kFound;
    return answer;
  }

  TxtAnswer Timeout(const std::string& name, TxtAnswer answer) const {
    sleep(static_cast<unsigned>(timeout_s_));
    answer.outcome = TxtAnswer::Outcome::kTimeout;
    answer.error = name + ": no answer within " + std::to_string(timeout_s_) + " s";
    return answer;
  }

  static TxtAnswer TooManyAliases(TxtAnswer answer) {
    answer.outcome = TxtAnswer::Outcome::kTempFail;
    answer.error = "more than " + std::to_string(kMaxAliases) + " CNAMEs: " + Join(answer.aliases, " -> ");
    return answer;
  }

  std::vector<DnsRecord> records_;
  int timeout_s_;
};

}  // namespace

std::unique_ptr<TxtResolver> NewStaticTxtResolver(std::vector<DnsRecord> records, int timeout_s) {
  return std::make_unique<StaticTxtResolver>(std::move(records), timeout_s);
}

Result<std::unique_ptr<TxtResolver>> OpenTxtResolver(const std::string& dns_data_file, int timeout_s) {
  if (dns_data_file.empty()) return NewSystemTxtResolver(timeout_s);
  Result<std::vector<DnsRecord>> records = LoadDnsDataFile(dns_data_file);
  if (!records.ok()) return records.status();
  return NewStaticTxtResolver(std::move(records).value(), timeout_s);
}

}  // namespace sendguard::dns
