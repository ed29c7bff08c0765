// A private Redis Sentinel for tests: loopback TCP on a free port, config
// file and log in a temp dir, monitoring one master under a given name with
// short timers (down-after 1000 ms, failover-timeout 3000 ms). A sentinel
// that sees its timer stall for 2 s (a loaded machine) enters TILT mode and
// does nothing for 30 s: waits for a failover allow for that
// (kFailoverWaitSeconds). Killed by PID in the destructor (and by the
// kernel if the test process dies). Also: a replica helper and polling helpers shared by the Sentinel tests.
#ifndef SENDGUARD_TESTS_UNIT_REDISQUOTA_SENTINEL_SERVER_H_
#define SENDGUARD_TESTS_UNIT_REDISQUOTA_SENTINEL_SERVER_H_

#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "redis_server.h"
#include "redisquota/sentinel_locator.h"

namespace sendguard {
namespace redisquota {
namespace testing {

class SentinelServer {
 public:
  // `extra` lines are appended to the sentinel's config ("requirepass x").
  SentinelServer(int master_port, const std::string& name, std::vector<std::string> extra = {})
      : name_(name) {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/sgsentinel.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    port_ = FreeLoopbackPort();
    std::ofstream conf(dir_ + "/sentinel.conf");
    conf << "port " << port_ << "\nbind 127.0.0.1\ndaemonize no\ndir " << dir_ << "\nlogfile "
         << dir_ << "/sentinel.log\nsentinel monitor " << name << " 127.0.0.1 " << master_port
         << " 1\nsentinel down-after-milliseconds " << name << " 1000\n"
         << "sentinel failover-timeout " << name << " 3000\n";
    for (const std::string& line : extra) conf << line << "\n";
    conf.close();
    Start();
  }
  ~SentinelServer() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int status;
      waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  SentinelServer(const SentinelServer&) = delete;
  SentinelServer& operator=(const SentinelServer&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  // One command to this sentinel (AUTH first when `password` is set).
  Result<RedisReply> Run(const std::vector<std::string>& argv, const std::string& password = "") {
    RedisOptions o;
    o.port = port_;
    o.password = password;
    auto c = RedisConnection::Connect(o, 1000);
    if (!c.ok()) return c.status();
    return (*c)->Run(argv, 2000);
  }
  // The last `lines` lines of the sentinel's log (why it did or did not
  // fail over: +sdown, +odown, +tilt, -failover-abort-...).
  std::string LogTail(size_t lines = 30) const {
    std::ifstream log(dir_ + "/sentinel.log");
    std::vector<std::string> all;
    for (std::string line; std::getline(log, line);) all.push_back(line);
    std::string tail;
    for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) tail += all[i] + "\n";
    return tail;
  }
  // The master's address this sentinel gives now ("" if none).
  std::string MasterAddress(const std::string& password = "") {
    auto reply = Run({"SENTINEL", "get-master-addr-by-name", name_}, password);
    if (!reply.ok()) return "";
    auto parsed = ParseMasterAddrReply(*reply);
    return parsed.ok() ? parsed->ToString() : "";
  }

 private:
  void Start() {
    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(126);
      std::string conf = dir_ + "/sentinel.conf";
      execl("/usr/bin/redis-server", "redis-server", conf.c_str(), "--sentinel",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      RedisOptions o;
      o.port = port_;
      auto c = RedisConnection::Connect(o, 200);
      if (c.ok() && (*c)->Run({"PING"}, 200).ok()) return;  // NOAUTH is up too
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("redis-sentinel exited at startup (see its log)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("redis-sentinel did not answer within 10 s");
  }

  std::string name_, dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Long enough for one TILT period (30 s) and a failover after it.
constexpr int kFailoverWaitSeconds = 45;

// Polls `done` every 20 ms for up to `seconds`; true when it held.
inline bool WaitFor(const std::function<bool()>& done, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// A field of INFO replication ("role", "master_link_status"...), "" if absent.
inline std::string ReplicationField(const RedisServer& server, const std::string& field) {
  auto reply = server.Connect()->Run({"INFO", "replication"}, 1000);
  if (!reply.ok()) return "";
  size_t at = reply->text.find(field + ":");
  if (at == std::string::npos) return "";
  size_t begin = at + field.size() + 1;
  return reply->text.substr(begin, reply->text.find('\r', begin) - begin);
}

// A replica of `master`, started and in sync.
inline std::unique_ptr<RedisServer> StartReplica(const RedisServer& master) {
  auto replica = std::make_unique<RedisServer>(
      std::vector<std::string>{"--replicaof", "127.0.0.1", std::to_string(master.port()),
                               "--repl-diskless-sync-delay", "0"});
  RedisServer& r = *replica;
  if (!WaitFor([&r] { return ReplicationField(r, "master_link_status") == "up"; }, 10)) {
    throw std::runtime_error("replica did not sync with its master");
  }
  return replica;
}

}  // namespace testing
}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_UNIT_REDISQUOTA_SENTINEL_SERVER_H_
