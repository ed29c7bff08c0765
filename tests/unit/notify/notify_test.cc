// Tests for notify/: the webhook outbox against a real HTTP receiver
// (receiver.py, Python 3's http.server on loopback) and the abuse mail
// through fake sendmail(1) scripts. Cases that need python3 are skipped,
// with the reason, when it is not installed.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "notify/abuse_mail.h"
#include "notify/outbox.h"
#include "notify/signature.h"
#include "../temp_dir.h"

using namespace sendguard;
using namespace sendguard::notify;
namespace fs = std::filesystem;

namespace {

// --- helpers --------------------------------------------------------------

std::string FindInPath(const std::string& program) {
  const char* path = getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = dir + "/" + program;
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

struct PythonInstalled {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(!FindInPath("python3").empty());
    r.message() << "python3 is not installed (it runs the test webhook receiver)";
    return r;
  }
};

std::string ReceiverScript() {
  return (fs::path(__FILE__).parent_path() / "receiver.py").string();
}

bool WaitFor(const std::function<bool()>& condition, int timeout_ms) {
  int64_t deadline = SteadyNowMicros() + timeout_ms * 1000LL;
  while (SteadyNowMicros() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

int64_t MillisSince(int64_t start_us) { return (SteadyNowMicros() - start_us) / 1000; }

// A loopback port nobody listens on (right now).
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof(sin));
  socklen_t len = sizeof(sin);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
  close(fd);
  return ntohs(sin.sin_port);
}

std::string UrlFor(int port) { return "http://127.0.0.1:" + std::to_string(port) + "/hook"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One request as receiver.py recorded it.
struct Request {
  std::map<std::string, std::string> headers;
  std::string body;
  std::string expected_signature;
};

// The webhook receiver, run as a child process for the test's duration.
class Receiver {
 public:
  Receiver(std::vector<std::string> args, int port = 0) {
    std::string port_text = std::to_string(port);
    std::vector<std::string> argv = {FindInPath("python3"), ReceiverScript(), records_.path(),
                                     "--port", port_text};
    argv.insert(argv.end(), args.begin(), args.end());
    Spawn(argv);
  }
  ~Receiver() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  int port() const { return port_; }
  std::string url() const { return UrlFor(port_); }

  std::vector<Request> Requests() const {
    std::vector<Request> out;
    for (int n = 1;; ++n) {
      char base[32];
      snprintf(base, sizeof(base), "/req-%04d", n);
      std::string prefix = records_.path() + base;
      if (!fs::exists(prefix + ".head")) return out;
      out.push_back(ReadRequest(prefix));
    }
  }

 private:
  static Request ReadRequest(const std::string& prefix) {
    Request r;
    std::ifstream head(prefix + ".head");
    for (std::string line; std::getline(head, line);) {
      size_t colon = line.find(": ");
      if (colon != std::string::npos) r.headers[line.substr(0, colon)] = line.substr(colon + 2);
    }
    r.body = ReadFile(prefix + ".body");
    r.expected_signature = ReadFile(prefix + ".sig");
    return r;
  }

  void Spawn(std::vector<std::string> argv) {
    int out[2];
    BOOST_REQUIRE(pipe(out) == 0);
    pid_ = fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;  // the port, then a line break
    char c;
    while (line.size() < 16 && read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    close(out[0]);
    port_ = atoi(line.c_str());
    BOOST_REQUIRE_MESSAGE(port_ > 0, "receiver.py did not start: " << ReceiverScript());
  }

  test::TempDir records_;
  pid_t pid_ = -1;
  int port_ = 0;
};

WebhookOptions FastOptions(const std::string& outbox, const std::string& url) {
  WebhookOptions o;
  o.url = url;
  o.secret = "s3cret-key";
  o.outbox_dir = outbox;
  o.timeout_ms = 2000;
  o.backoff_min_ms = 100;
  o.backoff_max_ms = 400;
  return o;
}

std::unique_ptr<OutboxSender> StartSender(const WebhookOptions& o) {
  Result<std::unique_ptr<OutboxSender>> sender = OutboxSender::Start(o);
  BOOST_REQUIRE_MESSAGE(sender.ok(), sender.status().ToString());
  return std::move(sender).value();
}

size_t FilesIn(const std::string& dir, const std::string& suffix) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name[0] != '.' && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      ++n;
    }
  }
  return n;
}

const Alert kAlert{"20240101T000000-3f2a9c", R"({"event":"compromised","user":"alice"})"};

}  // namespace

// --- signature --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(hmac_sha256_matches_rfc4231_test_case_2) {
  BOOST_TEST(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  BOOST_TEST(SignatureHeaderValue("Jefe", "what do ya want for nothing?").rfind("sha256=5bdc", 0) == 0);
}

// --- outbox -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(alert_is_delivered_signed_with_its_id_and_removed,
                     *boost::unit_test::precondition(PythonInstalled())) {
  test::TempDir outbox;
  WebhookOptions o = FastOptions(outbox.path(), "");
  Receiver receiver({"--secret", o.secret});
  o.url = receiver.url();
  std::unique_ptr<OutboxSender> sender = StartSender(o);
  BOOST_REQUIRE(Enqueue(o, kAlert).ok());
  sender->DeliverNow();
  BOOST_REQUIRE(WaitFor([&] { return sender->stats().delivered == 1; }, 5000));
  std::vector<Request> requests = receiver.Requests();
  BOOST_REQUIRE(requests.size() == 1u);
  const Request& r = requests[0];
  BOOST_TEST(r.body == kAlert.json);
  BOOST_TEST(r.headers.at("content-type") == "application/json");
  BOOST_TEST(r.headers.at("x-sendguard-alert-id") == kAlert.id);
  BOOST_TEST(r.headers.at("x-sendguard-signature") == r.expected_signature);
  BOOST_TEST(sender->stats().pending == 0u);
  BOOST_TEST(FilesIn(outbox.path(), ".alert") == 0u);
}

BOOST_AUTO_TEST_CASE(receiver_down_keeps_the_alert_until_it_is_up_then_delivers_once,
                     *boost::unit_test::precondition(PythonInstalled())) {
  test::TempDir outbox;
  int port = UnusedPort();
  WebhookOptions o = FastOptions(outbox.path(), UrlFor(port));
  std::unique_ptr<OutboxSender> sender = StartSender(o);
  BOOST_REQUIRE(Enqueue(o, kAlert).ok());
  sender->DeliverNow();
  BOOST_REQUIRE(WaitFor([&] { return sender->stats().retried >= 2; }, 5000));
  BOOST_TEST(sender->stats().pending == 1u);
  BOOST_TEST(sender->stats().delivered == 0u);
  Receiver receiver({}, port);
  BOOST_REQUIRE(WaitFor([&] { return sender->stats().delivered == 1; }, 5000));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // several backoff periods
  BOOST_TEST(receiver.Requests().size() == 1u);
  BOOST_TEST(sender->stats().pending == 0u);
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_until_a_2xx,
                     *boost::unit_test::precondition(PythonInstalled())) {
  test::TempDir outbox;
  Receiver receiver({"--fail", "2", "--fail-code", "500"});
  WebhookOptions o = FastOptions(outbox.path(), receiver.url());
  std::unique_ptr<OutboxSender> sender = StartSender(o);
  BOOST_REQUIRE(Enqueue(o, kAlert).ok());
  sender->DeliverNow();
  BOOST_REQUIRE(WaitFor([&] { return sender->stats().delivered == 1; }, 5000));
  BOOST_TEST(sender->stats().retried == 2u);
  std::vector<Request> requests = receiver.Requests();
  BOOST_REQUIRE(requests.size() == 3u);
  for (const Request& r : requests) {
    BOOST_TEST(r.body == kAlert.json);
    BOOST_TEST(r.headers.at("x-sendguard-alert-id") == kAlert.id);
  }
}

BOOST_AUTO_TEST_CASE(too_many_requests_is_retried_not_failed,
                     *boost::unit_test::precondition(PythonInstalled())) {
  test::TempDir outbox;
  Receiver receiver({"--fail", "1", "--fail-code", "429"});
  WebhookOptions o = FastOptions(outbox.path(), receiver.url());
  std::unique_ptr<OutboxSender> sender = StartSender(o);
  BOOST_REQUIRE(Enqueue(o, kAlert).ok());
  sender->DeliverNow();
  BOOST_REQUIRE(WaitFor([&] { return sender->stats().delivered == 1; }, 5000));
  BOOST_TEST(sender->stats().retried == 1u);
  BOOST_TEST(sender->stats().failed == 0u);
}

BOOST_AUTO_TEST_CASE(client_error_moves_the_alert_to_failed,
                     *boost::unit_test::precondition(PythonInstalled())) {
  test::TempDir outbox;
  Receiver receiver({"--fail", "1000", "--fail-code", "400"});
  WebhookOptions o = FastOptions(outbox.path(), receiver.url());
  std::unique_ptr<OutboxSender> sender = StartSender(o);
  BOOST_REQUIRE(Enqueue(o, kAlert).ok());
  sender->DeliverNow();
  BOOST_REQUIRE(WaitFor([&] { return sender->stats().failed == 1; }, 5000));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // no retry may follow
  BOOST_TEST(receiver.Requests().size() == 1u);
  BOOST_TEST(sender->stats().retried == 0u);
  BOOST_TEST(sender->stats().pending == 0u);
  std::string failed = outbox.path() + "/failed";
  BOOST_REQUIRE(FilesIn(failed, ".alert") == 1u);
  for (const auto& e : fs::directory_iterator(failed)) BOOST_TEST(ReadFile(e.path()) == kAlert.json);
}

BOOST_AUTO_TEST_CASE(outbox_survives_a_new_sender_and_allows_one_sender_at_a_time,
                     *boost::unit_test::precondition(PythonInstalled())) {
  test::TempDir outbox;
  int port = UnusedPort();
  WebhookOptions o = FastOptions(outbox.path(), UrlFor(port));
  {
    std::unique_ptr<OutboxSender> first = StartSender(o);
    Result<std::unique_ptr<OutboxSender>> second = OutboxSender::Start(o);
    BOOST_TEST(!second.ok());
    BOOST_TEST(second.status().IsUnavailable());
    BOOST_REQUIRE(Enqueue(o, kAlert).ok());
    first->DeliverNow();
    BOOST_REQUIRE(WaitFor([&] { return first->stats().retried >= 1; }, 5000));
  }  // the daemon stops with the alert undelivered
  BOOST_TEST(FilesIn(outbox.path(), ".alert") == 1u);
  Receiver receiver({}, port);
  std::unique_ptr<OutboxSender> restarted = StartSender(o);
  BOOST_REQUIRE(WaitFor([&] { return restarted->stats().delivered == 1; }, 5000));
  BOOST_TEST(receiver.Requests().size() == 1u);
  BOOST_TEST(FilesIn(outbox.path(), ".alert") == 0u);
}

BOOST_AUTO_TEST_CASE(full_outbox_refuses_and_counts) {
  test::TempDir outbox;
  WebhookOptions o = FastOptions(outbox.path(), UrlFor(UnusedPort()));  // nobody answers
  o.max_pending = 2;
  o.backoff_min_ms = o.backoff_max_ms = 60000;
  std::unique_ptr<OutboxSender> sender = StartSender(o);
  BOOST_REQUIRE(Enqueue(o, {"a1", "{}"}).ok());
  BOOST_REQUIRE(Enqueue(o, {"a2", "{}"}).ok());
  Status refused = Enqueue(o, {"a3", "{}"});
  BOOST_TEST(!refused.ok());
  BOOST_TEST(refused.IsUnavailable());
  BOOST_TEST(refused.message().find("full") != std::string::npos);
  BOOST_TEST(Enqueue(o, {"a1", "{}"}).ok());  // already queued: idempotent, not refused
  BOOST_TEST(sender->stats().refused_full == 1u);
  BOOST_TEST(sender->stats().pending == 2u);
  BOOST_TEST(FilesIn(outbox.path(), ".alert") == 2u);
}

BOOST_AUTO_TEST_CASE(enqueue_rejects_ids_that_are_not_file_name_safe) {
  test::TempDir outbox;
  WebhookOptions o = FastOptions(outbox.path(), "http://127.0.0.1:1/");
  BOOST_TEST((Enqueue(o, {"../escape", "{}"}).code() == Status::Code::kInvalidArgument));
  BOOST_TEST((Enqueue(o, {"", "{}"}).code() == Status::Code::kInvalidArgument));
  BOOST_TEST((Enqueue(o, {"has.dot", "{}"}).code() == Status::Code::kInvalidArgument));
  BOOST_TEST(RetryDelayMs(o, 1) == 100);
  BOOST_TEST(RetryDelayMs(o, 3) == 400);
  BOOST_TEST(RetryDelayMs(o, 50) == 400);
}

// A listening socket that never accepts: connect succeeds, no answer ever
// comes — a blackhole on loopback, so no packet leaves the machine.
BOOST_AUTO_TEST_CASE(blackhole_receiver_never_blocks_enqueue_and_the_sender_stops_promptly) {
  int hole = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(bind(hole, reinterpret_cast<sockaddr*>(&sin), sizeof(sin)) == 0);
  BOOST_REQUIRE(listen(hole, 16) == 0);
  socklen_t len = sizeof(sin);
  getsockname(hole, reinterpret_cast<sockaddr*>(&sin), &len);
  test::TempDir outbox;
  WebhookOptions o = FastOptions(outbox.path(), UrlFor(ntohs(sin.sin_port)));
  o.timeout_ms = 1000;
  o.backoff_min_ms = o.backoff_max_ms = 60000;
  {
    std::unique_ptr<OutboxSender> sender = StartSender(o);
    int64_t start = SteadyNowMicros();
    BOOST_REQUIRE(Enqueue(o, kAlert).ok());
    sender->DeliverNow();
    BOOST_REQUIRE(Enqueue(o, {"second", "{}"}).ok());
    BOOST_TEST(MillisSince(start) < 300);  // file writes only, however dead the receiver
    BOOST_REQUIRE(WaitFor([&] { return sender->stats().retried >= 1; }, o.timeout_ms + 1500));
    BOOST_TEST(MillisSince(start) >= o.timeout_ms - 50);  // the POST really waited...
    BOOST_TEST(MillisSince(start) < o.timeout_ms + 1000);  // ...and no longer than timeout_ms
  }
  o.timeout_ms = 10000;
  o.backoff_min_ms = o.backoff_max_ms = 100;
  std::unique_ptr<OutboxSender> sender = StartSender(o);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a POST is hanging now
  int64_t start = SteadyNowMicros();
  sender.reset();
  BOOST_TEST(MillisSince(start) < 1500);  // well before the 10 s timeout
  BOOST_TEST(FilesIn(outbox.path(), ".alert") == 2u);  // nothing lost
  close(hole);
}

// --- abuse mail -------------------------------------------------------------

namespace {

// A fake sendmail(1) that records its argv (one per line) and stdin.
std::string FakeSendmail(const test::TempDir& dir, const std::string& tail) {
  std::string path = dir.Write("sendmail",
                               "#!/bin/sh\n"
                               "printf '%s\\n' \"$@\" > " + dir.path() + "/argv\n"
                               "cat > " + dir.path() + "/stdin\n" + tail);
  chmod(path.c_str(), 0755);
  return path;
}

MailOptions MailTo(const std::string& sendmail) {
  MailOptions m;
  m.sendmail = sendmail;
  m.from = "sendguard@relay.example.net";
  m.to = {"abuse@isp.example", "noc@isp.example"};
  return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(abuse_mail_is_piped_to_sendmail_with_its_headers) {
  test::TempDir dir;
  MailOptions m = MailTo(FakeSendmail(dir, "exit 0\n"));
  Status s = SendAbuseMail(m, "Compromised account: alice\r\nBcc: victim@x.example",
                           "alice sent 900 mails in 5 min\r\nfrom 3 countries");
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_TEST(ReadFile(dir.path() + "/argv") ==
             "-oi\n-f\nsendguard@relay.example.net\n--\nabuse@isp.example\nnoc@isp.example\n");
  std::string msg = ReadFile(dir.path() + "/stdin");
  std::string head = msg.substr(0, msg.find("\n\n") + 1);
  BOOST_TEST(head.find("From: sendguard@relay.example.net\n") != std::string::npos);
  BOOST_TEST(head.find("To: abuse@isp.example, noc@isp.example\n") != std::string::npos);
  BOOST_TEST(head.find("Subject: Compromised account: alice  Bcc: victim@x.example\n") != std::string::npos);
  BOOST_TEST(head.find("\nBcc:") == std::string::npos);  // no header injection
  BOOST_TEST(head.find("\nDate: ") != std::string::npos);
  BOOST_TEST(head.find("@relay.example.net>\n") != std::string::npos);  // Message-ID
  BOOST_TEST(head.find("\nAuto-Submitted: auto-generated\n") != std::string::npos);
  BOOST_TEST(head.find("\nX-Sendguard-Alert: yes\n") != std::string::npos);
  BOOST_TEST(msg.substr(head.size() + 1) == "alice sent 900 mails in 5 min\nfrom 3 countries\n");
}

BOOST_AUTO_TEST_CASE(failing_sendmail_gives_an_error_naming_its_exit_code_and_stderr) {
  test::TempDir dir;
  MailOptions m = MailTo(FakeSendmail(dir, "echo 'queue file write error' >&2\nexit 75\n"));
  Status s = SendAbuseMail(m, "subject", "body");
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.IsUnavailable());
  BOOST_TEST(s.message().find("exited with status 75") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("queue file write error") != std::string::npos, s.message());
  BOOST_TEST(!SendAbuseMail(MailTo(dir.path() + "/no-such-sendmail"), "s", "b").ok());
}

BOOST_AUTO_TEST_CASE(hung_sendmail_is_killed_at_the_timeout) {
  test::TempDir dir;
  MailOptions m = MailTo(FakeSendmail(dir, "exec sleep 30\n"));
  m.timeout_ms = 300;
  int64_t start = SteadyNowMicros();
  Status s = SendAbuseMail(m, "subject", "body");
  BOOST_TEST(MillisSince(start) < 2000);
  BOOST_TEST(s.IsUnavailable());
  BOOST_TEST(s.message().find("killed after 300 ms") != std::string::npos, s.message());
}

BOOST_AUTO_TEST_CASE(abuse_message_has_an_rfc5322_date_and_encodes_a_utf8_subject) {
  MailOptions m = MailTo("/bin/true");
  std::string msg = BuildAbuseMessage(m, "Konto übernommen", "x", 1700000000LL * 1000000, "id@h");
  BOOST_TEST(msg.find("\nDate: Tue, 14 Nov 2023 22:13:20 +0000\n") != std::string::npos);
  BOOST_TEST(msg.find("\nSubject: =?UTF-8?B?S29udG8gw7xiZXJub21tZW4=?=\n") != std::string::npos);
  BOOST_TEST(msg.find("\nMessage-ID: <id@h>\n") != std::string::npos);
  std::string long_subject;
  for (int i = 0; i < 30; ++i) long_subject += "\xc3\xbc";  // 30 x u-umlaut, 60 bytes
  std::string folded = BuildAbuseMessage(m, long_subject, "x", 0, "id@h");
  std::string six = "w7zDvMO8";  // base64 of three u-umlauts
  // 45-byte words would split a character: 44 bytes, then the last 16.
  BOOST_TEST(folded.find("\nSubject: =?UTF-8?B?" + six + six + six + six + six + six + six +
                         "w7w=?=\n =?UTF-8?B?" + six + six + "w7zDvA==?=\n") != std::string::npos,
             folded);
  m.to = {"-oQ/tmp"};
  BOOST_TEST((SendAbuseMail(m, "s", "b").code() == Status::Code::kInvalidArgument));
}
