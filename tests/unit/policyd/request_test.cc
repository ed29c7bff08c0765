// Tests for policyd/request.h: requests split from a byte stream however it
// arrives, pipelined requests, and every bound that closes a connection.
#include <boost/test/unit_test.hpp>

#include <string>

#include "policyd/request.h"

using namespace sendguard::policyd;

namespace {

// Feeds `bytes` one chunk of `chunk` bytes at a time; collects requests.
std::vector<PolicyRequest> FeedAll(RequestReader* r, const std::string& bytes, size_t chunk,
                                   RequestReader::State* last) {
  std::vector<PolicyRequest> out;
  *last = RequestReader::State::kNeedMore;
  for (size_t i = 0; i < bytes.size() && *last != RequestReader::State::kError; i += chunk) {
    r->Feed(bytes.data() + i, std::min(chunk, bytes.size() - i));
    PolicyRequest req;
    while ((*last = r->Next(&req)) == RequestReader::State::kRequest) out.push_back(req);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pipelined_requests_in_any_chunking) {
  std::string two = "request=smtpd_access_policy\nprotocol_state=RCPT\nfuture_attribute=x\n\n"
                    "request=smtpd_access_policy\r\nprotocol_state=END-OF-MESSAGE\r\nsize=12\r\n\r\n";
  for (size_t chunk : {1, 2, 7, 1000}) {
    RequestReader r;
    RequestReader::State last;
    std::vector<PolicyRequest> got = FeedAll(&r, two, chunk, &last);
    BOOST_REQUIRE_EQUAL(got.size(), 2u);
    BOOST_TEST(got[0].Get("protocol_state") == "RCPT");
    BOOST_TEST(got[0].Get("future_attribute") == "x");  // kept, ignored by the responder
    BOOST_TEST(got[1].Get("size") == "12");
    BOOST_TEST(got[1].Get("absent") == "");
    BOOST_TEST(!r.Partial());
  }
}

BOOST_AUTO_TEST_CASE(value_may_hold_equals_signs_and_be_empty) {
  RequestReader r;
  RequestReader::State last;
  auto got = FeedAll(&r, "sender=a=b@example.org\nqueue_id=\n\n", 100, &last);
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  BOOST_TEST(got[0].Get("sender") == "a=b@example.org");
  BOOST_TEST(got[0].attributes.count("queue_id") == 1u);
}

BOOST_AUTO_TEST_CASE(garbage_and_floods_are_protocol_errors) {
  const std::string long_line = "x=" + std::string(kMaxLineBytes, 'a') + "\n\n";
  const std::string endless_line(kMaxLineBytes + 10, 'a');  // no newline at all
  std::string flood;
  for (size_t i = 0; i <= kMaxAttributes; ++i) flood += "a" + std::to_string(i) + "=1\n";
  std::string same_name;  // one name repeated: the byte bound catches it
  while (same_name.size() <= kMaxRequestBytes) same_name += "sasl_username=" + std::string(1000, 'u') + "\n";
  for (const std::string& bad : {std::string("GET / HTTP/1.0\r\n\r\n"), std::string("=novalue\n\n"),
                                 std::string("\n"), std::string("a=b\0c\n\n", 8), long_line, endless_line, flood,
                                 same_name}) {
    RequestReader r;
    RequestReader::State last;
    auto got = FeedAll(&r, bad, 512, &last);
    BOOST_TEST(got.empty());
    BOOST_TEST((last == RequestReader::State::kError), bad.substr(0, 40));
    BOOST_TEST(!r.error().empty());
  }
}

BOOST_AUTO_TEST_CASE(answers_are_one_line) {
  BOOST_TEST(FormatAnswer("DUNNO") == "action=DUNNO\n\n");
  BOOST_TEST(FormatAnswer("451 4.7.1 a\r\nb") == "action=451 4.7.1 a  b\n\n");
}
