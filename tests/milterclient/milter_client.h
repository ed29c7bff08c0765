// milterclient/milter_client.h — the MTA side of the milter wire protocol (version 6),
// written from the protocol description, for load generation and
// protocol-level tests of any milter filter (sendguard, OpenDKIM...).
//
// Contract: one MilterClient is one connection to a filter. It plays the MTA:
// Negotiate() first, then per connection Connect/Helo, then per message
// Mail/Rcpt/Data/Header/EndOfHeaders/Body/EndOfMessage (or Abort), and Quit.
// It honours what the filter negotiated:
//   - SMFIP_NOxxx: the step is not sent; the call returns Reply::skipped.
//   - SMFIP_NR_xxx: the step is sent but no reply is read; Reply::no_reply.
//   - SMFIR_SKIP to a body chunk: further Body() calls are not sent.
//   - SMFIP_HDR_LEADSPC: header values go out exactly as given (leading space
//     kept); otherwise leading blanks are stripped, as Postfix/Sendmail do.
//   - requested macro lists (SMFIR_SETSYMLIST in the negotiation reply): only
//     the requested macros are sent for that stage.
// Commands that need no reply are buffered and leave together with the next
// command that does (one write per flush, TCP_NODELAY set), so the client never
// adds Nagle/delayed-ACK stalls of its own. Every failure (connect, I/O,
// timeout, malformed or unexpected packet) comes back as a non-ok Status; after
// one, the connection is unusable and the caller should drop the client.
// Thread-safety: none; use one client per thread.
#ifndef SENDGUARD_TESTS_MILTERCLIENT_MILTER_CLIENT_H_
#define SENDGUARD_TESTS_MILTERCLIENT_MILTER_CLIENT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sendguard {
namespace milterclient {

// Wire constants (the values every milter implementation shares).
namespace wire {
constexpr uint32_t kVersion = 6;
// SMFIF_* actions the MTA allows the filter.
constexpr uint32_t kActAddHeaders = 0x001, kActChangeBody = 0x002,
                   kActAddRcpt = 0x004, kActDelRcpt = 0x008,
                   kActChangeHeaders = 0x010, kActQuarantine = 0x020,
                   kActChangeFrom = 0x040, kActAddRcptPar = 0x080,
                   kActSetSymList = 0x100, kAllActions = 0x1FF;
// SMFIP_* protocol flags.
constexpr uint32_t kNoConnect = 0x1, kNoHelo = 0x2, kNoMail = 0x4,
                   kNoRcpt = 0x8, kNoBody = 0x10, kNoHeaders = 0x20,
                   kNoEoh = 0x40, kNrHeader = 0x80, kNoUnknown = 0x100,
                   kNoData = 0x200, kSkip = 0x400, kRcptRej = 0x800,
                   kNrConnect = 0x1000, kNrHelo = 0x2000, kNrMail = 0x4000,
                   kNrRcpt = 0x8000, kNrData = 0x10000, kNrUnknown = 0x20000,
                   kNrEoh = 0x40000, kNrBody = 0x80000,
                   kHeaderLeadingSpace = 0x100000, kAllProtocol = 0x1FFFFF;
// Largest body chunk an MTA sends (MILTER_CHUNK_SIZE).
constexpr size_t kMaxChunk = 65535;
}  // namespace wire

// Macro stages as numbered in SMFIR_SETSYMLIST.
enum class MacroStage { kConnect = 0, kHelo = 1, kMail = 2, kRcpt = 3,
                        kData = 4, kEndOfMessage = 5, kEndOfHeaders = 6 };

struct ClientOptions {
  uint32_t actions = wire::kAllActions;    // SMFIF_* offered to the filter (default: all)
  uint32_t protocol = wire::kAllProtocol;  // SMFIP_* offered (default: all v6 flags)
  int timeout_ms = 10000;                  // per read/write wait; default 10 s
  bool tcp_nodelay = true;                 // TCP_NODELAY on inet sockets; default on
};

// What the filter asked for in the negotiation reply.
struct Negotiated {
  uint32_t version = 0;
  uint32_t actions = 0;
  uint32_t protocol = 0;
  std::map<int, std::vector<std::string>> macro_lists;  // stage -> names
  bool Has(uint32_t flag) const { return (protocol & flag) != 0; }
};

enum class Verdict { kContinue, kAccept, kReject, kTempfail, kDiscard,
                     kReplyCode, kSkip, kConnFail, kShutdown };
const char* VerdictName(Verdict v);

struct Reply {
  Verdict verdict = Verdict::kContinue;
  std::string reply_code;  // SMFIR_REPLYCODE text, e.g. "550 5.7.1 no"
  bool skipped = false;    // step not sent (SMFIP_NOxxx or body skipped)
  bool no_reply = false;   // step sent, filter negotiated SMFIP_NR_xxx
  // True when the message (or connection) is decided and no further steps of
  // it should be sent.
  bool Final() const {
    return verdict != Verdict::kContinue && verdict != Verdict::kSkip;
  }
};

// One message modification requested at end of message.
struct Modification {
  char code = 0;        // SMFIR_*: 'h' add, 'i' insert, 'm' change header,
                        // 'q' quarantine, 'e' chgfrom, '+'/'2' addrcpt,
                        // '-' delrcpt, 'b' replace body chunk
  uint32_t index = 0;   // header index for 'i' / 'm'
  std::string name;     // header name, or address / reason / body chunk
  std::string value;    // header value (as sent), or ESMTP args
};

struct EomResult {
  Reply reply;                     // final verdict (kContinue means accept)
  std::vector<Modification> mods;  // in the order received
  const Modification* FindHeader(const std::string& name) const;
  bool Quarantined() const;
};

using Macros = std::vector<std::pair<std::string, std::string>>;

class MilterClient {
 public:
  // spec: "unix:/path" (also "local:/path") or "inet:PORT@HOST" (HOST numeric
  // IPv4/IPv6 or a name; "inet:PORT" means 127.0.0.1).
  static Result<std::unique_ptr<MilterClient>> Open(const std::string& spec,
                                                   const ClientOptions& options = {});
  // Takes over an already connected stream socket (e.g. one end of a
  // socketpair in tests); the client closes it.
  static std::unique_ptr<MilterClient> Adopt(int fd, const ClientOptions& options = {});
  ~MilterClient();
  MilterClient(const MilterClient&) = delete;
  MilterClient& operator=(const MilterClient&) = delete;

  Status Negotiate();
  const Negotiated& negotiated() const { return negotiated_; }

  // Queues an SMFIC_MACRO packet for `stage` (sent with the next command).
  Status SendMacros(MacroStage stage, const Macros& macros);

  // family: '4', '6', 'L' (unix) or 'U' (unknown: no port/address sent).
  Result<Reply> Connect(const std::string& hostname, char family, uint16_t port,
                        const std::string& address);
  Result<Reply> Helo(const std::string& name);
  Result<Reply> Mail(const std::string& sender, const std::vector<std::string>& args = {});
  Result<Reply> Rcpt(const std::string& rcpt, const std::vector<std::string>& args = {});
  Result<Reply> Data();
  // value: everything after the colon, folded lines joined with "\n".
  Result<Reply> Header(const std::string& name, const std::string& value);
  Result<Reply> EndOfHeaders();
  // Sends `chunk` in pieces of at most wire::kMaxChunk, CRLF line ends expected.
  Result<Reply> Body(const std::string& chunk);
  Result<EomResult> EndOfMessage();
  // Aborts the current message; the connection stays usable.
  Status Abort();
  // Ends the session and closes (kQuit) or asks for a new session (QUIT_NC).
  Status Quit();
  Status QuitKeepConnection();
  // Drops the connection without a word (what a crashing MTA does).
  void Drop();

  bool connected() const { return fd_ >= 0; }
  uint64_t bytes_sent() const { return bytes_sent_; }

 private:
  MilterClient(int fd, const ClientOptions& options);
  void Queue(char cmd, const std::string& data);
  Status Flush();
  Status ReadPacket(char* cmd, std::string* data);
  Result<Reply> ReadReply();
  Result<Reply> Step(char cmd, const std::string& data, uint32_t skip_flag,
                     uint32_t no_reply_flag);
  Status Fail(Status s);
  bool MacroWanted(MacroStage stage, const std::string& name) const;

  int fd_;
  ClientOptions options_;
  Negotiated negotiated_;
  std::string out_;
  bool body_skipped_ = false;
  uint64_t bytes_sent_ = 0;
};

// Splits "unix:/p" / "inet:PORT@HOST" into its parts; for the generator's
// report and for tests. Returns InvalidArgument on anything else.
struct SocketSpec {
  bool is_unix = false;
  std::string path;  // unix
  std::string host;  // inet
  uint16_t port = 0;
};
Result<SocketSpec> ParseSocketSpec(const std::string& spec);

}  // namespace milterclient
}  // namespace sendguard

#endif  // SENDGUARD_TESTS_MILTERCLIENT_MILTER_CLIENT_H_
