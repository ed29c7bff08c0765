// Tests for mime/transfer_encoding.h, mime/charset.h and mime/rfc2047.h.
#include <boost/test/unit_test.hpp>

#include <string>

#include "mime/charset.h"
#include "mime/rfc2047.h"
#include "mime/transfer_encoding.h"

using namespace sendguard::mime;

namespace {
std::string B64(std::string_view in, bool* clean = nullptr) {
  std::string out;
  bool c = DecodeBase64(in, &out);
  if (clean) *clean = c;
  return out;
}
std::string QP(std::string_view in, bool* clean = nullptr) {
  std::string out;
  bool c = DecodeQuotedPrintable(in, &out);
  if (clean) *clean = c;
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(base64_decodes_wrapped_lines) {
  bool clean = false;
  BOOST_TEST(B64("SGVsbG8s\r\nIHdvcmxk\r\nIQ==\r\n", &clean) == "Hello, world!");
  BOOST_TEST(clean);
  BOOST_TEST(B64("") == "");
  BOOST_TEST(B64("YQ==") == "a");
  BOOST_TEST(B64("YWI=") == "ab");
}

BOOST_AUTO_TEST_CASE(base64_skips_garbage_and_reports_it) {
  bool clean = true;
  BOOST_TEST(B64("SGV*sbG8!", &clean) == "Hello");
  BOOST_TEST(!clean);
  // Concatenated padded blocks decode as two blocks.
  BOOST_TEST(B64("YQ==YWI=", &clean) == "aab");
  BOOST_TEST(clean);
  // A lone trailing sextet is damage.
  BOOST_TEST(B64("YWJjZ", &clean) == "abc");
  BOOST_TEST(!clean);
}

BOOST_AUTO_TEST_CASE(base64_size_estimate_matches_clean_input) {
  std::string enc = "SGVsbG8s\r\nIHdvcmxk\r\nIQ==\r\n";
  BOOST_TEST(EstimateBase64DecodedSize(enc) == B64(enc).size());
}

BOOST_AUTO_TEST_CASE(quoted_printable_soft_breaks_and_escapes) {
  bool clean = false;
  BOOST_TEST(QP("caf=C3=A9 au l=\r\nait=\nsoft =  \nend", &clean) == "caf\xC3\xA9 au laitsoft end");
  BOOST_TEST(clean);
  BOOST_TEST(QP("lower =e9 ok") == "lower \xE9 ok");
  BOOST_TEST(QP("a=\n") == "a");
}

BOOST_AUTO_TEST_CASE(quoted_printable_keeps_bad_escapes) {
  bool clean = true;
  BOOST_TEST(QP("100=ZZ% and =", &clean) == "100=ZZ% and ");
  BOOST_TEST(!clean);
}

BOOST_AUTO_TEST_CASE(charset_utf8_and_latin1_fast_paths) {
  BOOST_TEST(ToUtf8("caf\xC3\xA9", "UTF-8") == "caf\xC3\xA9");
  BOOST_TEST(ToUtf8("caf\xE9", "iso-8859-1") == "caf\xC3\xA9");
  BOOST_TEST(ToUtf8("caf\xE9", "latin1") == "caf\xC3\xA9");
  // windows-1252 specials (euro, curly quotes) also for "iso-8859-1".
  BOOST_TEST(ToUtf8("\x80\x96", "windows-1252") == "\xE2\x82\xAC\xE2\x80\x93");
  BOOST_TEST(ToUtf8("\x80", "ISO-8859-1") == "\xE2\x82\xAC");
  // Invalid UTF-8 is replaced, not passed through.
  BOOST_TEST(ToUtf8("a\xFF" "b\xC3", "utf-8") == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  // Undeclared non-UTF-8 text is read as latin1.
  BOOST_TEST(ToUtf8("caf\xE9", "") == "caf\xC3\xA9");
}

BOOST_AUTO_TEST_CASE(charset_iconv_conversions) {
  // "日本" in ISO-2022-JP.
  BOOST_TEST(ToUtf8("\x1B$BF|K\\\x1B(B", "iso-2022-jp") == "\xE6\x97\xA5\xE6\x9C\xAC");
  // "中文" in GB2312 (EUC-CN).
  BOOST_TEST(ToUtf8("\xD6\xD0\xCE\xC4", "gb2312") == "\xE4\xB8\xAD\xE6\x96\x87");
  // "é" in ISO-8859-15 and KOI8-R "Я".
  BOOST_TEST(ToUtf8("\xE9", "iso-8859-15") == "\xC3\xA9");
  BOOST_TEST(ToUtf8("\xF1", "koi8-r") == "\xD0\xAF");
  // An invalid byte inside a multibyte charset becomes U+FFFD and continues.
  std::string out = ToUtf8("\xD6\xD0\xFF" "ab", "gb2312");
  BOOST_TEST(out.find("\xEF\xBF\xBD") != std::string::npos);
  BOOST_TEST(out.substr(out.size() - 2) == "ab");
  BOOST_TEST(IsValidUtf8(out));
}

BOOST_AUTO_TEST_CASE(charset_unknown_falls_back_to_latin1) {
  bool unknown = false;
  BOOST_TEST(ToUtf8("caf\xE9", "x-no-such-charset", &unknown) == "caf\xC3\xA9");
  BOOST_TEST(unknown);
  // iconv option injection is not possible.
  BOOST_TEST(ToUtf8("a\xE9", "utf-8//IGNORE", &unknown) == "a\xC3\xA9");
  BOOST_TEST(unknown);
  BOOST_TEST(CanonicalCharset(" \"Shift_JIS\" ") == "cp932");
}

BOOST_AUTO_TEST_CASE(utf8_validation) {
  BOOST_TEST(IsValidUtf8("plain"));
  BOOST_TEST(IsValidUtf8("\xF0\x9F\x98\x80"));
  BOOST_TEST(!IsValidUtf8("\xC0\xAF"));          // overlong
  BOOST_TEST(!IsValidUtf8("\xED\xA0\x80"));      // surrogate
  BOOST_TEST(!IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
}

BOOST_AUTO_TEST_CASE(rfc2047_b_and_q) {
  BOOST_TEST(DecodeHeaderValue(" =?UTF-8?B?Y2Fmw6k=?=") == "caf\xC3\xA9");
  BOOST_TEST(DecodeHeaderValue("=?iso-8859-1?q?caf=E9_au_lait?=") == "caf\xC3\xA9 au lait");
  BOOST_TEST(DecodeHeaderValue("Re: =?utf-8?Q?hello?= world") == "Re: hello world");
}

BOOST_AUTO_TEST_CASE(rfc2047_adjacent_words_joined) {
  // Whitespace (and folding) between encoded-words disappears.
  BOOST_TEST(DecodeHeaderValue("=?utf-8?q?a?= =?utf-8?q?b?=\r\n =?utf-8?q?c?=") == "abc");
  // A UTF-8 character split across two words survives.
  BOOST_TEST(DecodeHeaderValue("=?utf-8?B?ww==?= =?utf-8?B?qQ==?=") == "\xC3\xA9");
  BOOST_TEST(DecodeHeaderValue("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=") == "caf\xC3\xA9");
  // Different charsets are converted separately.
  BOOST_TEST(DecodeHeaderValue("=?iso-8859-1?q?=E9?= =?utf-8?q?=C3=A9?=") == "\xC3\xA9\xC3\xA9");
  // Plain words between encoded ones keep their spaces.
  BOOST_TEST(DecodeHeaderValue("=?utf-8?q?a?= and =?utf-8?q?b?=") == "a and b");
}

BOOST_AUTO_TEST_CASE(rfc2047_malformed_words_stay_literal) {
  BOOST_TEST(DecodeHeaderValue("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=");
  BOOST_TEST(DecodeHeaderValue("=?utf-8?q?unterminated") == "=?utf-8?q?unterminated");
  BOOST_TEST(DecodeHeaderValue("=?") == "=?");
  BOOST_TEST(DecodeHeaderValue("=?no-such?q?caf=E9?=") == "caf\xC3\xA9");
  BOOST_TEST(DecodeHeaderValue("=?iso-2022-jp?B?GyRCRnxLXBsoQg==?=") == "\xE6\x97\xA5\xE6\x9C\xAC");
  // Raw 8-bit header text (not UTF-8) is read as latin1.
  BOOST_TEST(DecodeHeaderValue(" caf\xE9 ") == "caf\xC3\xA9");
  BOOST_TEST(DecodeHeaderValue("folded\r\n line") == "folded line");
}
