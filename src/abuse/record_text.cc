// abuse/record_text.cc — escaped tokens of the abuse record.
#include "abuse/record_text.h"

#include <cstdio>

namespace sendguard::abuse {

std::string Esc(const std::string& s) {
  std::string out = "=";
  for (char c : s) {
    if (c == '%' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      char buf[4];
      snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

bool Unesc(const std::string& token, std::string* out) {
  if (token.empty() || token[0] != '=') return false;
  out->clear();
  for (size_t i = 1; i < token.size(); ++i) {
    if (token[i] != '%') {
      *out += token[i];
      continue;
    }
    if (i + 2 >= token.size()) return false;
    unsigned v = 0;
    if (sscanf(token.c_str() + i + 1, "%2x", &v) != 1) return false;
    *out += static_cast<char>(v);
    i += 2;
  }
  return true;
}

}  // namespace sendguard::abuse
