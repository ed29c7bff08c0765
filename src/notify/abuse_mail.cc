// notify/abuse_mail.cc — build the abuse mail, run sendmail(1) with it on
// stdin (a socketpair, so a sendmail that dies early gives EPIPE and not
// SIGPIPE), collect its stderr, and kill it at the deadline.
#include "notify/abuse_mail.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/child.h"
#include "core/clock.h"

namespace sendguard::notify {
namespace {

constexpr size_t kMaxStderrKept = 512;
constexpr int kPollSliceMs = 20;

// --- the message --------------------------------------------------------

std::string Base64(const std::string& in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < in.size() ? kAlphabet[n & 63] : '=');
  }
  return out;
}

std::string OneLine(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

bool IsPrintableAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// RFC 2047 "B" encoded words of at most 45 bytes (75 characters each),
// never splitting a UTF-8 sequence, folded onto continuation lines.
std::string EncodeHeaderText(const std::string& text) {
  if (IsPrintableAscii(text)) return text;
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + 45);
    while (end < text.size() && end > start + 1 && (text[end] & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string Rfc5322Date(int64_t now_micros) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t t = static_cast<time_t>(now_micros / 1000000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
           tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string Join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// CRLF and lone CR become LF; the body ends with a line break.
std::string NormalizeBody(const std::string& body) {
  std::string out;
  out.reserve(body.size() + 1);
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
    } else {
      out.push_back(body[i]);
    }
  }
  if (out.empty() || out.back() != '\n') out.push_back('\n');
  return out;
}

std::string DomainOf(const std::string& address) {
  size_t at = address.rfind('@');
  return at == std::string::npos || at + 1 == address.size() ? "localhost" : address.substr(at + 1);
}

std::string NewMessageId(const std::string& from, int64_t now_micros) {
  unsigned char random[8] = {0};
  if (getrandom(random, sizeof(random), 0) != static_cast<ssize_t>(sizeof(random))) {
    memcpy(random, &now_micros, sizeof(random));
  }
  char hex[17];
  for (int i = 0; i < 8; ++i) snprintf(hex + 2 * i, 3, "%02x", random[i]);
  return std::to_string(now_micros) + "." + std::to_string(getpid()) + "." + hex +
         ".sendguard@" + DomainOf(from);
}

Status CheckAddress(const std::string& address, const char* role) {
  bool bad = address.empty() || address[0] == '-' ||
             std::any_of(address.begin(), address.end(), [](char c) {
               return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == ',' ||
                      c == '<' || c == '>';
             });
  if (bad) return Status::InvalidArgument(std::string("abuse mail: bad ") + role + " address '" +
                                          address + "'");
  return Status::Ok();
}

Status CheckMailOptions(const MailOptions& o) {
  if (o.sendmail.empty()) return Status::InvalidArgument("abuse mail: no sendmail path");
  if (o.to.empty()) return Status::InvalidArgument("abuse mail: no recipient");
  if (o.timeout_ms <= 0) return Status::InvalidArgument("abuse mail: timeout_ms must be > 0");
  Status s = CheckAddress(o.from, "sender");
  for (const std::string& to : o.to) {
    if (s.ok()) s = CheckAddress(to, "recipient");
  }
  return s;
}

// --- the child ----------------------------------------------------------

struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;   // our end of its stdin (a socket)
  int stderr_fd = -1;  // our end of its stdout + stderr (a pipe)
};

std::vector<std::string> SendmailArgv(const MailOptions& o) {
  std::vector<std::string> argv = {o.sendmail};
  argv.insert(argv.end(), o.sendmail_args.begin(), o.sendmail_args.end());
  argv.insert(argv.end(), {"-oi", "-f", o.from, "--"});
  argv.insert(argv.end(), o.to.begin(), o.to.end());
  return argv;
}

// In the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void ExecSendmail(int stdin_fd, int stderr_fd, char* const argv[]) {
  ResetSignalsInChild();
  dup2(stdin_fd, 0);
  dup2(stderr_fd, 1);
  dup2(stderr_fd, 2);
  close_range(3, ~0U, 0);
  execv(argv[0], argv);
  static const char kMessage[] = "cannot execute sendmail\n";
  ssize_t ignored = write(2, kMessage, sizeof(kMessage) - 1);
  (void)ignored;
  _exit(127);
}

Result<Child> SpawnSendmail(const MailOptions& o) {
  std::vector<std::string> args = SendmailArgv(o);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int in[2], err[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    return Status::IoError(std::string("abuse mail: socketpair: ") + strerror(errno));
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    Status s = Status::IoError(std::string("abuse mail: pipe: ") + strerror(errno));
    close(in[0]);
    close(in[1]);
    return s;
  }
  pid_t pid = fork();
  if (pid == 0) ExecSendmail(in[1], err[1], argv.data());
  close(in[1]);
  close(err[1]);
  if (pid < 0) {
    Status s = Status::IoError(std::string("abuse mail: fork: ") + strerror(errno));
    close(in[0]);
    close(err[0]);
    return s;
  }
  fcntl(in[0], F_SETFL, O_NONBLOCK);
  fcntl(err[0], F_SETFL, O_NONBLOCK);
  return Child{pid, in[0], err[0]};
}

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// Sends what the socket takes now; closes it when all is sent or sendmail
// stopped reading (EPIPE: its exit status will say why).
void FeedStdin(Child* child, const std::string& message, size_t* sent) {
  ssize_t n = send(child->stdin_fd, message.data() + *sent, message.size() - *sent, MSG_NOSIGNAL);
  if (n > 0) *sent += static_cast<size_t>(n);
  bool blocked = n < 0 && (errno == EAGAIN || errno == EINTR);
  if (*sent == message.size() || (n < 0 && !blocked)) CloseFd(&child->stdin_fd);
}

// Reads what is there; closes the pipe at EOF.
void DrainStderr(Child* child, std::string* kept) {
  char buf[1024];
  for (;;) {
    ssize_t n = read(child->stderr_fd, buf, sizeof(buf));
    if (n > 0) {
      kept->append(buf, std::min(static_cast<size_t>(n), kMaxStderrKept - std::min(kMaxStderrKept, kept->size())));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || errno != EAGAIN) CloseFd(&child->stderr_fd);
    return;
  }
}

void WaitForIo(const Child& child, int timeout_ms) {
  pollfd fds[2];
  nfds_t count = 0;
  if (child.stdin_fd >= 0) fds[count++] = {child.stdin_fd, POLLOUT, 0};
  if (child.stderr_fd >= 0) fds[count++] = {child.stderr_fd, POLLIN, 0};
  poll(fds, count, timeout_ms);
}

std::string StatusText(int wait_status) {
  if (WIFEXITED(wait_status)) return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) return "killed by signal " + std::to_string(WTERMSIG(wait_status));
  return "ended with wait status " + std::to_string(wait_status);
}

Status ResultOf(const MailOptions& o, int wait_status, const std::string& stderr_text) {
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) return Status::Ok();
  std::string text = "abuse mail: " + o.sendmail + " " + StatusText(wait_status);
  std::string said = OneLine(stderr_text);
  while (!said.empty() && said.back() == ' ') said.pop_back();
  if (!said.empty()) text += ": " + said;
  bool temporary = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 75;  // EX_TEMPFAIL
  return temporary ? Status::Unavailable(text) : Status::IoError(text);
}

Status RunSendmail(const MailOptions& o, const std::string& message) {
  Result<Child> spawned = SpawnSendmail(o);
  if (!spawned.ok()) return spawned.status();
  Child child = *spawned;
  int64_t deadline = SteadyNowMicros() + static_cast<int64_t>(o.timeout_ms) * 1000;
  size_t sent = 0;
  std::string stderr_text;
  int wait_status = 0;
  for (;;) {
    if (child.stdin_fd >= 0) FeedStdin(&child, message, &sent);
    if (child.stderr_fd >= 0) DrainStderr(&child, &stderr_text);
    if (waitpid(child.pid, &wait_status, WNOHANG) == child.pid) break;
    if (SteadyNowMicros() >= deadline) {
      kill(child.pid, SIGKILL);
      waitpid(child.pid, &wait_status, 0);
      CloseFd(&child.stdin_fd);
      CloseFd(&child.stderr_fd);
      return Status::Unavailable("abuse mail: " + o.sendmail + " killed after " +
                                 std::to_string(o.timeout_ms) + " ms without finishing");
    }
    WaitForIo(child, kPollSliceMs);
  }
  if (child.stderr_fd >= 0) DrainStderr(&child, &stderr_text);
  CloseFd(&child.stdin_fd);
  CloseFd(&child.stderr_fd);
  return ResultOf(o, wait_status, stderr_text);
}

}  // namespace

std::string BuildAbuseMessage(const MailOptions& options, const std::string& subject,
                              const std::string& body, int64_t now_micros,
                              const std::string& message_id) {
  std::string m;
  m += "From: " + options.from + "\n";
  m += "To: " + Join(options.to, ", ") + "\n";
  m += "Subject: " + EncodeHeaderText(OneLine(subject)) + "\n";
  m += "Date: " + Rfc5322Date(now_micros) + "\n";
  m += "Message-ID: <" + message_id + ">\n";
  m += "MIME-Version: 1.0\n";
  m += "Content-Type: text/plain; charset=utf-8\n";
  m += "Content-Transfer-Encoding: 8bit\n";
  m += "Auto-Submitted: auto-generated\n";
  m += "X-Sendguard-Alert: yes\n";
  m += "\n";
  m += NormalizeBody(body);
  return m;
}

Status SendAbuseMail(const MailOptions& options, const std::string& subject,
                     const std::string& body) {
  Status s = CheckMailOptions(options);
  if (!s.ok()) return s;
  int64_t now = SystemClock::Instance().NowMicros();
  return RunSendmail(options, BuildAbuseMessage(options, subject, body, now,
                                                NewMessageId(options.from, now)));
}

}  // namespace sendguard::notify
