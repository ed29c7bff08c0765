// quota_bench — micro-benchmark of the embedded quota store: reserve+commit
// pairs per second on one core (one message, one recipient, for 1,000 users
// in turn, each with 3 windowed limits plus a domain limit).
//
//   quota_bench [STATE_DIR] [SECONDS]
// Prints one line: "quota_embedded reserve+commit/s: N", N per second of CPU
// time of the (single) benchmark thread, so that a busy machine does not
// distort the per-core figure; the wall-clock rate goes to stderr.
// Exit 1 on store error.
#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "../quota_test_util.h"
#include "quota/lmdb_quota_store.h"

using namespace sendguard::quota;

using sendguard::quota::testing::Limit;

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  std::string dir;
  bool temporary = argc < 2;
  if (temporary) {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/sgqbench.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) return 1;
    dir = tmpl;
  } else {
    dir = argv[1];
  }
  double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  auto store = LmdbQuotaStore::Open(dir, LmdbStoreOptions());
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  std::vector<WindowLimit> user_limits = {Limit(Metric::kMessages, 1LL << 40, 3600),
                                          Limit(Metric::kRecipients, 1LL << 40, 86400),
                                          Limit(Metric::kBytes, 1LL << 40, 86400)};
  std::vector<WindowLimit> domain_limits = {Limit(Metric::kMessages, 1LL << 40, 3600)};
  int64_t now = 1700000000;
  uint64_t pairs = 0;
  auto start = std::chrono::steady_clock::now();
  double cpu_start = ThreadCpuSeconds();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (elapsed() < seconds) {
    for (int batch = 0; batch < 1000; ++batch, ++pairs) {
      std::string user = "u:user" + std::to_string(pairs % 1000) + "@example.org";
      ReserveRequest r;
      r.id = pairs + 1;
      r.subjects = {{user, user_limits}, {"d:example.org", domain_limits}};
      r.delta.messages = 1;
      r.delta.recipients = 1;
      r.now_seconds = now + static_cast<int64_t>(pairs / 20000);  // time moves on
      r.deadline_seconds = r.now_seconds + 1800;
      auto outcome = (*store)->Reserve(r);
      if (!outcome.ok() || !outcome->accepted) {
        std::fprintf(stderr, "reserve failed\n");
        return 1;
      }
      if (!(*store)->Commit({r.id, r.subjects, r.delta, r.now_seconds}).ok()) return 1;
    }
  }
  double wall = elapsed(), cpu = ThreadCpuSeconds() - cpu_start;
  std::fprintf(stderr, "quota_bench: %llu pairs, %.2f s wall (%.0f/s), %.2f s CPU\n",
               static_cast<unsigned long long>(pairs), wall, pairs / wall, cpu);
  std::printf("quota_embedded reserve+commit/s: %.0f\n", pairs / cpu);
  store->reset();
  if (temporary) std::filesystem::remove_all(dir);
  return 0;
}
