// http/console_page.h — small pieces every console page uses: query and
// form values, URL encoding, UTC times, the CSRF form field, redirects.
//
// Contract: Get() is "" for a missing key; When(0) is "until released";
// CsrfField() is the hidden input every POST form of the session carries.
// Thread-safety: pure functions.
#ifndef SENDGUARD_HTTP_CONSOLE_PAGE_H_
#define SENDGUARD_HTTP_CONSOLE_PAGE_H_

#include <cstdint>
#include <map>
#include <string>

#include "http/server.h"
#include "http/sessions.h"

namespace sendguard::http {

std::string UrlEncode(const std::string& s);
std::string Get(const std::map<std::string, std::string>& m, const std::string& key);
std::string UtcTime(int64_t t);  // "2026-01-02 03:04:05Z"
std::string When(int64_t t);     // UtcTime, or "until released" for 0
std::string CsrfField(const ConsoleSession& s);
Response Redirect(const std::string& to);  // 303

}  // namespace sendguard::http

#endif  // SENDGUARD_HTTP_CONSOLE_PAGE_H_
