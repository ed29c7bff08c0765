// Tests for dkim/key_set.h and dkim/private_key.h: tables, lookup, key safety.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "dkim/key_set.h"
#include "dkim/message_signer.h"
#include "dkim_test_util.h"

using namespace sendguard::dkim;
using namespace sendguard::dkim::testing;

namespace {

// Copies the shared test key `selector` into dir with the given mode.
std::string CopyKey(const TempDir& dir, const std::string& selector, int mode) {
  std::string text;
  {
    std::ifstream in(SharedTestKeys().dir + "/" + selector + ".private");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string path = dir.File(selector + ".private");
  WriteFile(path, text, mode);
  return path;
}

DkimOptions Tables(const TempDir& dir, const std::string& keys, const std::string& signing) {
  WriteFile(dir.File("keys.conf"), keys, 0644);
  WriteFile(dir.File("signing.conf"), signing, 0644);
  DkimOptions o;
  o.key_table_path = dir.File("keys.conf");
  o.signing_table_path = dir.File("signing.conf");
  return o;
}

std::string LoadError(const DkimOptions& o) {
  auto r = KeySet::Load(o);
  return r.ok() ? "" : r.status().ToString();
}

}  // namespace

BOOST_AUTO_TEST_CASE(relative_key_paths_and_lookup_precedence) {
  TempDir dir;
  CopyKey(dir, "rsa2048", 0600);
  CopyKey(dir, "ed1", 0600);
  auto keys = KeySet::Load(Tables(dir,
      "# name  domain:selector:file\n"
      "r  example.com:rsa2048:rsa2048.private\n"
      "e  %:ed1:ed1.private   # d= is the From domain\n",
      "example.com      r e\n"
      "*.example.com    e\n"
      "*.b.example.com  r\n"
      "*                e\n"));
  BOOST_REQUIRE_MESSAGE(keys.ok(), keys.status().ToString());
  BOOST_TEST((*keys)->key_count() == 2u);
  BOOST_TEST((*keys)->KeysFor("EXAMPLE.COM").size() == 2u);
  auto sub = (*keys)->KeysFor("a.example.com");
  BOOST_REQUIRE(sub.size() == 1u);
  BOOST_TEST(sub[0]->name == "e");
  auto deeper = (*keys)->KeysFor("x.b.example.com");  // longest suffix wins
  BOOST_REQUIRE(deeper.size() == 1u);
  BOOST_TEST(deeper[0]->name == "r");
  auto other = (*keys)->KeysFor("other.org");
  BOOST_REQUIRE(other.size() == 1u);
  BOOST_TEST(other[0]->name == "e");
  BOOST_TEST((other[0]->key.type == KeyType::kEd25519));
  BOOST_TEST((*keys)->KeysFor("example.com")[0]->key.bits == 2048);
}

BOOST_AUTO_TEST_CASE(percent_domain_signs_as_from_domain_and_rejects_junk) {
  TempDir dir;
  CopyKey(dir, "ed1", 0600);
  auto keys = KeySet::Load(Tables(dir, "e %:ed1:ed1.private\n", "* e\n"));
  BOOST_REQUIRE(keys.ok());
  auto signer = MessageSigner::Begin(*keys, "other.example", 1763892000);
  BOOST_REQUIRE(signer.ok() && *signer);
  (*signer)->AddHeader("From", " a@other.example");
  auto sigs = (*signer)->Finish();
  BOOST_REQUIRE(sigs.ok());
  BOOST_TEST((*sigs)[0].find("d=other.example;") != std::string::npos);
  BOOST_TEST(!MessageSigner::Begin(*keys, "x.org; s=evil", 1763892000).ok());
}

BOOST_AUTO_TEST_CASE(world_or_group_readable_key_is_refused) {
  TempDir dir;
  std::string key = CopyKey(dir, "ed1", 0644);
  DkimOptions o = Tables(dir, "e example.com:ed1:" + key + "\n", "example.com e\n");
  std::string err = LoadError(o);
  BOOST_TEST(err.find("keys.conf:1:") != std::string::npos);
  BOOST_TEST(err.find(key) != std::string::npos);
  BOOST_TEST(err.find("group or others") != std::string::npos);
  o.allow_group_readable_keys = true;  // still world readable
  BOOST_TEST(LoadError(o) != "");
  chmod(key.c_str(), 0640);
  BOOST_TEST(LoadError(o) == "");
  o.allow_group_readable_keys = false;
  BOOST_TEST(LoadError(o) != "");
}

BOOST_AUTO_TEST_CASE(missing_key_names_the_file) {
  TempDir dir;
  DkimOptions o = Tables(dir, "\n\ne example.com:ed1:nope.private\n", "example.com e\n");
  std::string err = LoadError(o);
  BOOST_TEST(err.find("keys.conf:3:") != std::string::npos);
  BOOST_TEST(err.find(dir.File("nope.private")) != std::string::npos);
  BOOST_TEST(err.find("No such file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(corrupt_key_names_the_file) {
  TempDir dir;
  WriteFile(dir.File("bad.private"), "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n");
  std::string err = LoadError(Tables(dir, "e example.com:ed1:bad.private\n", "example.com e\n"));
  BOOST_TEST(err.find("bad.private") != std::string::npos);
  BOOST_TEST(err.find("not a PEM private key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(table_errors_name_file_and_line) {
  TempDir dir;
  CopyKey(dir, "ed1", 0600);
  BOOST_TEST(LoadError(Tables(dir, "e example.com:ed1:ed1.private\n", "example.com e x\n"))
                 .find("signing.conf:1: key 'x' is not in the key table") != std::string::npos);
  BOOST_TEST(LoadError(Tables(dir, "e example.com\n", "example.com e\n")).find("keys.conf:1:") !=
             std::string::npos);
  BOOST_TEST(LoadError(Tables(dir, "e ex ample:ed1:ed1.private\n", "")).find("keys.conf:1:") !=
             std::string::npos);
  BOOST_TEST(LoadError(Tables(dir, "e example.com:ed1:ed1.private\n", "a@b e\n"))
                 .find("signing.conf:1: bad pattern") != std::string::npos);
  BOOST_TEST(LoadError(Tables(dir, "e example.com:ed1:ed1.private\ne example.com:ed1:ed1.private\n", ""))
                 .find("keys.conf:2:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reload_with_a_bad_key_keeps_the_old_set) {
  TempDir dir;
  CopyKey(dir, "ed1", 0600);
  DkimOptions o = Tables(dir, "e example.com:ed1:ed1.private\n", "example.com e\n");
  auto first = KeySet::Load(o);
  BOOST_REQUIRE(first.ok());
  std::shared_ptr<const KeySet> current = *first;
  // The key file is replaced by garbage and a second key is added: the whole
  // reload fails, and the daemon keeps `current`, which still signs.
  WriteFile(dir.File("ed1.private"), "garbage\n");
  CopyKey(dir, "rsa2048", 0600);
  o = Tables(dir, "e example.com:ed1:ed1.private\nr example.com:rsa2048:rsa2048.private\n",
             "example.com e r\n");
  auto reload = KeySet::Load(o);
  BOOST_TEST(!reload.ok());
  if (reload.ok()) current = *reload;
  BOOST_TEST(current->key_count() == 1u);
  auto signer = MessageSigner::Begin(current, "example.com", 1763892000);
  BOOST_REQUIRE(signer.ok() && *signer);
  BOOST_TEST((*signer)->AddHeader("From", " a@example.com").ok());
  BOOST_TEST((*signer)->EndHeaders().ok());
  BOOST_TEST((*signer)->AddBody("hi\r\n").ok());
  auto sigs = (*signer)->Finish();
  BOOST_REQUIRE(sigs.ok());
  BOOST_TEST(sigs->size() == 1u);
}

BOOST_AUTO_TEST_CASE(sign_headers_must_include_from) {
  DkimOptions o;
  o.sign_headers = {"subject"};
  BOOST_TEST(LoadError(o).find("From") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_tables_means_no_signing) {
  auto keys = KeySet::Load(DkimOptions());
  BOOST_REQUIRE(keys.ok());
  BOOST_TEST((*keys)->KeysFor("example.com").empty());
}

// Tables may name a domain as U-label or A-label: lookups and d= use the
// A-label; a name that is not valid IDNA is refused with file:line.
BOOST_AUTO_TEST_CASE(idn_domains_are_one_spelling) {
  TempDir dir;
  CopyKey(dir, "ed1", 0600);
  auto keys = KeySet::Load(Tables(dir, "e  exämple.org:ed1:ed1.private\n", "EXÄMPLE.org  e\n"));
  BOOST_REQUIRE_MESSAGE(keys.ok(), keys.status().ToString());
  for (const char* from : {"exämple.org", "xn--exmple-cua.org", "XN--EXMPLE-CUA.ORG"}) {
    auto found = (*keys)->KeysFor(from);
    BOOST_REQUIRE_MESSAGE(found.size() == 1u, from);
    BOOST_TEST(found[0]->domain == "xn--exmple-cua.org");
  }
  std::string bad = LoadError(Tables(dir, "e  xn--zz.org:ed1:ed1.private\n", "*  e\n"));
  BOOST_TEST(bad.find("keys.conf:1: 'xn--zz.org' is not a valid IDNA domain") != std::string::npos, bad);
  bad = LoadError(Tables(dir, "e  %:ed1:ed1.private\n", "*.xn--zz.org  e\n"));
  BOOST_TEST(bad.find("signing.conf:1: 'xn--zz.org' is not a valid IDNA domain") != std::string::npos, bad);
}
