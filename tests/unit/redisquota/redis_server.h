// A private redis-server for tests: loopback TCP on a free port plus a unix
// socket, both in a temp dir, no persistence. Killed by PID in the destructor
// (and by the kernel if the test process dies: PR_SET_PDEATHSIG).
#ifndef SENDGUARD_TESTS_UNIT_REDISQUOTA_REDIS_SERVER_H_
#define SENDGUARD_TESTS_UNIT_REDISQUOTA_REDIS_SERVER_H_

#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "redisquota/redis_connection.h"

namespace sendguard {
namespace redisquota {
namespace testing {

inline int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

class RedisServer {
 public:
  // `extra` are additional redis-server arguments ("--requirepass", "x").
  explicit RedisServer(std::vector<std::string> extra = {}) : extra_(std::move(extra)) {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/sgredis.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    port_ = FreeLoopbackPort();
    Start();
  }
  ~RedisServer() {
    Kill();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Options that reach this server over TCP (unix socket with `unix`).
  RedisOptions Options(bool unix = false) const {
    RedisOptions o;
    o.port = port_;
    if (unix) o.unix_socket = socket_path();
    o.backoff_min_ms = 50;
    o.backoff_max_ms = 400;
    return o;
  }
  std::string socket_path() const { return dir_ + "/redis.sock"; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

  void Start() {
    std::vector<std::string> args = {
        "redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
        "--unixsocket", socket_path(), "--unixsocketperm", "700", "--save", "",
        "--appendonly", "no", "--dir", dir_, "--logfile", dir_ + "/redis.log",
        "--daemonize", "no"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(126);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv("/usr/bin/redis-server", argv.data());
      _exit(127);
    }
    WaitUntilReady();
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  void Pause() { kill(pid_, SIGSTOP); }
  void Resume() { kill(pid_, SIGCONT); }

  // A direct connection for inspecting keys.
  std::unique_ptr<RedisConnection> Connect(const std::vector<std::string>& auth = {}) const {
    RedisOptions o = Options(true);
    if (auth.size() == 1) o.password = auth[0];
    if (auth.size() == 2) {
      o.username = auth[0];
      o.password = auth[1];
    }
    auto c = RedisConnection::Connect(o, 1000);
    if (!c.ok()) throw std::runtime_error(c.status().ToString());
    return std::move(c).value();
  }

 private:
  void WaitUntilReady() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    RedisOptions o = Options(true);
    while (std::chrono::steady_clock::now() < deadline) {
      auto c = RedisConnection::Connect(o, 200);
      if (c.ok()) {
        auto reply = (*c)->Run({"PING"}, 200);
        // NOAUTH still means the server is up.
        if (reply.ok()) return;
      }
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("redis-server exited at startup (see its log)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Kill();
    throw std::runtime_error("redis-server did not answer within 10 s");
  }

  std::vector<std::string> extra_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace testing
}  // namespace redisquota
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_UNIT_REDISQUOTA_REDIS_SERVER_H_
