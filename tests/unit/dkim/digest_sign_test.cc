// Tests for dkim/digest_sign.h: the signing contexts prepared once per key
// give the same signatures as fresh ones, and one KeySet signs correctly from
// many threads at once (the prepared contexts are shared read-only and
// duplicated per signature).
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "dkim/digest_sign.h"
#include "dkim/message_signer.h"
#include "dkim_test_util.h"

using namespace sendguard::dkim;
using namespace sendguard::dkim::testing;

namespace {

constexpr int64_t kNow = 1763892000;

std::shared_ptr<const KeySet> LoadRsaAndEd(const TempDir& dir) {
  auto keys = KeySet::Load(OptionsFor(dir, {"rsa", "ed"}));
  BOOST_REQUIRE_MESSAGE(keys.ok(), keys.status().ToString());
  return *keys;
}

// A message of its own per thread, so a mix-up between threads shows.
TestMessage MessageFor(int thread) {
  TestMessage m = SimpleMessage();
  m.headers[2].value = " thread " + std::to_string(thread);  // Subject
  m.body = "Hello from thread " + std::to_string(thread) + ",\r\n\r\n  two  spaces\r\n";
  return m;
}

// Signs n times; returns how many results differ from `want` (or threw).
int SignRepeatedly(const std::shared_ptr<const KeySet>& keys, const TestMessage& m,
                   const std::string& want, int n, const std::atomic<bool>* go) {
  while (!go->load()) std::this_thread::yield();
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    try {
      if (SignAndRender(keys, m, 7, {}, kNow) != want) ++bad;
    } catch (const std::exception&) {
      ++bad;
    }
  }
  return bad;
}

}  // namespace

BOOST_AUTO_TEST_CASE(prepared_context_signs_like_a_fresh_one) {
  TempDir dir;
  auto keys = LoadRsaAndEd(dir);
  Digest digest{};
  for (size_t i = 0; i < digest.size(); ++i) digest[i] = static_cast<uint8_t>(i * 7);
  for (const KeyEntry* e : keys->KeysFor("example.com")) {
    BOOST_TEST_CONTEXT(e->selector) {
      // Null only where OpenSSL cannot copy the context (then every signature
      // sets one up, slower but the same bytes).
      BOOST_WARN_MESSAGE(e->key.signer != nullptr, "no prepared signing context");
      PrivateKey fresh = e->key;
      fresh.signer = nullptr;
      auto a = SignDigest(e->key, digest);
      auto b = SignDigest(fresh, digest);
      auto c = SignDigest(e->key, digest);
      BOOST_REQUIRE(a.ok());
      BOOST_REQUIRE(b.ok());
      BOOST_REQUIRE(c.ok());
      // PKCS#1 v1.5 and Ed25519 are deterministic.
      BOOST_TEST(*a == *b);
      BOOST_TEST(*a == *c);
      BOOST_TEST(a->size() == (e->key.type == KeyType::kRsa ? 256u : 64u));
    }
  }
}

BOOST_AUTO_TEST_CASE(one_key_set_signs_concurrently_from_many_threads) {
  TempDir dir;
  auto keys = LoadRsaAndEd(dir);
  const int kThreads = 6, kMessages = 40;
  // Reference signatures, made single-threaded (the first one also checked
  // by both verifiers; the others come from the same code).
  std::vector<TestMessage> messages;
  std::vector<std::string> want;
  for (int t = 0; t < kThreads; ++t) {
    messages.push_back(MessageFor(t));
    want.push_back(SignAndRender(keys, messages.back(), 1000, {}, kNow));
  }
  BOOST_TEST(VerifyWithDkimpy(want[0], 2) == "");
  BOOST_TEST(VerifyWithOpenDkim(want[0], 2) == "");
  std::atomic<bool> go{false};
  std::vector<int> bad(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] { bad[t] = SignRepeatedly(keys, messages[t], want[t], kMessages, &go); });
  go = true;
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t)
    BOOST_TEST(bad[t] == 0, "thread " << t << ": " << bad[t] << " of " << kMessages << " differ");
}
