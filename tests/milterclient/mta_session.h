// milterclient/mta_session.h — what an MTA sends a milter for one SMTP session and
// its messages, built on MilterClient: corpus loading, the macros Postfix
// sends, and the message conversation split into steps so protocol tests can
// stop anywhere (after the headers, mid-body...).
//
// Contract: LoadCorpus reads every regular file of a directory (names not
// starting with '.' or 'README') as an RFC 5322 message; errors name the file.
// The Play* functions return the filter's decision as soon as one is final
// (MessageOutcome::decided_at names the step); a non-ok Status means a
// protocol/I/O error and the client is then unusable.
// Thread-safety: corpus data is immutable after loading (share it); a
// MilterClient is used by one thread at a time.
#ifndef SENDGUARD_TESTS_MILTERCLIENT_MTA_SESSION_H_
#define SENDGUARD_TESTS_MILTERCLIENT_MTA_SESSION_H_

#include <string>
#include <utility>
#include <vector>

#include "milterclient/milter_client.h"
#include "core/status.h"

namespace sendguard {
namespace milterclient {

struct CorpusMessage {
  std::string name;  // file name
  // Header name and raw value (after the colon, leading space kept, folded
  // lines joined with "\n").
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // CRLF line ends
  size_t size = 0;   // bytes as an MTA would count them (CRLF)
  // Lower-case domain of the (first) From header's address; "" when there
  // is none. Load generators log in as a user of this domain, so the
  // daemon's default sender rule (login user@dom may send as @dom) holds.
  std::string from_domain;
};

// The domain of the address in a raw From header value ("Name <a@b>" or
// "a@b"), lower case; "" when there is no address with a domain.
std::string AddressDomain(const std::string& from_value);

Result<CorpusMessage> ParseMessage(const std::string& name, const std::string& text);
Result<std::vector<CorpusMessage>> LoadCorpus(const std::string& dir);

struct Envelope {
  std::string auth_user;            // {auth_authen}; empty = not authenticated
  std::string sender;               // MAIL FROM address without <>
  std::vector<std::string> rcpts;   // RCPT TO addresses without <>
  std::string queue_id = "4BENCH";  // macro i
};

struct ClientIdentity {
  std::string client_name = "client.bench.example";
  std::string client_addr = "127.0.0.1";
  uint16_t client_port = 40000;
  std::string helo = "client.bench.example";
  std::string mta_name = "relay.bench.example";  // macro j
};

struct MessageOutcome {
  Verdict verdict = Verdict::kContinue;  // kContinue at end of message = accepted
  std::string reply_code;
  std::vector<Modification> mods;
  std::string decided_at;  // "mail", "rcpt", "data", "header", "eoh", "body", "eom"
  bool HasHeader(const std::string& name) const;
};

// Negotiated client + connect + helo. A final verdict here (e.g. reject at
// connect) is returned in `outcome` with decided_at "connect"/"helo".
Status OpenSession(MilterClient* client, const ClientIdentity& id, MessageOutcome* outcome);

// Steps of one message. Each returns true in *done when the filter decided.
Status PlayEnvelope(MilterClient* client, const Envelope& env, MessageOutcome* out, bool* done);
Status PlayHeaders(MilterClient* client, const CorpusMessage& msg, const Envelope& env,
                   MessageOutcome* out, bool* done);
Status PlayBody(MilterClient* client, const std::string& body, MessageOutcome* out, bool* done);
Status PlayEndOfMessage(MilterClient* client, const Envelope& env, MessageOutcome* out);

// The whole message; when the filter decides early, sends ABORT so the
// connection is ready for the next message, as an MTA does.
Status PlayMessage(MilterClient* client, const CorpusMessage& msg, const Envelope& env,
                   MessageOutcome* out);

}  // namespace milterclient
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_MILTERCLIENT_MTA_SESSION_H_
