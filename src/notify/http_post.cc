// notify/http_post.cc — PostJson over libcurl's easy interface. No exception
// may leave a curl callback: the callbacks below only touch PODs and atomics.
#include "notify/http_post.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace sendguard::notify {
namespace {

// curl_global_init is not thread-safe before 7.84 and must run once.
Status GlobalInitOnce() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) {
    return Status::Internal(std::string("curl_global_init: ") + curl_easy_strerror(code));
  }
  return Status::Ok();
}

extern "C" size_t DiscardBody(char*, size_t size, size_t count, void*) { return size * count; }

// Non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
extern "C" int AbortIfCancelled(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* flag = static_cast<const std::atomic<bool>*>(cancel);
  return flag != nullptr && flag->load() ? 1 : 0;
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// Builds the header list; null if curl ran out of memory.
HeaderList MakeHeaders(const std::vector<std::string>& extra) {
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const std::string& h : extra) {
    if (list == nullptr) break;
    curl_slist* grown = curl_slist_append(list, h.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(list);
      list = nullptr;
    } else {
      list = grown;
    }
  }
  return HeaderList(list);
}

void SetOptions(CURL* c, const std::string& url, curl_slist* headers, const std::string& body,
                int timeout_ms, const std::atomic<bool>* cancel, char* error) {
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM-based DNS timeouts
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "sendguard-notify");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, DiscardBody);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, AbortIfCancelled);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel));
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
}

Status TransportError(CURLcode code, const char* error, const std::string& url) {
  std::string what = error[0] != '\0' ? error : curl_easy_strerror(code);
  return Status::Unavailable("POST " + url + ": " + what);
}

}  // namespace

HttpAnswer PostJson(const std::string& url, const std::vector<std::string>& headers,
                    const std::string& body, int timeout_ms, const std::atomic<bool>* cancel) {
  HttpAnswer answer;
  answer.transport = GlobalInitOnce();
  if (!answer.transport.ok()) return answer;
  EasyHandle easy(curl_easy_init());
  HeaderList list = MakeHeaders(headers);
  if (!easy || !list) {
    answer.transport = Status::Internal("POST " + url + ": out of memory in libcurl");
    return answer;
  }
  char error[CURL_ERROR_SIZE] = {0};
  SetOptions(easy.get(), url, list.get(), body, timeout_ms, cancel, error);
  CURLcode code = curl_easy_perform(easy.get());
  if (code != CURLE_OK) {
    answer.transport = TransportError(code, error, url);
    return answer;
  }
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &answer.http_status);
  return answer;
}

}  // namespace sendguard::notify
