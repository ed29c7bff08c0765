// spf/helper_protocol.cc — encoding and strict decoding of helper messages.
#include "spf/helper_protocol.h"

#include <cerrno>
#include <cstdlib>

namespace sendguard::spf {
namespace {

constexpr size_t kMaxTextBytes = 8192;

// Sequential reader over fields; every accessor fails softly.
class FieldReader {
 public:
  explicit FieldReader(const Fields& fields) : fields_(fields) {}

  bool Text(std::string* out) {
    if (pos_ >= fields_.size() || fields_[pos_].size() > kMaxTextBytes) return false;
    *out = fields_[pos_++];
    return true;
  }
  bool Number(uint64_t max, uint64_t* out) {
    std::string s;
    if (!Text(&s) || s.empty() || s.size() > 20 ||
        s.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    errno = 0;
    unsigned long long v = strtoull(s.c_str(), nullptr, 10);
    if (errno != 0 || v > max) return false;
    *out = v;
    return true;
  }
  bool Expect(const char* word) {
    std::string s;
    return Text(&s) && s == word;
  }
  bool Done() const { return pos_ == fields_.size(); }

 private:
  const Fields& fields_;
  size_t pos_ = 0;
};

const char* TxtStatusName(TxtAnswer::Status s) {
  switch (s) {
    case TxtAnswer::Status::kFound: return "found";
    case TxtAnswer::Status::kNotFound: return "notfound";
    case TxtAnswer::Status::kTempError: return "temperror";
  }
  return "temperror";
}

bool ParseTxtStatus(const std::string& s, TxtAnswer::Status* out) {
  for (auto st : {TxtAnswer::Status::kFound, TxtAnswer::Status::kNotFound,
                  TxtAnswer::Status::kTempError}) {
    if (s == TxtStatusName(st)) {
      *out = st;
      return true;
    }
  }
  return false;
}

Status Malformed(const char* what) {
  return Status::InvalidArgument(std::string("malformed SPF helper ") + what);
}

bool ReadTxtAnswer(FieldReader* in, TxtAnswer* out) {
  std::string status;
  uint64_t n = 0;
  if (!in->Text(&status) || !ParseTxtStatus(status, &out->status) || !in->Number(64, &n)) {
    return false;
  }
  out->texts.resize(n);
  for (std::string& t : out->texts) {
    if (!in->Text(&t)) return false;
  }
  return true;
}

}  // namespace

Fields EncodeInit(const SpfHelperOptions& o) {
  return {"init", o.dns_data_file, std::to_string(o.cache_bits),
          std::to_string(o.resolver_timeout_s), o.run_as_user};
}

Result<SpfHelperOptions> DecodeInit(const Fields& fields) {
  FieldReader in(fields);
  SpfHelperOptions o;
  uint64_t bits = 0, timeout = 0;
  if (!in.Expect("init") || !in.Text(&o.dns_data_file) || !in.Number(20, &bits) ||
      !in.Number(60, &timeout) || !in.Text(&o.run_as_user) || !in.Done()) {
    return Malformed("init");
  }
  o.cache_bits = static_cast<int>(bits);
  o.resolver_timeout_s = static_cast<int>(timeout);
  return o;
}

Fields EncodeRequest(const HelperRequest& r) {
  Fields f = {"req", std::to_string(r.seq), std::to_string(r.spf.size())};
  for (const SpfQuery& q : r.spf) {
    f.push_back(q.ip);
    f.push_back(q.domain);
  }
  f.push_back(std::to_string(r.txt.size()));
  for (const std::string& name : r.txt) f.push_back(name);
  return f;
}

Result<HelperRequest> DecodeRequest(const Fields& fields) {
  FieldReader in(fields);
  HelperRequest r;
  uint64_t n = 0;
  if (!in.Expect("req") || !in.Number(UINT64_MAX, &r.seq) || !in.Number(64, &n)) {
    return Malformed("request");
  }
  r.spf.resize(n);
  for (SpfQuery& q : r.spf) {
    if (!in.Text(&q.ip) || !in.Text(&q.domain)) return Malformed("request");
  }
  if (!in.Number(8, &n)) return Malformed("request");
  r.txt.resize(n);
  for (std::string& name : r.txt) {
    if (!in.Text(&name)) return Malformed("request");
  }
  if (!in.Done()) return Malformed("request");
  return r;
}

Fields EncodeResponse(const HelperResponse& r) {
  Fields f = {"resp", std::to_string(r.seq), std::to_string(r.spf.size())};
  for (const SpfAnswer& a : r.spf) {
    f.push_back(SpfResultName(a.result));
    f.push_back(a.comment.substr(0, kMaxTextBytes));
  }
  f.push_back(std::to_string(r.txt.size()));
  for (const TxtAnswer& a : r.txt) {
    f.push_back(TxtStatusName(a.status));
    size_t n = std::min<size_t>(a.texts.size(), 64);
    f.push_back(std::to_string(n));
    for (size_t i = 0; i < n; ++i) f.push_back(a.texts[i].substr(0, kMaxTextBytes));
  }
  return f;
}

Result<HelperResponse> DecodeResponse(const Fields& fields) {
  FieldReader in(fields);
  HelperResponse r;
  uint64_t n = 0;
  if (!in.Expect("resp") || !in.Number(UINT64_MAX, &r.seq) || !in.Number(64, &n)) {
    return Malformed("response");
  }
  r.spf.resize(n);
  for (SpfAnswer& a : r.spf) {
    std::string result;
    if (!in.Text(&result) || !ParseSpfResult(result, &a.result) || !in.Text(&a.comment)) {
      return Malformed("response");
    }
  }
  if (!in.Number(8, &n)) return Malformed("response");
  r.txt.resize(n);
  for (TxtAnswer& a : r.txt) {
    if (!ReadTxtAnswer(&in, &a)) return Malformed("response");
  }
  if (!in.Done()) return Malformed("response");
  return r;
}

}  // namespace sendguard::spf
