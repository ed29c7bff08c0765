// Tests for session/held_mail.h: which queue ids are accepted, and the
// check that a queue id is the account's held mail before any tool runs.
#include <boost/test/unit_test.hpp>

#include "../temp_dir.h"
#include "abuse/signals.h"
#include "quota/lmdb_quota_store.h"
#include "session/abuse_admin.h"
#include "session/held_mail.h"

namespace sendguard {
namespace {

BOOST_AUTO_TEST_CASE(queue_ids_are_postfix_ids_only) {
  for (const char* ok : {"4ABCDEF123", "4QzFmn1Bb4z9xyK", "A1B2C"}) BOOST_TEST(IsQueueId(ok), ok);
  for (const char* bad : {"", "ABCD", "-d", "ALL ", "ABC/DEF", "../etc/passwd", "ABCDEF\n", "ABC DEF",
                          "0123456789012345678901234567890123"}) {
    BOOST_TEST(!IsQueueId(bad), bad);
  }
}

BOOST_AUTO_TEST_CASE(only_the_accounts_held_mail_is_acted_on) {
  test::TempDir dir;
  Config config;
  auto store = quota::LmdbQuotaStore::Open(dir.path(), quota::LmdbStoreOptions());
  BOOST_REQUIRE(store.ok());
  Result<abuse::Record> saved = ChangeAbuseRecord(store->get(), AbuseRecordKey(config, "erin@example.org"),
                                                  [](abuse::Record* r) {
                                                    r->held.push_back("4ERINS0001");
                                                    return abuse::Change();
                                                  });
  BOOST_REQUIRE(saved.ok());
  Result<std::string> forged =
      ActOnHeldMessage(config, store->get(), "dave@example.org", "4ERINS0001", true, "console:admin");
  BOOST_TEST(forged.status().IsNotFound());
  BOOST_TEST(forged.status().message() == "4ERINS0001 is not held mail of dave@example.org");
  Result<std::string> garbage = ActOnHeldMessage(config, store->get(), "erin@example.org", "-d ALL", false, "x");
  BOOST_TEST((garbage.status().code() == Status::Code::kInvalidArgument));
  BOOST_TEST((*LoadAbuseRecord(store->get(), "a:erin@example.org")).held.size() == 1u);
}

}  // namespace
}  // namespace sendguard
