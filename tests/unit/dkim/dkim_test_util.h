// Helpers shared by the dkim unit tests: temporary directories, test keys
// generated at run time (never committed), signing a whole message through
// the streaming API, and the two independent verifiers.
#ifndef SENDGUARD_TESTS_UNIT_DKIM_DKIM_TEST_UTIL_H_
#define SENDGUARD_TESTS_UNIT_DKIM_DKIM_TEST_UTIL_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dkim/key_set.h"
#include "dkim/options.h"
#include "dkim/signature_header.h"

namespace sendguard::dkim::testing {

// mkdtemp under $TMPDIR (or /tmp), removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& text, int mode = 0600);

// Runs a shell command, returns exit status and merged stdout/stderr.
std::pair<int, std::string> RunCommand(const std::string& command);

// Keys made once per test binary with RunKeygenCommand: "rsa" (RSA-2048,
// selector rsa2048) and "ed" (Ed25519, selector ed1) for example.com, with a
// DNS key file in TestPublicKeys / dnsfunc form.
struct TestKeys {
  std::string dir;
  std::string dns_file;  // "rsa2048._domainkey.example.com v=DKIM1; ..." lines
};
const TestKeys& SharedTestKeys();

// Key table and signing table signing example.com with the given key names.
DkimOptions OptionsFor(const TempDir& dir, const std::vector<std::string>& key_names);

struct TestMessage {
  std::vector<Header> headers;  // values as the milter gives them (leading space)
  std::string body;             // CRLF line ends
};
TestMessage SimpleMessage();

// Signs through MessageSigner (body fed in chunks of chunk_size) and returns
// the message as it leaves: signatures on top, then headers, then
// extra_after_signing headers appended at the end, blank line, body.
std::string SignAndRender(std::shared_ptr<const KeySet> keys, const TestMessage& m,
                          size_t chunk_size = 1000,
                          const std::vector<Header>& extra_after_signing = {},
                          int64_t now = 0 /* 0: time(nullptr) */);

// The quoted strings of a zone-file record, in order.
std::vector<std::string> QuotedStrings(const std::string& zone);

// Both verifiers; return "" when every signature passed, else their output.
std::string VerifyWithDkimpy(const std::string& message, size_t expected_signatures);
std::string VerifyWithOpenDkim(const std::string& message, size_t expected_signatures);

// What a verifier says of each signature, for the cases that must fail.
struct Verdicts {
  // One "RESULT d=DOMAIN s=SELECTOR" line per signature, in header order;
  // RESULT as in Authentication-Results (pass, fail, permerror, ...). A
  // verifier that did not run or died gives none, so it never matches.
  std::string lines;
  std::string output;  // all it printed and its exit status, to explain a mismatch
};
Verdicts DkimpyVerdicts(const std::string& message);
Verdicts OpenDkimVerdicts(const std::string& message);

}  // namespace sendguard::dkim::testing

#endif  // SENDGUARD_TESTS_UNIT_DKIM_DKIM_TEST_UTIL_H_
