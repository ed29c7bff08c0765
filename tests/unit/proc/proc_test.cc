// Tests for proc/: listen sockets, the fd-passing channel, the control
// socket and crash-loop backoff.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "core/clock.h"
#include "proc/channel.h"
#include "proc/control_socket.h"
#include "proc/listen_socket.h"
#include "proc/privileges.h"
#include "proc/restart_backoff.h"
#include "../temp_dir.h"

using namespace sendguard;
using namespace sendguard::proc;

namespace {

bool ConnectUnix(const std::string& path) {
  sockaddr_un sun;
  memset(&sun, 0, sizeof(sun));
  sun.sun_family = AF_UNIX;
  strncpy(sun.sun_path, path.c_str(), sizeof(sun.sun_path) - 1);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun)) == 0;
  close(fd);
  return ok;
}

constexpr int64_t kSecond = 1000000;

}  // namespace

BOOST_AUTO_TEST_CASE(unix_listen_socket_gets_mode_and_refuses_a_live_one) {
  test::TempDir dir;
  std::string path = dir.path() + "/s.sock";
  SocketOwnership own;
  own.mode = 0620;
  Result<ListenSocket> s = OpenListenSocket("unix:" + path, 16, own);
  BOOST_REQUIRE(s.ok());
  struct stat st;
  BOOST_REQUIRE(stat(path.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0620);
  BOOST_TEST(s->family == AF_UNIX);
  BOOST_TEST((fcntl(s->fd, F_GETFL) & O_NONBLOCK) != 0);
  BOOST_TEST((fcntl(s->fd, F_GETFD) & FD_CLOEXEC) != 0);
  BOOST_TEST(ConnectUnix(path));
  Result<ListenSocket> again = OpenListenSocket("local:" + path, 16, own);
  BOOST_TEST(!again.ok());
  BOOST_TEST(again.status().message().find("in use") != std::string::npos);
  ListenSocket copy = *s;
  CloseListenSocket(&copy);
  BOOST_TEST(access(path.c_str(), F_OK) != 0);
}

BOOST_AUTO_TEST_CASE(stale_unix_socket_file_is_replaced) {
  test::TempDir dir;
  std::string path = dir.path() + "/s.sock";
  Result<ListenSocket> first = OpenListenSocket("unix:" + path, 4, {});
  BOOST_REQUIRE(first.ok());
  close(first->fd);  // a filter that died: the file stays, nobody answers
  Result<ListenSocket> second = OpenListenSocket("unix:" + path, 4, {});
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(ConnectUnix(path));
  ListenSocket owned = *second;
  CloseListenSocket(&owned);
}

BOOST_AUTO_TEST_CASE(tcp_listen_socket_has_nodelay) {
  Result<ListenSocket> s = OpenListenSocket("inet:0@127.0.0.1", 4, {});
  BOOST_REQUIRE(s.ok());
  int one = 0;
  socklen_t len = sizeof(one);
  BOOST_REQUIRE(getsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, &len) == 0);
  BOOST_TEST(one != 0);
  BOOST_TEST(s->family == AF_INET);
  ListenSocket owned = *s;
  CloseListenSocket(&owned);
}

BOOST_AUTO_TEST_CASE(bad_socket_specs_are_named) {
  for (const char* spec : {"tcp:25", "inet:x@127.0.0.1", "inet:25@no.such.host.invalid", "unix:"}) {
    Result<ListenSocket> s = OpenListenSocket(spec, 4, {});
    BOOST_TEST(!s.ok(), spec);
    if (!s.ok()) BOOST_TEST(s.status().message().find(spec) != std::string::npos, s.status().message());
  }
}

BOOST_AUTO_TEST_CASE(policy_socket_specs_in_postfix_spelling) {
  BOOST_CHECK_EQUAL(*PolicySocketSpec("inet:127.0.0.1:10040"), "inet:10040@127.0.0.1");
  BOOST_CHECK_EQUAL(*PolicySocketSpec("inet:[::1]:10040"), "inet6:10040@::1");
  BOOST_CHECK_EQUAL(*PolicySocketSpec("unix:/run/sg/policy"), "unix:/run/sg/policy");
  BOOST_CHECK(!PolicySocketSpec("inet:10040").ok());
  BOOST_CHECK(!PolicySocketSpec("tcp:1.2.3.4:5").ok());
}

BOOST_AUTO_TEST_CASE(channel_carries_text_and_a_descriptor) {
  int ends[2];
  BOOST_REQUIRE(MakeChannel(ends).ok());
  int pipe_fds[2];
  BOOST_REQUIRE(pipe(pipe_fds) == 0);
  BOOST_REQUIRE(SendMessage(ends[0], "here is a pipe", pipe_fds[1]).ok());
  close(pipe_fds[1]);
  Result<ChannelMessage> m = ReceiveMessage(ends[1], SteadyNowMicros() + kSecond);
  BOOST_REQUIRE(m.ok());
  BOOST_TEST(m->text == "here is a pipe");
  BOOST_REQUIRE(m->fd >= 0);
  BOOST_TEST((fcntl(m->fd, F_GETFD) & FD_CLOEXEC) != 0);
  BOOST_REQUIRE(write(m->fd, "x", 1) == 1);  // the received end is the pipe's
  char c = 0;
  BOOST_REQUIRE(read(pipe_fds[0], &c, 1) == 1);
  BOOST_TEST(c == 'x');
  close(m->fd);
  close(pipe_fds[0]);
  BOOST_REQUIRE(SendMessage(ends[0], "one").ok());
  BOOST_REQUIRE(SendMessage(ends[0], "two").ok());
  BOOST_TEST(ReceiveMessage(ends[1], -1)->text == "one");  // boundaries kept
  BOOST_TEST(ReceiveMessage(ends[1], -1)->text == "two");
  close(ends[0]);
  close(ends[1]);
}

BOOST_AUTO_TEST_CASE(channel_times_out_and_sees_the_peer_go) {
  int ends[2];
  BOOST_REQUIRE(MakeChannel(ends).ok());
  Result<ChannelMessage> none = ReceiveMessage(ends[1], SteadyNowMicros() + 50000);
  BOOST_TEST(none.status().IsUnavailable());
  close(ends[0]);
  Result<ChannelMessage> gone = ReceiveMessage(ends[1], SteadyNowMicros() + kSecond);
  BOOST_TEST((gone.status().code() == Status::Code::kIoError));
  BOOST_TEST(!SendMessage(ends[1], "anyone?").ok());
  BOOST_TEST(!SendMessage(ends[1], std::string(kMaxChannelMessage + 1, 'x')).ok());
  close(ends[1]);
}

BOOST_AUTO_TEST_CASE(control_socket_request_and_answer) {
  test::TempDir dir;
  std::string path = dir.path() + "/ctl";
  Result<int> listener = OpenControlSocket(path);
  BOOST_REQUIRE(listener.ok());
  struct stat st;
  BOOST_REQUIRE(stat(path.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600);
  std::thread server([&] {
    int client = -1;
    while (client < 0) client = accept(*listener, nullptr, nullptr);
    Result<std::string> request = ReadControlRequest(client);
    AnswerControl(client, request.ok() && *request == "status" ? "workers: 2\nok\n" : "error what?\n");
  });
  Result<std::string> answer = RequestControl(path, "status", 5);
  server.join();
  BOOST_REQUIRE(answer.ok());
  BOOST_TEST(*answer == "workers: 2\nok\n");
  BOOST_TEST(ControlAnswerOk(*answer));
  BOOST_TEST(!ControlAnswerOk("ok at first\nerror file.cf:3: bad\n"));
  BOOST_TEST(!ControlAnswerOk(""));
  close(*listener);
  Result<std::string> nobody = RequestControl(path, "status", 1);
  BOOST_TEST(!nobody.ok());
  BOOST_TEST(nobody.status().message().find(path) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(occasional_deaths_restart_at_once_a_crash_loop_backs_off) {
  RestartBackoff b;
  int64_t t = 1000 * kSecond;
  BOOST_TEST(b.OnDeath(t) == 0);
  BOOST_TEST(b.OnDeath(t + 40 * kSecond) == 0);  // the first is out of the window
  BOOST_TEST(!b.InCrashLoop(t + 40 * kSecond));
  BOOST_TEST(b.OnDeath(t + 41 * kSecond) == 0);
  BOOST_TEST(b.OnDeath(t + 42 * kSecond) == 1 * kSecond);  // third in 30 s
  BOOST_TEST(b.InCrashLoop(t + 42 * kSecond));
  BOOST_TEST(b.OnDeath(t + 43 * kSecond) == 2 * kSecond);
  BOOST_TEST(b.OnDeath(t + 45 * kSecond) == 4 * kSecond);
  for (int i = 0; i < 10; ++i) b.OnDeath(t + 46 * kSecond + i);
  BOOST_TEST(b.OnDeath(t + 47 * kSecond) == RestartBackoff::kMaxDelay);
  BOOST_TEST(!b.InCrashLoop(t + 100 * kSecond));  // quiet for a window: over
  BOOST_TEST(b.OnDeath(t + 100 * kSecond) == 0);
}

BOOST_AUTO_TEST_CASE(accounts) {
  BOOST_TEST(LookupAccount("").ok());
  BOOST_TEST(LookupAccount("")->name.empty());
  BOOST_TEST(BecomeAccount(Account{}).ok());  // empty: keep who we are
  Result<Account> missing = LookupAccount("no-such-user-sendguard");
  BOOST_TEST(!missing.ok());
  BOOST_TEST(missing.status().message().find("no-such-user-sendguard") != std::string::npos);
  Result<Account> root = LookupAccount("root");
  BOOST_REQUIRE(root.ok());
  BOOST_TEST(root->uid == 0u);
}
