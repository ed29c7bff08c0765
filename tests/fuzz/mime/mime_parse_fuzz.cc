// libFuzzer target for mime::Parse and the reusable header pieces: any input
// must parse without crashing, within the scan limits, into valid UTF-8.
// Build and run by hand (from the top of the tree):
//   clang++ -std=c++17 -O1 -g -Isrc -fsanitize=fuzzer,address,undefined \
//     tests/fuzz/mime/mime_parse_fuzz.cc src/mime/*.cc src/core/log.cc -o mime_parse_fuzz
//   ./mime_parse_fuzz -max_total_time=60 -max_len=65536 CORPUS_DIR tests/fuzz/mime/mime_parse_corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/log.h"
#include "mime/address.h"
#include "mime/charset.h"
#include "mime/parser.h"
#include "mime/rfc2047.h"
#include "mime/uri.h"

using namespace sendguard::mime;

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {  // truncation is logged at Info: keep the fuzzer fast
    sendguard::LogOptions options;
    options.min_level = sendguard::LogLevel::kError;
    sendguard::ConfigureLogging(options);
    return true;
  }();
  (void)quiet;
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  ScanLimits limits;
  limits.max_scan_bytes = 64 * 1024;  // small limits: reach the cut-off paths
  limits.max_parts = 50;
  limits.max_depth = 8;
  limits.max_header_bytes = 1024;
  limits.max_uris = 50;
  limits.max_headers = 100;
  ParsedMessage m = Parse(raw, limits);
  Check(m.full.size() <= limits.max_scan_bytes);
  Check(m.body.size() <= limits.max_scan_bytes);
  Check(m.rawbody.size() <= limits.max_scan_bytes);
  Check(m.uris.size() <= limits.max_uris);
  Check(m.parts.size() <= limits.max_parts);
  Check(m.headers.size() <= limits.max_headers);
  Check(IsValidUtf8(m.body) && IsValidUtf8(m.rawbody));
  for (const Header& h : m.headers) {
    Check(h.raw.size() <= limits.max_header_bytes);
    Check(IsValidUtf8(h.decoded));
    for (const Address& a : ParseAddressList(h.raw)) Check(!a.address.empty());
  }
  for (const std::string& u : m.uris) Check(!u.empty() && u.size() <= 8192 + 16);
  Check(IsValidUtf8(DecodeHeaderValue(raw.substr(0, 4096))));
  return 0;
}
