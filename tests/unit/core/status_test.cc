// Tests for core/status.h and core/clock.h.
#include <boost/test/unit_test.hpp>

#include "core/clock.h"
#include "core/status.h"

using sendguard::ManualClock;
using sendguard::Result;
using sendguard::Status;

BOOST_AUTO_TEST_CASE(status_ok_and_error_render) {
  BOOST_TEST(Status::Ok().ok());
  Status s = Status::InvalidArgument("a.conf:3: unknown key 'x'");
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.ToString() == "invalid argument: a.conf:3: unknown key 'x'");
}

BOOST_AUTO_TEST_CASE(result_holds_value_or_error) {
  Result<int> good(42);
  BOOST_TEST(good.ok());
  BOOST_TEST(*good == 42);
  Result<int> bad(Status::Unavailable("redis down"));
  BOOST_TEST(!bad.ok());
  BOOST_TEST(bad.status().IsUnavailable());
}

BOOST_AUTO_TEST_CASE(manual_clock_advances) {
  ManualClock clock(1000000);
  clock.AdvanceSeconds(5);
  BOOST_TEST(clock.NowSeconds() == 6);
}
