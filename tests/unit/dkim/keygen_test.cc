// Tests for dkim/keygen.h. (Every signing test also verifies keygen output:
// its keys come from RunKeygenCommand and its DNS data from the printed record.)
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <sstream>

#include "dkim/keygen.h"
#include "dkim/private_key.h"
#include "dkim_test_util.h"

using namespace sendguard::dkim;
using namespace sendguard::dkim::testing;

namespace {

int Run(const std::vector<std::string>& args, std::string* out, std::string* err) {
  std::ostringstream o, e;
  int rc = RunKeygenCommand(args, o, e);
  *out = o.str();
  *err = e.str();
  return rc;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ed25519_key_mode_0600_and_raw_public_key_record) {
  TempDir dir;
  std::string out, err;
  BOOST_REQUIRE(Run({"--domain", "example.org", "--selector", "ed", "--type", "ed25519",
                     "--dir", dir.path()}, &out, &err) == 0);
  struct stat st;
  BOOST_REQUIRE(stat(dir.File("ed.private").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  // New keys are added require-published: they sign only once DNS shows them.
  BOOST_TEST(err.find("\n  ed._domainkey.example.org example.org:ed:" + dir.File("ed.private") +
                      " require-published\n") != std::string::npos, err);
  const std::string prefix = "ed._domainkey.example.org. IN TXT ( \"v=DKIM1; k=ed25519; p=";
  BOOST_REQUIRE(out.compare(0, prefix.size(), prefix) == 0);
  std::string p = out.substr(prefix.size(), 44);  // base64 of 32 raw bytes
  BOOST_TEST(p.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
             std::string::npos);
  BOOST_TEST(out.substr(prefix.size() + 44) == "\" )\n");
  auto key = LoadPrivateKey(dir.File("ed.private"), false);
  BOOST_REQUIRE(key.ok());
  BOOST_TEST((key->type == KeyType::kEd25519));
  BOOST_TEST(*DkimTxtValue(*key) == "v=DKIM1; k=ed25519; p=" + p);
}

BOOST_AUTO_TEST_CASE(rsa4096_record_is_split_into_255_byte_strings) {
  TempDir dir;
  std::string out, err;
  BOOST_REQUIRE(Run({"--domain", "example.org", "--selector", "big", "--bits", "4096",
                     "--dir", dir.path()}, &out, &err) == 0);
  std::string joined;
  size_t strings = 0;
  for (const std::string& s : QuotedStrings(out)) {
    BOOST_TEST(s.size() <= 255u);
    joined += s;
    ++strings;
  }
  BOOST_TEST(strings >= 3u);
  auto key = LoadPrivateKey(dir.File("big.private"), false);
  BOOST_REQUIRE(key.ok());
  BOOST_TEST(key->bits == 4096);
  BOOST_TEST(joined == *DkimTxtValue(*key));
  BOOST_TEST(joined.find("v=DKIM1; k=rsa; p=MII") == 0u);
}

BOOST_AUTO_TEST_CASE(keygen_never_overwrites_and_checks_arguments) {
  TempDir dir;
  std::string out, err;
  std::vector<std::string> args = {"--domain", "example.org", "--selector", "s", "--type",
                                   "ed25519", "--dir", dir.path()};
  BOOST_REQUIRE(Run(args, &out, &err) == 0);
  BOOST_TEST(Run(args, &out, &err) == 1);
  BOOST_TEST(err.find("File exists") != std::string::npos);
  BOOST_TEST(Run({"--domain", "example.org"}, &out, &err) == 2);
  BOOST_TEST(Run({"--domain", "example.org", "--selector", "s", "--type", "dsa"}, &out, &err) == 2);
  BOOST_TEST(Run({"--domain", "example.org", "--selector", "s", "--bits", "512", "--dir",
                  dir.path()}, &out, &err) == 1);
  BOOST_TEST(Run({"--domain", "bad domain", "--selector", "s"}, &out, &err) == 1);
}
