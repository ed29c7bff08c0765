// Tests for quota/units.h and quota/limits.h.
#include <boost/test/unit_test.hpp>

#include "quota/limits.h"
#include "quota/units.h"

using namespace sendguard::quota;

BOOST_AUTO_TEST_CASE(quota_units_parse_durations) {
  int64_t s = 0;
  BOOST_TEST(ParseDuration("90", &s));
  BOOST_TEST(s == 90);
  BOOST_TEST(ParseDuration("15m", &s));
  BOOST_TEST(s == 900);
  BOOST_TEST(ParseDuration("1h", &s));
  BOOST_TEST(s == 3600);
  BOOST_TEST(ParseDuration("1D", &s));
  BOOST_TEST(s == 86400);
  BOOST_TEST(ParseDuration("2w", &s));
  BOOST_TEST(s == 14 * 86400);
  BOOST_TEST(!ParseDuration("h", &s));
  BOOST_TEST(!ParseDuration("-1h", &s));
  BOOST_TEST(!ParseDuration("1y", &s));
  BOOST_TEST(!ParseDuration("1.5h", &s));
  BOOST_TEST(!ParseDuration("99999999999999999999s", &s));
  BOOST_TEST(!ParseDuration("9999999999999999w", &s));
}

BOOST_AUTO_TEST_CASE(quota_units_parse_sizes) {
  int64_t b = 0;
  BOOST_TEST(ParseSize("512", &b));
  BOOST_TEST(b == 512);
  BOOST_TEST(ParseSize("64KB", &b));
  BOOST_TEST(b == 65536);
  BOOST_TEST(ParseSize("50MB", &b));
  BOOST_TEST(b == 50LL << 20);
  BOOST_TEST(ParseSize("2gib", &b));
  BOOST_TEST(b == 2LL << 30);
  BOOST_TEST(!ParseSize("50XB", &b));
  BOOST_TEST(!ParseSize("MB", &b));
  BOOST_TEST(!ParseSize("-5MB", &b));
  BOOST_TEST(!ParseCount("10MB", &b));
}

BOOST_AUTO_TEST_CASE(quota_units_format_round_trip) {
  BOOST_TEST(FormatDuration(3600) == "1h");
  BOOST_TEST(FormatDuration(90) == "90s");
  BOOST_TEST(FormatDuration(86400) == "1d");
  BOOST_TEST(FormatSize(50LL << 20) == "50MB");
  BOOST_TEST(FormatSize(1000) == "1000B");
  WindowLimit w;
  w.metric = Metric::kMessages;
  w.limit = 100;
  w.window_seconds = 3600;
  BOOST_TEST(w.Describe() == "100 messages/1h");
  w.metric = Metric::kBytes;
  w.limit = 50LL << 20;
  w.window_seconds = 86400;
  BOOST_TEST(w.Describe() == "50MB/1d");
}

BOOST_AUTO_TEST_CASE(quota_units_retry_time_rounds_up_to_the_minute) {
  // 2023-11-14 22:13:20 UTC is 1700000000.
  BOOST_TEST(FormatRetryTime(1700000000, 1700000000) == "22:14 UTC");
  BOOST_TEST(FormatRetryTime(1700000040, 1700000000) == "22:14 UTC");
  BOOST_TEST(FormatRetryTime(1700000000 + 2 * 86400, 1700000000) == "2023-11-16 22:14 UTC");
}
