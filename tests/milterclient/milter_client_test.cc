// milterclient/milter_client_test.cc — tests of MilterClient itself against a
// scripted filter on the other end of a socketpair: no-reply and skip flags,
// requested macro lists, SMFIR_SKIP, header leading space, end-of-message
// modifications, and every kind of broken filter (bad length, unknown reply,
// closed connection, flags not offered) coming back as an error Status.
// Prints "ok NAME" / "FAIL NAME: why" and "N passed, M failed"; exit 0 only
// if all passed. A wrong wait for a reply shows up as a 2 s timeout error.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "milterclient/case_runner.h"
#include "milterclient/milter_client.h"
#include "milterclient/mta_session.h"

namespace sendguard {
namespace milterclient {
namespace {

// The filter side: blocking reads/writes of raw milter packets.
class FakeFilter {
 public:
  explicit FakeFilter(int fd) : fd_(fd) {}
  ~FakeFilter() { close(fd_); }
  // Reads one packet; false on EOF.
  bool Read(char* cmd, std::string* data) {
    unsigned char h[4];
    if (!ReadAll(h, 4)) return false;
    uint32_t len = (uint32_t(h[0]) << 24) | (uint32_t(h[1]) << 16) | (uint32_t(h[2]) << 8) | h[3];
    std::string buf(len, '\0');
    if (len == 0 || !ReadAll(&buf[0], len)) return false;
    *cmd = buf[0];
    *data = buf.substr(1);
    log.push_back(std::string(1, *cmd) + (*cmd == 'D' ? data->substr(0, 1) : ""));
    return true;
  }
  // Reads until a packet with command `want`; false on EOF.
  bool ReadUntil(char want, std::string* data = nullptr) {
    char cmd;
    std::string d;
    while (Read(&cmd, &d)) {
      if (cmd == want) { if (data) *data = d; return true; }
    }
    return false;
  }
  void Send(char cmd, const std::string& data = "") {
    std::string out;
    uint32_t len = static_cast<uint32_t>(data.size() + 1);
    out += char(len >> 24); out += char(len >> 16); out += char(len >> 8); out += char(len);
    out += cmd;
    out += data;
    SendRaw(out);
  }
  void SendRaw(const std::string& bytes) {
    if (write(fd_, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) perror("fake write");
  }
  static std::string U32(uint32_t v) {
    return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  }
  // Answers OPTNEG with the given flags and optional raw macro-list tail.
  void Negotiate(uint32_t actions, uint32_t protocol, const std::string& lists = "") {
    char cmd;
    std::string d;
    Read(&cmd, &d);
    Send('O', U32(6) + U32(actions) + U32(protocol) + lists);
  }
  std::vector<std::string> log;  // commands received ("Dx" for macros of stage x)

 private:
  bool ReadAll(void* p, size_t n) {
    char* c = static_cast<char*>(p);
    while (n > 0) {
      ssize_t r = read(fd_, c, n);
      if (r <= 0) return false;
      c += r; n -= static_cast<size_t>(r);
    }
    return true;
  }
  int fd_;
};

// Runs `filter` on one end of a socketpair and `mta` with a client on the other.
Status WithFilter(const std::function<void(FakeFilter&)>& filter,
                  const std::function<Status(MilterClient*)>& mta) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return Status::IoError("socketpair");
  std::thread t([&] { FakeFilter f(sv[1]); filter(f); });
  ClientOptions opt;
  opt.timeout_ms = 2000;
  Status s;
  {
    std::unique_ptr<MilterClient> c = MilterClient::Adopt(sv[0], opt);
    s = mta(c.get());
  }  // closing the client ends the filter's read loop
  t.join();
  return s;
}

CorpusMessage TestMessage(size_t body_bytes) {
  std::string text = "From: a@example.com\nSubject:  two spaces\nX-Folded: one\n\ttwo\n\n";
  std::string line(70, 'x');
  while (text.size() < body_bytes) text += line + "\n";
  return ParseMessage("test", text).value();
}

Envelope TestEnvelope() {
  Envelope e;
  e.auth_user = "alice";
  e.sender = "alice@example.com";
  e.rcpts = {"b@dest.example"};
  return e;
}

#define EXPECT(cond, msg) \
  do { if (!(cond)) return Status::Internal(std::string(msg)); } while (0)

Status NoReplyFlagsAreHonoured() {
  std::vector<std::string> log;
  Status s = WithFilter(
      [&](FakeFilter& f) {
        f.Negotiate(wire::kActAddHeaders, wire::kNoHelo | wire::kNrHeader | wire::kNrEoh |
                                              wire::kNrBody | wire::kNrConnect);
        f.ReadUntil('M'); f.Send('c');
        f.ReadUntil('R'); f.Send('c');
        f.ReadUntil('T'); f.Send('c');
        f.ReadUntil('E'); f.Send('h', std::string("X-Test\0 v\0", 10)); f.Send('a');
        f.ReadUntil('Q');
        log = f.log;
      },
      [&](MilterClient* c) -> Status {
        MessageOutcome o;
        Status st = OpenSession(c, ClientIdentity(), &o);
        if (!st.ok()) return st;
        st = PlayMessage(c, TestMessage(500), TestEnvelope(), &o);
        if (!st.ok()) return st;
        EXPECT(o.decided_at == "eom" && o.verdict == Verdict::kAccept, "expected accept at eom");
        EXPECT(o.HasHeader("X-Test"), "added header not reported");
        return c->Quit();
      });
  if (!s.ok()) return s;
  for (const std::string& cmd : log) EXPECT(cmd != "H", "HELO sent although SMFIP_NOHELO");
  int headers = 0;
  for (const std::string& cmd : log) headers += cmd == "L";
  EXPECT(headers == 3, "expected 3 header packets, got " + std::to_string(headers));
  return Status::Ok();
}

Status RequestedMacrosOnly() {
  std::string mail_macros;
  Status s = WithFilter(
      [&](FakeFilter& f) {
        f.Negotiate(0, wire::kNoConnect | wire::kNoHelo,
                    FakeFilter::U32(2) + std::string("{auth_authen}\0", 14));
        char cmd;
        std::string d;
        while (f.Read(&cmd, &d)) {
          if (cmd == 'D' && d[0] == 'M') mail_macros = d;
          if (cmd == 'M') { f.Send('r'); break; }
        }
      },
      [&](MilterClient* c) -> Status {
        MessageOutcome o;
        Status st = OpenSession(c, ClientIdentity(), &o);
        bool done = false;
        if (st.ok()) st = PlayEnvelope(c, TestEnvelope(), &o, &done);
        if (!st.ok()) return st;
        EXPECT(done && o.verdict == Verdict::kReject && o.decided_at == "mail", "expected reject at mail");
        return Status::Ok();
      });
  if (!s.ok()) return s;
  EXPECT(mail_macros == std::string("M{auth_authen}\0alice\0", 21),
         "MAIL macros not limited to the requested list: " + mail_macros);
  return Status::Ok();
}

Status SkipStopsBodyChunks() {
  std::vector<std::string> log;
  Status s = WithFilter(
      [&](FakeFilter& f) {
        f.Negotiate(0, wire::kSkip | wire::kNoConnect | wire::kNoHelo | wire::kNrHeader | wire::kNrEoh);
        f.ReadUntil('M'); f.Send('c');
        f.ReadUntil('R'); f.Send('c');
        f.ReadUntil('T'); f.Send('c');
        f.ReadUntil('B'); f.Send('s');
        f.ReadUntil('E'); f.Send('c');
        f.ReadUntil('Q');
        log = f.log;
      },
      [&](MilterClient* c) -> Status {
        MessageOutcome o;
        Status st = OpenSession(c, ClientIdentity(), &o);
        if (st.ok()) st = PlayMessage(c, TestMessage(200000), TestEnvelope(), &o);
        if (!st.ok()) return st;
        EXPECT(o.decided_at == "eom" && o.verdict == Verdict::kContinue, "expected continue at eom");
        return c->Quit();
      });
  if (!s.ok()) return s;
  int bodies = 0;
  for (const std::string& cmd : log) bodies += cmd == "B";
  EXPECT(bodies == 1, "expected 1 body chunk after SKIP, got " + std::to_string(bodies));
  return Status::Ok();
}

Status HeaderLeadingSpace(bool leadspc) {
  std::string subject;
  Status s = WithFilter(
      [&](FakeFilter& f) {
        f.Negotiate(0, wire::kNoConnect | wire::kNoHelo | (leadspc ? wire::kHeaderLeadingSpace : 0));
        std::string d;
        f.ReadUntil('L'); f.Send('c');
        f.ReadUntil('L', &d); f.Send('c');
        subject = d;
      },
      [&](MilterClient* c) -> Status {
        MessageOutcome o;
        Status st = OpenSession(c, ClientIdentity(), &o);
        if (st.ok()) { Result<Reply> r = c->Header("From", " a@example.com"); st = r.status(); }
        if (st.ok()) { Result<Reply> r = c->Header("Subject", "  two spaces"); st = r.status(); }
        return st;
      });
  if (!s.ok()) return s;
  std::string want = leadspc ? std::string("Subject\0  two spaces\0", 21) : std::string("Subject\0two spaces\0", 19);
  EXPECT(subject == want, "header value sent as '" + subject + "'");
  return Status::Ok();
}

Status ModificationsAtEndOfMessage() {
  MessageOutcome o;
  Status s = WithFilter(
      [&](FakeFilter& f) {
        f.Negotiate(wire::kAllActions, wire::kNoConnect | wire::kNoHelo);
        f.ReadUntil('E');
        f.Send('p');
        f.Send('i', FakeFilter::U32(0) + std::string("DKIM-Signature\0 v=1\0", 20));
        f.Send('m', FakeFilter::U32(1) + std::string("Subject\0 new\0", 13));
        f.Send('q', std::string("held by rule\0", 13));
        f.Send('y', std::string("550 5.7.1 no thanks\0", 20));
      },
      [&](MilterClient* c) -> Status {
        Status st = c->Negotiate();
        if (!st.ok()) return st;
        st = PlayEndOfMessage(c, TestEnvelope(), &o);
        return st;
      });
  if (!s.ok()) return s;
  EXPECT(o.verdict == Verdict::kReplyCode && o.reply_code == "550 5.7.1 no thanks", "reply code lost");
  EXPECT(o.mods.size() == 3, "expected 3 modifications");
  EXPECT(o.mods[0].code == 'i' && o.mods[0].index == 0 && o.mods[0].name == "DKIM-Signature" &&
         o.mods[0].value == " v=1", "insert header parsed wrong");
  EXPECT(o.mods[1].code == 'm' && o.mods[1].index == 1 && o.mods[1].value == " new", "change header parsed wrong");
  EXPECT(o.mods[2].code == 'q' && o.mods[2].name == "held by rule", "quarantine parsed wrong");
  return Status::Ok();
}

// A broken filter must give an error Status, never a hang or a crash.
Status BrokenFilter(const std::function<void(FakeFilter&)>& filter, const std::string& expect) {
  Status s = WithFilter(filter, [](MilterClient* c) -> Status {
    MessageOutcome o;
    Status st = OpenSession(c, ClientIdentity(), &o);
    if (st.ok()) st = PlayMessage(c, TestMessage(300), TestEnvelope(), &o);
    return st;
  });
  EXPECT(!s.ok(), "broken filter not reported");
  EXPECT(s.message().find(expect) != std::string::npos, "unexpected error: " + s.ToString());
  return Status::Ok();
}

Status BadLength() {
  return BrokenFilter([](FakeFilter& f) {
    f.Negotiate(0, 0);
    f.ReadUntil('C'); f.SendRaw(std::string("\0\0\0\0", 4));
  }, "bad packet length");
}

Status UnknownReply() {
  return BrokenFilter([](FakeFilter& f) {
    f.Negotiate(0, 0);
    f.ReadUntil('C'); f.Send('Z');
  }, "unexpected reply 'Z'");
}

Status FilterClosesMidMessage() {
  return BrokenFilter([](FakeFilter& f) {
    f.Negotiate(0, wire::kNoConnect | wire::kNoHelo);
    f.ReadUntil('M');
  }, "closed the connection");
}

Status FilterTakesUnofferedFlags() {
  return BrokenFilter([](FakeFilter& f) { f.Negotiate(0x400000, 0); }, "not offered");
}

Status FilterSilentTimesOut() {
  return BrokenFilter([](FakeFilter& f) {
    f.Negotiate(0, 0);
    f.ReadUntil('C');
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  }, "timeout");
}

int RunAll() {
  const std::vector<Case> cases = {
      {"no_reply_flags_are_honoured", NoReplyFlagsAreHonoured},
      {"requested_macros_only", RequestedMacrosOnly},
      {"skip_stops_body_chunks", SkipStopsBodyChunks},
      {"header_leading_space_stripped", [] { return HeaderLeadingSpace(false); }},
      {"header_leading_space_kept", [] { return HeaderLeadingSpace(true); }},
      {"modifications_at_end_of_message", ModificationsAtEndOfMessage},
      {"broken_filter_bad_length", BadLength},
      {"broken_filter_unknown_reply", UnknownReply},
      {"broken_filter_closes_mid_message", FilterClosesMidMessage},
      {"broken_filter_takes_unoffered_flags", FilterTakesUnofferedFlags},
      {"broken_filter_silent_times_out", FilterSilentTimesOut},
      {"socket_spec_parsing", [] {
         EXPECT(ParseSocketSpec("unix:/a/b").ok() && ParseSocketSpec("unix:/a/b")->path == "/a/b", "unix");
         Result<SocketSpec> i = ParseSocketSpec("inet:8891@127.0.0.1");
         EXPECT(i.ok() && i->port == 8891 && i->host == "127.0.0.1", "inet");
         EXPECT(!ParseSocketSpec("inet:0@h").ok() && !ParseSocketSpec("inet:x@h").ok() &&
                !ParseSocketSpec("tcp:1").ok() && !ParseSocketSpec("unix:").ok(), "bad specs accepted");
         return Status::Ok();
       }},
      {"corpus_parse_errors_name_file_and_line", [] {
         Result<CorpusMessage> m = ParseMessage("m.eml", "From: a\nno colon here\n\nbody\n");
         EXPECT(!m.ok() && m.status().message().find("m.eml:2:") != std::string::npos, "no file:line");
         Result<CorpusMessage> ok = ParseMessage("ok.eml", "A: 1\n\tfolded\n\nline\n");
         EXPECT(ok.ok() && ok->headers.size() == 1 && ok->headers[0].second == " 1\n\tfolded" &&
                ok->body == "line\r\n", "folding or CRLF body wrong");
         return Status::Ok();
       }},
      {"corpus_from_domain_for_logins", [] {
         EXPECT(AddressDomain(" \"Pay, Pal\" <Service@PayPa1-Security.Example>") == "paypa1-security.example",
                "display name with comma");
         EXPECT(AddressDomain(" bob@example.com") == "example.com", "bare address");
         EXPECT(AddressDomain(" bob@example.com (Bob)") == "example.com", "trailing comment");
         EXPECT(AddressDomain(" undisclosed") == "" && AddressDomain(" <>") == "", "no address");
         Result<CorpusMessage> m = ParseMessage("f.eml", "Subject: x\nfrom: A\n <a@Mail.Example.ORG>\n\nb\n");
         EXPECT(m.ok() && m->from_domain == "mail.example.org", "folded From header");
         Result<CorpusMessage> none = ParseMessage("n.eml", "Subject: x\n\nb\n");
         EXPECT(none.ok() && none->from_domain.empty(), "message without From");
         return Status::Ok();
       }},
  };
  return RunCases(cases);
}

}  // namespace
}  // namespace milterclient
}  // namespace sendguard

int main() {
  signal(SIGPIPE, SIG_IGN);
  return sendguard::milterclient::RunAll();
}
