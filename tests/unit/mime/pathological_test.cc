// mime::Parse on hostile input: every case must finish quickly with output
// bounded by the scan limits, and say that it was cut.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include "mime/parser.h"
#include "mime/rfc2047.h"

using namespace sendguard::mime;

namespace {

// Generous: ASan/UBSan builds on a loaded 2-core machine.
constexpr double kMaxSeconds = 2.0;

struct Timed {
  ParsedMessage m;
  double seconds;
};

Timed TimedParse(const std::string& raw, const ScanLimits& limits = ScanLimits(),
                 const TldList& tlds = TldList::None()) {
  auto start = std::chrono::steady_clock::now();
  ParsedMessage m = Parse(raw, limits, tlds);
  std::chrono::duration<double> d = std::chrono::steady_clock::now() - start;
  return {std::move(m), d.count()};
}

size_t OutputBytes(const ParsedMessage& m) {
  size_t n = m.body.size() + m.rawbody.size() + m.full.size();
  for (const auto& h : m.headers) n += h.name.size() + h.raw.size() + h.decoded.size();
  for (const auto& u : m.uris) n += u.size();
  for (const auto& w : m.warnings) n += w.size();
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ten_thousand_parts) {
  std::string raw = "Content-Type: multipart/mixed; boundary=p\n\n";
  for (int i = 0; i < 10000; ++i) raw += "--p\nContent-Type: text/plain\n\npart " + std::to_string(i) + "\n";
  raw += "--p--\n";
  Timed t = TimedParse(raw);
  BOOST_TEST(t.seconds < kMaxSeconds);
  ScanLimits defaults;
  BOOST_TEST(t.m.parts.size() == defaults.max_parts - 1);  // the container counts too
  BOOST_TEST(t.m.truncated);
  BOOST_TEST(t.m.body.find("part 998") != std::string::npos);
  BOOST_TEST(t.m.body.find("part 999") == std::string::npos);
  BOOST_TEST(t.m.warnings.size() <= 65u);
}

BOOST_AUTO_TEST_CASE(one_megabyte_header_line) {
  std::string raw = "Subject: " + std::string(1 << 20, 'A') + "\nTo: x@y\n\nbody\n";
  ScanLimits limits;
  limits.max_scan_bytes = 4 << 20;
  Timed t = TimedParse(raw, limits);
  BOOST_TEST(t.seconds < kMaxSeconds);
  BOOST_TEST_REQUIRE(t.m.headers.size() == 2u);
  BOOST_TEST(t.m.headers[0].raw.size() <= limits.max_header_bytes);
  BOOST_TEST(t.m.headers[0].decoded.size() <= limits.max_header_bytes);
  BOOST_TEST(t.m.headers[1].decoded == "x@y");
  BOOST_TEST(t.m.body.size() < limits.max_header_bytes + 16);
  BOOST_TEST(t.m.truncated);
}

BOOST_AUTO_TEST_CASE(header_full_of_unterminated_encoded_words) {
  std::string value;
  for (int i = 0; i < 100000; ++i) value += "=?utf-8?q?x";
  auto start = std::chrono::steady_clock::now();
  std::string decoded = DecodeHeaderValue(value);
  std::chrono::duration<double> d = std::chrono::steady_clock::now() - start;
  BOOST_TEST(d.count() < kMaxSeconds);
  BOOST_TEST(decoded == value);
}

BOOST_AUTO_TEST_CASE(many_headers) {
  std::string raw;
  for (int i = 0; i < 200000; ++i) raw += "X-H: v\n";
  raw += "\nbody\n";
  Timed t = TimedParse(raw);
  BOOST_TEST(t.seconds < kMaxSeconds);
  BOOST_TEST(t.m.headers.size() == ScanLimits().max_headers);
  BOOST_TEST(t.m.truncated);
}

BOOST_AUTO_TEST_CASE(multipart_nesting_depth_1000) {
  std::string raw;
  for (int i = 0; i < 1000; ++i) {
    raw += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\n\n--b" +
           std::to_string(i) + "\n";
  }
  raw += "Content-Type: text/plain\n\ndeep text\n";
  for (int i = 999; i >= 0; --i) raw += "--b" + std::to_string(i) + "--\n";
  Timed t = TimedParse(raw);
  BOOST_TEST(t.seconds < kMaxSeconds);
  BOOST_TEST(t.m.truncated);
  BOOST_TEST(t.m.parts.empty());
  BOOST_TEST(t.m.body.find("deep text") == std::string::npos);
  BOOST_TEST(OutputBytes(t.m) < 2 * raw.size() + 65536);
}

BOOST_AUTO_TEST_CASE(rfc822_nesting_depth_1000) {
  std::string raw;
  for (int i = 0; i < 1000; ++i) raw += "Subject: level\nContent-Type: message/rfc822\n\n";
  raw += "Subject: bottom\n\nbottom text\n";
  Timed t = TimedParse(raw);
  BOOST_TEST(t.seconds < kMaxSeconds);
  BOOST_TEST(t.m.truncated);
  BOOST_TEST(t.m.parts.empty());
}

BOOST_AUTO_TEST_CASE(missing_closing_boundary) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=m\n\n"
      "--m\n\nfirst\n--m\nContent-Type: text/html\n\n<b>second</b> runs to the end\n";
  Timed t = TimedParse(raw);
  BOOST_TEST(t.m.body == "\nfirst\nsecond runs to the end");
  BOOST_TEST_REQUIRE(t.m.warnings.size() == 1u);
  BOOST_TEST(t.m.warnings[0].find("missing closing boundary") != std::string::npos);
  BOOST_TEST(!t.m.truncated);
}

BOOST_AUTO_TEST_CASE(broken_base64_everywhere) {
  std::string garbage;
  for (int i = 0; i < 200000; ++i) garbage.push_back(static_cast<char>((i * 7919) & 0xFF));
  std::string raw = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + garbage;
  Timed t = TimedParse(raw);
  BOOST_TEST(t.seconds < kMaxSeconds);
  BOOST_TEST(!t.m.warnings.empty());
  BOOST_TEST(t.m.body.size() <= garbage.size());
}

BOOST_AUTO_TEST_CASE(scan_limit_truncates_what_is_scanned) {
  std::string raw = "Subject: s\n\n" + std::string(5000, 'x') + " http://late.example/\n";
  ScanLimits limits;
  limits.max_scan_bytes = 1000;
  Timed t = TimedParse(raw, limits);
  BOOST_TEST(t.m.truncated);
  BOOST_TEST(t.m.full.size() == 1000u);
  BOOST_TEST(t.m.body.size() <= 1000u);
  BOOST_TEST(t.m.uris.empty());
  BOOST_TEST(t.m.warnings.size() == 1u);
  // The same message under the default limit is complete.
  Timed whole = TimedParse(raw);
  BOOST_TEST(!whole.m.truncated);
  BOOST_TEST(whole.m.uris.size() == 1u);
}

BOOST_AUTO_TEST_CASE(body_capped_when_charset_expands_text) {
  // 0x80 in windows-1252 is U+20AC: three UTF-8 bytes per input byte.
  std::string raw = "Content-Type: text/plain; charset=windows-1252\n\n" + std::string(3000, '\x80');
  ScanLimits limits;
  limits.max_scan_bytes = 4000;
  Timed t = TimedParse(raw, limits);
  BOOST_TEST(t.m.body.size() <= 4000u);
  BOOST_TEST(t.m.rawbody.size() <= 4000u);
  BOOST_TEST(t.m.truncated);
}

BOOST_AUTO_TEST_CASE(uri_limit) {
  std::string raw = "\n";
  for (int i = 0; i < 5000; ++i) raw += "http://h" + std::to_string(i) + ".example/\n";
  ScanLimits limits;
  limits.max_uris = 100;
  Timed t = TimedParse(raw, limits);
  BOOST_TEST(t.m.uris.size() == 100u);
  BOOST_TEST(t.m.truncated);
}

// Schemeless URLs whose path never ends (no delimiter, over 2048 bytes):
// each '/' starts a new try, and none may rescan the path. Only a start
// within 2048 bytes of the line's end is a URL (as in SpamAssassin).
BOOST_AUTO_TEST_CASE(schemeless_paths_without_end) {
  TldList tlds;
  tlds.Add("com");
  std::string line;
  while (line.size() < 900000) line += "a.com/";
  ScanLimits limits;
  limits.max_scan_bytes = 1 << 20;
  Timed t = TimedParse("Subject: x\n\n" + line + "\n", limits, tlds);
  BOOST_TEST(t.seconds < kMaxSeconds);
  BOOST_TEST_REQUIRE(t.m.uris.size() == 1u);
  BOOST_TEST(t.m.uris[0].size() <= 2048 + std::string("http://a.com/").size());
  // Cut into lines under 2 KB, each is one URL again.
  std::string lines;
  for (size_t i = 0; i < 500; ++i) lines += line.substr(0, 1800) + "\n";
  t = TimedParse("Subject: x\n\n" + lines, limits, tlds);
  BOOST_TEST(t.seconds < kMaxSeconds);
  BOOST_TEST(t.m.uris.size() == 1u);  // the same line each time
}

BOOST_AUTO_TEST_CASE(html_bombs) {
  std::string html = "Content-Type: text/html\n\n";
  for (int i = 0; i < 50000; ++i) html += "<a href=\"http://x.example/";
  html += "<script>";
  for (int i = 0; i < 50000; ++i) html += "</scrip</<!--&#&#x&amp";
  Timed t = TimedParse(html);
  BOOST_TEST(t.seconds < kMaxSeconds);
  BOOST_TEST(OutputBytes(t.m) < 4 * html.size());
}

BOOST_AUTO_TEST_CASE(near_miss_boundaries) {
  std::string raw = "Content-Type: multipart/mixed; boundary=abc\n\n--abc\n\n";
  for (int i = 0; i < 50000; ++i) raw += "--abcd\n--ab\n x--abc\n";
  Timed t = TimedParse(raw);
  BOOST_TEST(t.seconds < kMaxSeconds);
  BOOST_TEST(t.m.parts.size() == 1u);
}
