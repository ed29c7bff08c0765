// dkim/signature_header.cc — h= selection and tag layout.
#include "dkim/signature_header.h"

#include <strings.h>

namespace sendguard::dkim {
namespace {

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Folds after a colon once a line passes 72 columns (FWS is allowed there).
void AppendJoined(const std::vector<std::string>& names, std::string* out) {
  size_t start = out->size(), line = 0;
  for (const std::string& n : names) {
    if (out->size() > start) out->append(line > 72 ? ":\r\n\t" : ":");
    if (line > 72) line = 0;
    out->append(n);
    line += n.size() + 1;
  }
}

}  // namespace

HeaderSelection SelectHeaders(const std::vector<Header>& headers,
                              const std::vector<std::string>& sign,
                              const std::vector<std::string>& oversign) {
  HeaderSelection sel;
  sel.h_names.reserve(headers.size() + oversign.size());
  sel.hashed.reserve(headers.size());
  for (const std::string& name : sign)
    for (size_t i = headers.size(); i-- > 0;)
      if (SameName(headers[i].name, name)) {
        sel.h_names.push_back(name);
        sel.hashed.push_back(i);
      }
  for (const std::string& name : oversign) sel.h_names.push_back(name);
  return sel;
}

std::string FormatSignature(const SignatureFields& f) {
  std::string v;
  v.reserve(128 + f.domain.size() + f.selector.size() + f.body_hash.size() + 24 * f.h_names.size());
  v.append(" v=1; a=").append(f.algorithm).append("; c=").append(CanonName(f.canon.header));
  v.append("/").append(CanonName(f.canon.body)).append("; d=").append(f.domain);
  v.append("; s=").append(f.selector).append(";");
  v.append("\r\n\tt=").append(std::to_string(f.time)).append(";");
  if (f.expiry > 0) v.append(" x=").append(std::to_string(f.expiry)).append(";");
  v.append("\r\n\th=");
  AppendJoined(f.h_names, &v);
  v.append(";\r\n\tbh=").append(f.body_hash).append(";\r\n\tb=");
  return v;
}

std::string FoldBase64(const std::string& b64) {
  std::string out;
  out.reserve(b64.size() + 4 * (b64.size() / 72));
  for (size_t i = 0; i < b64.size(); i += 72) {
    if (i > 0) out.append("\r\n\t ");
    out.append(b64, i, 72);
  }
  return out;
}

}  // namespace sendguard::dkim
