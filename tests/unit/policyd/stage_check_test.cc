// Tests for policyd/stage_check.h: each known trap of policy daemons gives
// its warning, a correct attachment gives none.
#include <boost/test/unit_test.hpp>

#include "policyd/stage_check.h"

using namespace sendguard::policyd;

namespace {

const std::vector<std::string> kSockets = {"inet:127.0.0.1:10040", "unix:/var/spool/postfix/private/sendguard"};

std::vector<std::string> Warn(const std::map<std::string, std::string>& main_cf,
                              const std::map<std::string, std::string>& master = {}) {
  return StageWarnings(main_cf, master, kSockets);
}

bool Has(const std::vector<std::string>& w, const std::string& part) {
  for (const std::string& s : w) {
    if (s.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(correct_attachment_gives_no_warning) {
  BOOST_TEST(Warn({{"smtpd_recipient_restrictions", "check_policy_service inet:127.0.0.1:10040, permit_sasl_authenticated, reject"},
                   {"smtpd_end_of_data_restrictions", "check_policy_service { unix:private/sendguard, timeout=10s, default_action=DEFER }"}})
                 .empty());
}

BOOST_AUTO_TEST_CASE(each_trap_is_named) {
  auto client_only = Warn({{"smtpd_client_restrictions", "check_policy_service inet:127.0.0.1:10040"}});
  BOOST_TEST(Has(client_only, "only in smtpd_client_restrictions"));
  auto no_eod = Warn({{"smtpd_recipient_restrictions", "check_policy_service 127.0.0.1:10040"}});
  BOOST_TEST(Has(no_eod, "never committed"));
  auto eod_only = Warn({{"smtpd_end_of_data_restrictions", "check_policy_service inet:127.0.0.1:10040"}});
  BOOST_TEST(Has(eod_only, "only in smtpd_end_of_data_restrictions"));
  auto shadowed = Warn({{"smtpd_recipient_restrictions", "permit_sasl_authenticated, check_policy_service inet:127.0.0.1:10040"},
                        {"smtpd_end_of_data_restrictions", "check_policy_service inet:127.0.0.1:10040"}});
  BOOST_TEST(Has(shadowed, "comes after permit_sasl_authenticated"));
  auto other = Warn({{"smtpd_recipient_restrictions", "check_policy_service inet:127.0.0.1:9999"}});
  BOOST_TEST(Has(other, "no check_policy_service"));
}

BOOST_AUTO_TEST_CASE(restriction_classes_and_master_cf_overrides) {
  std::map<std::string, std::string> main_cf = {
      {"smtpd_restriction_classes", "sg_quota"},
      {"sg_quota", "check_policy_service inet:127.0.0.1:10040"},
      {"smtpd_recipient_restrictions", "sg_quota, reject_unauth_destination"},
      {"smtpd_end_of_data_restrictions", "sg_quota"}};
  BOOST_TEST(Warn(main_cf).empty());
  auto master = Warn({}, ParsePostconf("submission/inet/smtpd_recipient_restrictions = check_policy_service inet:127.0.0.1:10040\n"
                                       "submission/inet/syslog_name = postfix/submission\n"));
  BOOST_TEST(master.size() == 1u);
  BOOST_TEST(Has(master, "master.cf submission/inet: check_policy_service for sendguard is in smtpd_recipient_restrictions"));
}

BOOST_AUTO_TEST_CASE(postconf_output_is_parsed) {
  auto p = ParsePostconf("smtpd_client_restrictions =\nsmtpd_recipient_restrictions = a, b\n");
  BOOST_TEST(p["smtpd_client_restrictions"] == "");
  BOOST_TEST(p["smtpd_recipient_restrictions"] == "a, b");
}
