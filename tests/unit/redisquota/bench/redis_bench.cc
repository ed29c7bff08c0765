// Micro-benchmark of the Redis quota store on loopback: reserve+commit pairs
// per second from several threads sharing one store (one relay), and the
// network round trips per decision counted by Redis itself (INFO
// commandstats before/after). Starts and stops its own redis-server.
//
// Build by hand (after `make obj/tests/redisquota_test`), one line:
//   g++ -std=c++17 -O2 -Isrc -Itests/unit/redisquota
//     tests/unit/redisquota/bench/redis_bench.cc obj/src/redisquota/*.o
//     obj/src/quota/*.o obj/src/core/*.o -lhiredis -llmdb -lpthread -o obj/redis_bench
// Run: obj/redis_bench [threads=8] [seconds=3] [tcp|unix|sentinel]
// ("sentinel": TCP to the master that a private redis-sentinel names, the
// same work as "tcp", so the two lines compare discovery's cost.)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "redis_server.h"
#include "sentinel_server.h"
#include "redisquota/redis_quota_store.h"

using namespace sendguard;
using namespace sendguard::quota;
using namespace sendguard::redisquota;

namespace {

// Commands clients sent (network round trips): calls of the top-level
// commands in INFO commandstats. Commands run inside scripts (HGETALL...)
// are counted there too, so only the script entry points and PING count.
int64_t CommandsServed(RedisConnection& c) {
  auto reply = c.Run({"INFO", "commandstats"}, 2000);
  if (!reply.ok()) return -1;
  int64_t total = 0;
  size_t pos = 0;
  const std::string& text = reply->text;
  while ((pos = text.find("cmdstat_", pos)) != std::string::npos) {
    size_t calls = text.find("calls=", pos);
    bool not_a_round_trip = text.compare(pos, 16, "cmdstat_evalsha:") != 0 &&
                   text.compare(pos, 13, "cmdstat_eval:") != 0 &&
                   text.compare(pos, 15, "cmdstat_script|") != 0 &&
                   text.compare(pos, 13, "cmdstat_ping:") != 0;
    if (calls == std::string::npos) break;
    int64_t n = std::strtoll(text.c_str() + calls + 6, nullptr, 10);
    if (!not_a_round_trip) total += n;
    pos = calls;
  }
  return total;
}

ReserveRequest Request(uint64_t id, int user) {
  WindowLimit messages;
  messages.limit = 1000000000;
  WindowLimit bytes = messages;
  bytes.metric = Metric::kBytes;
  bytes.limit = int64_t{1} << 45;
  ReserveRequest r;
  r.id = id;
  r.subjects = {{"u:user" + std::to_string(user) + "@example.org", {messages, bytes}},
                {"d:example.org", {messages}}};
  r.delta = {1, 1, 20000};
  r.deadline_seconds = 1800;  // relative to now_seconds = 0: Redis time is used
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 8;
  int seconds = argc > 2 ? std::atoi(argv[2]) : 3;
  testing::RedisServer server;
  std::string mode = argc > 3 ? argv[3] : "tcp";
  RedisOptions o = server.Options(mode == "unix");
  std::unique_ptr<testing::SentinelServer> sentinel;
  if (mode == "sentinel") {
    sentinel = std::make_unique<testing::SentinelServer>(server.port(), "benchmaster");
    o.sentinels = {sentinel->address()};
    o.master_name = "benchmaster";
  }
  o.command_timeout_ms = 1000;
  auto opened = RedisQuotaStore::Open(o);
  if (!opened.ok()) return 1;
  RedisQuotaStore& store = **opened;
  store.WatchFailovers();  // as the daemon runs it
  auto inspect = server.Connect();

  // Warm up: the scripts get loaded (SCRIPT LOAD once per script).
  for (uint64_t id = 1; id <= 10; ++id) {
    ReserveRequest r = Request(id, 0);
    store.Reserve(r);
    store.Commit({r.id, r.subjects, r.delta, 0});
  }

  // Round trips per decision (Reserve), as counted by the server.
  const int kDecisions = 2000;
  int64_t before = CommandsServed(*inspect);
  uint64_t client_before = store.round_trips();
  auto timed = std::chrono::steady_clock::now();
  for (int i = 0; i < kDecisions; ++i) store.Reserve(Request(100000 + i, i % 50));
  double serial_us = std::chrono::duration<double, std::micro>(
                         std::chrono::steady_clock::now() - timed).count() / kDecisions;
  int64_t after = CommandsServed(*inspect);
  if (store.round_trips() - client_before != static_cast<uint64_t>(after - before)) {
    std::fprintf(stderr, "client and server disagree on round trips\n");
    return 1;
  }
  for (int i = 0; i < kDecisions; ++i) {
    ReserveRequest r = Request(100000 + i, i % 50);
    store.Release(r.id, {r.subjects[0].subject, r.subjects[1].subject}, nullptr);
  }
  double per_decision = static_cast<double>(after - before) / kDecisions;

  std::atomic<bool> stop{false};
  std::atomic<int64_t> messages{0}, failures{0};
  before = CommandsServed(*inspect);
  std::vector<std::thread> pool;
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      uint64_t id = 1000000 * static_cast<uint64_t>(t + 1);
      int user = t * 1000;
      while (!stop.load()) {
        ReserveRequest r = Request(++id, user++ % 5000);
        auto outcome = store.Reserve(r);
        if (!outcome.ok() || !outcome->accepted ||
            !store.Commit({r.id, r.subjects, r.delta, 0}).ok()) {
          ++failures;
          continue;
        }
        ++messages;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (std::thread& t : pool) t.join();
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  after = CommandsServed(*inspect);
  double per_message = static_cast<double>(after - before) / static_cast<double>(messages);
  std::printf("quota_redis reserve+commit/s: %.0f  round_trips_per_decision: %.2f  "
              "round_trips_per_message: %.2f  (threads %d, pool %d, failures %lld, "
              "serial reserve %.0f us, %s)\n",
              static_cast<double>(messages) / elapsed, per_decision, per_message, threads,
              o.pool_size, static_cast<long long>(failures.load()), serial_us, mode.c_str());
  return failures.load() == 0 ? 0 : 1;
}
