// http/console_page.cc — pieces shared by the console pages.
#include "http/console_page.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace sendguard::http {

std::string UrlEncode(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '@' || c == '~') {
      out += static_cast<char>(c);
    } else {
      snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

std::string When(int64_t t) { return t == 0 ? "until released" : UtcTime(t); }

std::string UtcTime(int64_t t) {
  char buf[32];
  time_t tt = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

std::string CsrfField(const ConsoleSession& s) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + s.csrf + "\">";
}

Response Redirect(const std::string& to) {
  Response r = TextResponse(303, "see " + to + "\n");
  r.headers.push_back({"Location", to});
  return r;
}

}  // namespace sendguard::http
