// dkim/signature_header.cc — h= selection and tag layout.
#include "dkim/signature_header.h"

#include <strings.h>

namespace sendguard::dkim {
namespace {

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Folds after a colon once a line passes 72 columns (FWS is allowed there).
std::string Join(const std::vector<std::string>& names) {
  std::string out;
  size_t line = 0;
  for (const std::string& n : names) {
    if (!out.empty()) out += line > 72 ? ":\r\n\t" : ":";
    if (line > 72) line = 0;
    out += n;
    line += n.size() + 1;
  }
  return out;
}

}  // namespace

HeaderSelection SelectHeaders(const std::vector<Header>& headers,
                              const std::vector<std::string>& sign,
                              const std::vector<std::string>& oversign) {
  HeaderSelection sel;
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
  std::string v = " v=1; a=" + f.algorithm + "; c=" + CanonName(f.canon.header) + "/" +
                  CanonName(f.canon.body) + "; d=" + f.domain + "; s=" + f.selector + ";";
  v += "\r\n\tt=" + std::to_string(f.time) + ";";
  if (f.expiry > 0) v += " x=" + std::to_string(f.expiry) + ";";
  v += "\r\n\th=" + Join(f.h_names) + ";";
  v += "\r\n\tbh=" + f.body_hash + ";";
  v += "\r\n\tb=";
  return v;
}

std::string FoldBase64(const std::string& b64) {
  std::string out;
  for (size_t i = 0; i < b64.size(); i += 72) {
    if (i > 0) out += "\r\n\t ";
    out += b64.substr(i, 72);
  }
  return out;
}

}  // namespace sendguard::dkim
