// Tests for master/held_mail_service.h: the HTTP server's held-mail request
// line, as the parent reads it.
#include <boost/test/unit_test.hpp>

#include "master/held_mail_service.h"

namespace sendguard {
namespace {

BOOST_AUTO_TEST_CASE(held_mail_requests_round_trip_and_bad_ones_are_refused) {
  HeldMailRequest q{"7", true, "4ABCDEF12", "console:admin", "dave smith@example.org"};
  HeldMailRequest back;
  std::string why;
  BOOST_REQUIRE(ParseHeldMailRequest(FormatHeldMailRequest(q), &back, &why));
  BOOST_TEST(back.tag == "7");
  BOOST_TEST(back.deliver);
  BOOST_TEST(back.queue_id == "4ABCDEF12");
  BOOST_TEST(back.by == "console:admin");
  BOOST_TEST(back.identity == "dave smith@example.org");
  for (const char* bad : {"", "7", "7 held", "7 held deliver 4ABCDEF12 console:admin", "7 release deliver 4ABCDEF12 by u",
                          "7 held forward 4ABCDEF12 by u"}) {
    BOOST_TEST(!ParseHeldMailRequest(bad, &back, &why), bad);
  }
  BOOST_TEST(!ParseHeldMailRequest("7 held delete ../etc/passwd by u", &back, &why));
  BOOST_TEST(why == "'../etc/passwd' is not a Postfix queue id");
}

}  // namespace
}  // namespace sendguard
