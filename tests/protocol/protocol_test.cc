// protocol/protocol_test.cc — protocol-level tests of a running milter filter,
// played through the milter client library (tests/milterclient) as an MTA would.
//
//   protocol_test --socket SPEC --corpus DIR [--expect-header NAME]
//                 [--check-identity]
//
// Scenarios: two messages on one connection, many messages on one
// connection, abort mid-message then a second message, abort right after
// MAIL, connection dropped right after the headers, connection dropped
// mid-body, an old MTA that offers no no-reply/skip flags, a 200 KB message,
// an unauthenticated sender, and finally a fresh connection that must still
// be served. Every accepted message must carry the expected header (default
// X-Sendguard); with --check-identity its value must name the {auth_authen}
// user. Prints "ok NAME" / "FAIL NAME: why" per scenario and a last line
// "N passed, M failed"; exits 0 only if all passed.
#include <signal.h>

#include <strings.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "milterclient/case_runner.h"
#include "milterclient/milter_client.h"
#include "milterclient/mta_session.h"

namespace sendguard {
namespace milterclient {
namespace {

struct Config {
  std::string socket;
  std::string corpus_dir;
  std::string header = "X-Sendguard";
  bool check_identity = false;
  std::vector<CorpusMessage> corpus;
};

const Config* g_config = nullptr;

// Logins are USER@DOMAIN of the message's From, so the daemon's default
// sender rule (a login user@dom may send as @dom) accepts every message.
Envelope Env(const std::string& user, const CorpusMessage& msg, int n) {
  Envelope env;
  std::string domain = msg.from_domain.empty() ? "example.com" : msg.from_domain;
  env.auth_user = user.empty() ? "" : user + "@" + domain;
  env.sender = (user.empty() ? std::string("webapp") : user) + "@" + domain;
  env.rcpts = {"rcpt" + std::to_string(n) + "@dest.example", "other@dest2.example"};
  env.queue_id = "4PROTO" + std::to_string(n);
  return env;
}

const CorpusMessage* Find(const std::string& prefix) {
  for (const CorpusMessage& m : g_config->corpus) {
    if (m.name.compare(0, prefix.size(), prefix) == 0) return &m;
  }
  return &g_config->corpus.front();
}

Result<std::unique_ptr<MilterClient>> Session(const ClientOptions& opt = {}) {
  Result<std::unique_ptr<MilterClient>> c = MilterClient::Open(g_config->socket, opt);
  if (!c.ok()) return c;
  MessageOutcome o;
  Status s = OpenSession(c->get(), ClientIdentity(), &o);
  if (!s.ok()) return s;
  if (!o.decided_at.empty()) {
    return Status::Internal(std::string("filter decided ") + VerdictName(o.verdict) + " at " + o.decided_at);
  }
  return c;
}

// The message must be accepted at end of message and carry the header.
Status ExpectAccepted(const MessageOutcome& o, const Envelope& env) {
  if (o.decided_at != "eom" || (o.verdict != Verdict::kContinue && o.verdict != Verdict::kAccept)) {
    return Status::Internal(std::string("expected accept at eom, got ") + VerdictName(o.verdict) +
                            " at " + o.decided_at + " " + o.reply_code);
  }
  for (const Modification& m : o.mods) {
    if ((m.code != 'h' && m.code != 'i') || strcasecmp(m.name.c_str(), g_config->header.c_str()) != 0) continue;
    if (g_config->check_identity && !env.auth_user.empty() &&
        m.value.find(env.auth_user) == std::string::npos) {
      return Status::Internal("header '" + m.name + ":" + m.value + "' does not name user " + env.auth_user);
    }
    return Status::Ok();
  }
  return Status::Internal("accepted message lacks header " + g_config->header);
}

Status SendAndExpect(MilterClient* c, const CorpusMessage& msg, const Envelope& env) {
  MessageOutcome o;
  Status s = PlayMessage(c, msg, env, &o);
  if (!s.ok()) return s;
  return ExpectAccepted(o, env);
}

#define RETURN_IF_ERROR(expr) \
  do { Status _s = (expr); if (!_s.ok()) return _s; } while (0)

Status TwoMessagesOneConnection() {
  Result<std::unique_ptr<MilterClient>> c = Session();
  if (!c.ok()) return c.status();
  RETURN_IF_ERROR(SendAndExpect(c->get(), *Find("01"), Env("alice", *Find("01"), 1)));
  RETURN_IF_ERROR(SendAndExpect(c->get(), *Find("04"), Env("bob", *Find("04"), 2)));
  return (*c)->Quit();
}

Status ManyMessagesOneConnection() {
  Result<std::unique_ptr<MilterClient>> c = Session();
  if (!c.ok()) return c.status();
  for (int i = 0; i < 25; ++i) {
    const CorpusMessage& m = g_config->corpus[i % g_config->corpus.size()];
    RETURN_IF_ERROR(SendAndExpect(c->get(), m, Env("user" + std::to_string(i % 4), m, i)));
  }
  return (*c)->Quit();
}

Status AbortMidMessageThenSecond() {
  Result<std::unique_ptr<MilterClient>> c = Session();
  if (!c.ok()) return c.status();
  const CorpusMessage& big = *Find("03");
  MessageOutcome o;
  bool done = false;
  Envelope env = Env("carol", big, 3);
  RETURN_IF_ERROR(PlayEnvelope(c->get(), env, &o, &done));
  if (!done) RETURN_IF_ERROR(PlayHeaders(c->get(), big, env, &o, &done));
  if (!done) RETURN_IF_ERROR(PlayBody(c->get(), big.body.substr(0, 70000), &o, &done));
  if (done) return Status::Internal("filter decided early at " + o.decided_at);
  RETURN_IF_ERROR((*c)->Abort());
  RETURN_IF_ERROR(SendAndExpect(c->get(), *Find("01"), Env("carol", *Find("01"), 4)));
  return (*c)->Quit();
}

Status AbortAfterMailThenSecond() {
  Result<std::unique_ptr<MilterClient>> c = Session();
  if (!c.ok()) return c.status();
  (*c)->SendMacros(MacroStage::kMail, {{"{auth_authen}", "dave@example.com"}});
  Result<Reply> r = (*c)->Mail("<dave@example.com>");
  if (!r.ok()) return r.status();
  RETURN_IF_ERROR((*c)->Abort());
  RETURN_IF_ERROR(SendAndExpect(c->get(), *Find("02"), Env("dave", *Find("02"), 5)));
  return (*c)->Quit();
}

Status DropAfterHeaders() {
  Result<std::unique_ptr<MilterClient>> c = Session();
  if (!c.ok()) return c.status();
  MessageOutcome o;
  bool done = false;
  Envelope env = Env("erin", *Find("05"), 6);
  RETURN_IF_ERROR(PlayEnvelope(c->get(), env, &o, &done));
  if (!done) RETURN_IF_ERROR(PlayHeaders(c->get(), *Find("05"), env, &o, &done));
  if (done) return Status::Internal("filter decided early at " + o.decided_at);
  (*c)->Drop();
  return Status::Ok();
}

Status DropMidBody() {
  Result<std::unique_ptr<MilterClient>> c = Session();
  if (!c.ok()) return c.status();
  const CorpusMessage& big = *Find("03");
  MessageOutcome o;
  bool done = false;
  Envelope env = Env("frank", big, 7);
  RETURN_IF_ERROR(PlayEnvelope(c->get(), env, &o, &done));
  if (!done) RETURN_IF_ERROR(PlayHeaders(c->get(), big, env, &o, &done));
  if (!done) RETURN_IF_ERROR(PlayBody(c->get(), big.body.substr(0, 100000), &o, &done));
  if (done) return Status::Internal("filter decided early at " + o.decided_at);
  (*c)->Drop();
  return Status::Ok();
}

Status DropRightAfterConnect() {
  Result<std::unique_ptr<MilterClient>> c = MilterClient::Open(g_config->socket);
  if (!c.ok()) return c.status();
  RETURN_IF_ERROR((*c)->Negotiate());
  (*c)->Drop();
  return Status::Ok();
}

Status OldMtaWithoutNoReplyFlags() {
  ClientOptions opt;
  opt.protocol = wire::kNoConnect | wire::kNoHelo | wire::kNoMail | wire::kNoRcpt |
                 wire::kNoBody | wire::kNoHeaders | wire::kNoEoh;  // a v2-era MTA
  Result<std::unique_ptr<MilterClient>> c = Session(opt);
  if (!c.ok()) return c.status();
  if ((*c)->negotiated().protocol & ~opt.protocol) return Status::Internal("filter took unoffered flags");
  RETURN_IF_ERROR(SendAndExpect(c->get(), *Find("01"), Env("grace", *Find("01"), 8)));
  RETURN_IF_ERROR(SendAndExpect(c->get(), *Find("02"), Env("grace", *Find("02"), 9)));
  return (*c)->Quit();
}

// An MTA that does not let filters choose their macros (no SMFIF_SETSYMLIST)
// is still filtered, with the macros it sends on its own.
Status MtaWithoutMacroLists() {
  ClientOptions opt;
  opt.actions = wire::kAllActions & ~wire::kActSetSymList;
  Result<std::unique_ptr<MilterClient>> c = Session(opt);
  if (!c.ok()) return c.status();
  if ((*c)->negotiated().actions & wire::kActSetSymList) return Status::Internal("filter took unoffered actions");
  RETURN_IF_ERROR(SendAndExpect(c->get(), *Find("01"), Env("ivan", *Find("01"), 11)));
  return (*c)->Quit();
}

Status LargeMessage() {
  Result<std::unique_ptr<MilterClient>> c = Session();
  if (!c.ok()) return c.status();
  const CorpusMessage& big = *Find("03");
  if (big.body.size() < 200000) return Status::Internal("corpus lacks the 200 KB message");
  RETURN_IF_ERROR(SendAndExpect(c->get(), big, Env("heidi", big, 10)));
  return (*c)->Quit();
}

Status UnauthenticatedTrustedClient() {
  Result<std::unique_ptr<MilterClient>> c = Session();
  if (!c.ok()) return c.status();
  RETURN_IF_ERROR(SendAndExpect(c->get(), *Find("01"), Env("", *Find("01"), 11)));
  return (*c)->Quit();
}

Status FreshConnectionStillServed() {
  Result<std::unique_ptr<MilterClient>> c = Session();
  if (!c.ok()) return c.status();
  RETURN_IF_ERROR(SendAndExpect(c->get(), *Find("04"), Env("ivan", *Find("04"), 12)));
  return (*c)->Quit();
}

int RunAll() {
  const std::vector<Case> cases = {
      {"two_messages_one_connection", TwoMessagesOneConnection},
      {"many_messages_one_connection", ManyMessagesOneConnection},
      {"abort_mid_message_then_second", AbortMidMessageThenSecond},
      {"abort_after_mail_then_second", AbortAfterMailThenSecond},
      {"drop_after_headers", DropAfterHeaders},
      {"drop_mid_body", DropMidBody},
      {"drop_right_after_negotiation", DropRightAfterConnect},
      {"old_mta_without_no_reply_flags", OldMtaWithoutNoReplyFlags},
      {"mta_without_macro_lists", MtaWithoutMacroLists},
      {"large_message_200k", LargeMessage},
      {"unauthenticated_trusted_client", UnauthenticatedTrustedClient},
      {"fresh_connection_still_served", FreshConnectionStillServed},
  };
  return RunCases(cases);
}

}  // namespace
}  // namespace milterclient
}  // namespace sendguard

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  sendguard::milterclient::Config config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--check-identity") { config.check_identity = true; continue; }
    if (i + 1 >= argc) { std::fprintf(stderr, "protocol_test: missing value for %s\n", a.c_str()); return 2; }
    if (a == "--socket") config.socket = argv[++i];
    else if (a == "--corpus") config.corpus_dir = argv[++i];
    else if (a == "--expect-header") config.header = argv[++i];
    else { std::fprintf(stderr, "protocol_test: unknown option %s\n", a.c_str()); return 2; }
  }
  if (config.socket.empty() || config.corpus_dir.empty()) {
    std::fprintf(stderr, "usage: protocol_test --socket SPEC --corpus DIR [--expect-header NAME] [--check-identity]\n");
    return 2;
  }
  auto corpus = sendguard::milterclient::LoadCorpus(config.corpus_dir);
  if (!corpus.ok()) { std::fprintf(stderr, "protocol_test: %s\n", corpus.status().ToString().c_str()); return 2; }
  config.corpus = std::move(corpus).value();
  sendguard::milterclient::g_config = &config;
  return sendguard::milterclient::RunAll();
}
