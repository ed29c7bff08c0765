// Tests for core/net.h.
#include <boost/test/unit_test.hpp>

#include "core/net.h"

using sendguard::IpAddress;
using sendguard::IpPrefix;

BOOST_AUTO_TEST_CASE(prefix_contains_v4_and_v6) {
  auto p4 = IpPrefix::Parse("192.0.2.0/24");
  BOOST_REQUIRE(p4.ok());
  BOOST_TEST(p4->Contains(*IpAddress::Parse("192.0.2.77")));
  BOOST_TEST(!p4->Contains(*IpAddress::Parse("192.0.3.1")));
  BOOST_TEST(!p4->Contains(*IpAddress::Parse("2001:db8::1")));
  auto p6 = IpPrefix::Parse("2001:db8::/32");
  BOOST_REQUIRE(p6.ok());
  BOOST_TEST(p6->Contains(*IpAddress::Parse("2001:db8:1::5")));
  BOOST_TEST(!p6->Contains(*IpAddress::Parse("2001:db9::1")));
}

BOOST_AUTO_TEST_CASE(v4_mapped_and_brackets) {
  auto a = IpAddress::Parse("[IPv6:::ffff:127.0.0.1]");
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(!a->v6);
  BOOST_TEST(a->ToString() == "127.0.0.1");
  BOOST_TEST(IpPrefix::Parse("127.0.0.0/8")->Contains(*a));
}

BOOST_AUTO_TEST_CASE(bad_input_rejected) {
  BOOST_TEST(!IpPrefix::Parse("10.0.0.0/33").ok());
  BOOST_TEST(!IpPrefix::Parse("10.0.0/8").ok());
  BOOST_TEST(!IpPrefix::Parse("10.0.0.0/x").ok());
  BOOST_TEST(!IpAddress::Parse("example.org").ok());
  BOOST_TEST(IpPrefix::Parse("10.1.2.3")->ToString() == "10.1.2.3/32");
}
