// dkim_bench — signing throughput of MessageSigner next to raw OpenSSL.
//
// Build by hand from the source root (after `make obj/tests/dkim_test`):
//   g++ -std=c++17 -O2 -Isrc tests/unit/dkim/bench/dkim_bench.cc
//       obj/src/dkim/*.o obj/src/core/*.o -lopendkim -lcrypto -o obj/dkim_bench
//   obj/dkim_bench [seconds_per_case=3] [ed25519_soak_messages=200000]
// Prints "dkim_sign/s rsa2048: X ed25519: Y" (whole message: headers, body,
// canonicalization, signature), the same through libopendkim for RSA, the
// raw OpenSSL rates (a signature of 32 bytes with a context prepared once,
// as `openssl speed` measures) and raw plus SHA-256 of the message bytes,
// all single-threaded, and the RSS before/after the
// Ed25519 soak. Keys are generated into a temporary directory and removed.
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <fstream>
#include <functional>
#include <vector>
#include <string>

#include "dkim/keygen.h"
#include "dkim/message_signer.h"

using namespace sendguard::dkim;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kBody = [] {
  std::string b;
  for (int i = 0; i < 40; ++i) b += "A typical line of a short business e-mail, about sixty bytes.\r\n";
  return b;
}();

long RssKb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

bool SignOne(const std::shared_ptr<const KeySet>& keys) {
  auto s = MessageSigner::Begin(keys, "example.com", 1763892000);
  if (!s.ok() || !*s) return false;
  (*s)->AddHeader("From", " Alice <alice@example.com>");
  (*s)->AddHeader("To", " bob@example.net");
  (*s)->AddHeader("Subject", " quarterly numbers");
  (*s)->AddHeader("Date", " Mon, 23 Nov 2026 10:00:00 +0000");
  (*s)->AddHeader("Message-ID", " <1@example.com>");
  (*s)->EndHeaders();
  (*s)->AddBody(kBody);
  return (*s)->Finish().ok();
}

// Operations per second over about `seconds`.
template <typename F>
double Rate(double seconds, F op) {
  long n = 0;
  auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int i = 0; i < 50; ++i)
      if (!op()) { std::fprintf(stderr, "operation failed\n"); std::exit(1); }
    n += 50;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return n / elapsed;
}

// As `openssl speed` does: a signing context prepared once per key and
// reused (RSA: EVP_PKEY_sign of a SHA-256 digest with PKCS#1 v1.5 padding;
// Ed25519: EVP_DigestSign of 32 bytes), so the peer carries no setup cost.
bool RawSign(EVP_PKEY* key, bool rsa) {
  static EVP_PKEY_CTX* rsa_ctx = nullptr;
  static EVP_MD_CTX* ed_ctx = nullptr;
  unsigned char msg[32] = {1}, sig[1024];
  size_t len = sizeof sig;
  if (rsa) {
    if (!rsa_ctx) {
      rsa_ctx = EVP_PKEY_CTX_new(key, nullptr);
      if (EVP_PKEY_sign_init(rsa_ctx) != 1 ||
          EVP_PKEY_CTX_set_rsa_padding(rsa_ctx, RSA_PKCS1_PADDING) != 1 ||
          EVP_PKEY_CTX_set_signature_md(rsa_ctx, EVP_sha256()) != 1)
        return false;
    }
    return EVP_PKEY_sign(rsa_ctx, sig, &len, msg, sizeof msg) == 1;
  }
  if (!ed_ctx) {
    ed_ctx = EVP_MD_CTX_new();
    if (EVP_DigestSignInit(ed_ctx, nullptr, nullptr, nullptr, key) != 1) return false;
  }
  return EVP_DigestSign(ed_ctx, sig, &len, msg, sizeof msg) == 1;
}

bool RawSignPlusHash(EVP_PKEY* key, bool rsa) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(kBody.data(), kBody.size(), md, &len, Sha256Algorithm(), nullptr);  // body hash
  EVP_Digest(kBody.data(), 200, md, &len, Sha256Algorithm(), nullptr);  // header hash
  return RawSign(key, rsa);
}

std::shared_ptr<const KeySet> Load(const std::string& dir, const std::string& name,
                                   const std::string& sel, bool libopendkim = false) {
  std::ofstream(dir + "/keys.conf") << name << " example.com:" << sel << ":" << sel << ".private\n";
  std::ofstream(dir + "/signing.conf") << "example.com " << name << "\n";
  DkimOptions o;
  o.key_table_path = dir + "/keys.conf";
  o.signing_table_path = dir + "/signing.conf";
  o.rsa_with_libopendkim = libopendkim;
  auto k = KeySet::Load(o);
  if (!k.ok()) { std::fprintf(stderr, "%s\n", k.status().ToString().c_str()); std::exit(1); }
  return *k;
}

}  // namespace

int main(int argc, char** argv) {
  double secs = argc > 1 ? std::atof(argv[1]) : 3.0;
  long soak = argc > 2 ? std::atol(argv[2]) : 200000;
  char tmpl[] = "/tmp/sg-dkim-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  for (auto [sel, type] : {std::pair{"rsa2048", KeyType::kRsa}, std::pair{"ed1", KeyType::kEd25519}}) {
    KeygenOptions o{"example.com", sel, type, 2048, dir};
    if (!GenerateKey(o).ok()) return 1;
  }
  auto rsa = Load(dir, "r", "rsa2048");
  auto ed = Load(dir, "e", "ed1");
  auto rsa_lib = Load(dir, "r", "rsa2048", true);
  EVP_PKEY* rsa_key = rsa->KeysFor("example.com")[0]->key.pkey.get();
  EVP_PKEY* ed_key = ed->KeysFor("example.com")[0]->key.pkey.get();
  // The cases run interleaved in short rounds and each keeps its best round,
  // so a busy machine disturbs every case alike instead of one of them.
  std::vector<std::function<bool()>> cases = {
      [&] { return SignOne(rsa); }, [&] { return SignOne(ed); },
      [&] { return SignOne(rsa_lib); }, [&] { return RawSign(rsa_key, true); },
      [&] { return RawSign(ed_key, false); }, [&] { return RawSignPlusHash(rsa_key, true); },
      [&] { return RawSignPlusHash(ed_key, false); }};
  std::vector<double> best(cases.size(), 0);
  int rounds = std::max(1, static_cast<int>(secs / 0.25));
  for (int r = 0; r < rounds; ++r)
    for (size_t c = 0; c < cases.size(); ++c) best[c] = std::max(best[c], Rate(0.25, cases[c]));
  double rsa_rate = best[0], ed_rate = best[1], rsa_lib_rate = best[2], raw_rsa = best[3],
         raw_ed = best[4], rawh_rsa = best[5], rawh_ed = best[6];
  std::printf("body %zu bytes, 5 headers, 1 thread\n", kBody.size());
  std::printf("dkim_sign/s rsa2048: %.0f ed25519: %.0f\n", rsa_rate, ed_rate);
  std::printf("dkim_sign/s rsa2048 via libopendkim: %.0f\n", rsa_lib_rate);
  std::printf("raw sign/s rsa2048: %.0f ed25519: %.0f\n", raw_rsa, raw_ed);
  std::printf("raw + sha256 of message/s rsa2048: %.0f ed25519: %.0f\n", rawh_rsa, rawh_ed);
  std::printf("ratio dkim/(raw+hash) rsa2048: %.2f ed25519: %.2f\n", rsa_rate / rawh_rsa,
              ed_rate / rawh_ed);
  if (soak > 0) {
    for (int i = 0; i < 2000; ++i) SignOne(ed);
    long before = RssKb();
    auto start = Clock::now();
    for (long i = 0; i < soak; ++i) SignOne(ed);
    double t = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("ed25519 soak: RSS %ld kB before, %ld kB after %ld signatures (%.0f/s)\n", before,
                RssKb(), soak, soak / t);
  }
  std::system(("rm -rf '" + dir + "'").c_str());
  return 0;
}
