// milterclient/milter_client.cc — MTA side of the milter protocol v6 over a stream
// socket. Packets are: 4-byte big-endian length (command byte included), the
// command byte, the data. Fails with a Status on any I/O or protocol problem.
#include "milterclient/milter_client.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <strings.h>
#include <unistd.h>

#include <cstring>

namespace sendguard {
namespace milterclient {
namespace {

constexpr uint32_t kMaxPacket = 16u << 20;  // far above anything legitimate

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

void PutU32(std::string* out, uint32_t v) {
  char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  out->append(b, 4);
}

uint32_t GetU32(const std::string& s, size_t pos) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

// Appends each string NUL-terminated.
std::string NulJoin(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& p : parts) { out += p; out.push_back('\0'); }
  return out;
}

std::string ArgList(const std::string& first, const std::vector<std::string>& rest) {
  std::string out = NulJoin({first});
  for (const std::string& a : rest) { out += a; out.push_back('\0'); }
  return out;
}

// Splits NUL-terminated strings starting at `pos`; false if the last is open.
bool SplitNul(const std::string& s, size_t pos, std::vector<std::string>* out) {
  while (pos < s.size()) {
    size_t end = s.find('\0', pos);
    if (end == std::string::npos) return false;
    out->push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return true;
}

char StageCommand(MacroStage stage) {
  switch (stage) {
    case MacroStage::kConnect: return 'C';
    case MacroStage::kHelo: return 'H';
    case MacroStage::kMail: return 'M';
    case MacroStage::kRcpt: return 'R';
    case MacroStage::kData: return 'T';
    case MacroStage::kEndOfMessage: return 'E';
    case MacroStage::kEndOfHeaders: return 'N';
  }
  return 'C';
}

std::string StripBraces(const std::string& n) {
  if (n.size() >= 2 && n.front() == '{' && n.back() == '}') return n.substr(1, n.size() - 2);
  return n;
}

Result<int> DialUnix(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa.sun_path)) return Status::InvalidArgument("socket path too long: " + path);
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(Errno("socket"));
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    Status s = Status::IoError(Errno("connect unix:" + path));
    close(fd);
    return s;
  }
  return fd;
}

Result<int> DialInet(const std::string& host, uint16_t port, bool nodelay) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) return Status::IoError("resolve " + host + ": " + gai_strerror(rc));
  Status last = Status::IoError("no address for " + host);
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) { last = Status::IoError(Errno("socket")); continue; }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      int one = nodelay ? 1 : 0;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      freeaddrinfo(res);
      return fd;
    }
    last = Status::IoError(Errno("connect inet:" + std::to_string(port) + "@" + host));
    close(fd);
  }
  freeaddrinfo(res);
  return last;
}

bool WaitFd(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  int rc;
  do { rc = poll(&p, 1, timeout_ms); } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

}  // namespace

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kContinue: return "continue";
    case Verdict::kAccept: return "accept";
    case Verdict::kReject: return "reject";
    case Verdict::kTempfail: return "tempfail";
    case Verdict::kDiscard: return "discard";
    case Verdict::kReplyCode: return "replycode";
    case Verdict::kSkip: return "skip";
    case Verdict::kConnFail: return "connfail";
    case Verdict::kShutdown: return "shutdown";
  }
  return "?";
}

const Modification* EomResult::FindHeader(const std::string& name) const {
  for (const Modification& m : mods) {
    if ((m.code == 'h' || m.code == 'i' || m.code == 'm') && strcasecmp(m.name.c_str(), name.c_str()) == 0) {
      return &m;
    }
  }
  return nullptr;
}

bool EomResult::Quarantined() const {
  for (const Modification& m : mods) if (m.code == 'q') return true;
  return false;
}

Result<SocketSpec> ParseSocketSpec(const std::string& spec) {
  SocketSpec out;
  size_t colon = spec.find(':');
  std::string kind = spec.substr(0, colon);
  std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if ((kind == "unix" || kind == "local") && !rest.empty()) {
    out.is_unix = true;
    out.path = rest;
    return out;
  }
  if ((kind == "inet" || kind == "inet6") && !rest.empty()) {
    size_t at = rest.find('@');
    std::string port = rest.substr(0, at);
    out.host = at == std::string::npos ? "127.0.0.1" : rest.substr(at + 1);
    char* end = nullptr;
    unsigned long p = std::strtoul(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p == 0 || p > 65535 || out.host.empty()) {
      return Status::InvalidArgument("bad inet socket spec '" + spec + "' (want inet:PORT@HOST)");
    }
    out.port = static_cast<uint16_t>(p);
    return out;
  }
  return Status::InvalidArgument("bad socket spec '" + spec + "' (want unix:/path or inet:PORT@HOST)");
}

Result<std::unique_ptr<MilterClient>> MilterClient::Open(const std::string& spec,
                                                         const ClientOptions& options) {
  Result<SocketSpec> parsed = ParseSocketSpec(spec);
  if (!parsed.ok()) return parsed.status();
  Result<int> fd = parsed->is_unix ? DialUnix(parsed->path)
                                   : DialInet(parsed->host, parsed->port, options.tcp_nodelay);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<MilterClient>(new MilterClient(*fd, options));
}

std::unique_ptr<MilterClient> MilterClient::Adopt(int fd, const ClientOptions& options) {
  return std::unique_ptr<MilterClient>(new MilterClient(fd, options));
}

MilterClient::MilterClient(int fd, const ClientOptions& options) : fd_(fd), options_(options) {}

MilterClient::~MilterClient() { Drop(); }

void MilterClient::Drop() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  out_.clear();
}

Status MilterClient::Fail(Status s) {
  Drop();
  return s;
}

void MilterClient::Queue(char cmd, const std::string& data) {
  PutU32(&out_, static_cast<uint32_t>(data.size() + 1));
  out_.push_back(cmd);
  out_ += data;
}

Status MilterClient::Flush() {
  if (fd_ < 0) return Status::IoError("milter connection is closed");
  size_t done = 0;
  while (done < out_.size()) {
    ssize_t n = send(fd_, out_.data() + done, out_.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) { done += static_cast<size_t>(n); continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (WaitFd(fd_, POLLOUT, options_.timeout_ms)) continue;
      return Fail(Status::IoError("timeout writing to filter"));
    }
    return Fail(Status::IoError(Errno("write to filter")));
  }
  bytes_sent_ += out_.size();
  out_.clear();
  return Status::Ok();
}

Status MilterClient::ReadPacket(char* cmd, std::string* data) {
  std::string header(4, '\0');
  size_t want = 4, got = 0;
  std::string* buf = &header;
  for (int phase = 0; phase < 2; ++phase) {
    while (got < want) {
      if (!WaitFd(fd_, POLLIN, options_.timeout_ms)) {
        return Fail(Status::IoError("timeout waiting for the filter's reply"));
      }
      ssize_t n = recv(fd_, &(*buf)[got], want - got, 0);
      if (n == 0) return Fail(Status::IoError("filter closed the connection"));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail(Status::IoError(Errno("read from filter")));
      got += static_cast<size_t>(n);
    }
    if (phase == 0) {
      uint32_t len = GetU32(header, 0);
      if (len == 0 || len > kMaxPacket) {
        return Fail(Status::Internal("bad packet length " + std::to_string(len) + " from filter"));
      }
      data->assign(len, '\0');
      buf = data; want = len; got = 0;
    }
  }
  *cmd = (*data)[0];
  data->erase(0, 1);
  return Status::Ok();
}

Status MilterClient::Negotiate() {
  std::string body;
  PutU32(&body, wire::kVersion);
  PutU32(&body, options_.actions);
  PutU32(&body, options_.protocol);
  Queue('O', body);
  Status s = Flush();
  if (!s.ok()) return s;
  char cmd;
  std::string data;
  s = ReadPacket(&cmd, &data);
  if (!s.ok()) return s;
  if (cmd != 'O' || data.size() < 12) {
    return Fail(Status::Internal(std::string("bad negotiation reply '") + cmd + "'"));
  }
  negotiated_.version = GetU32(data, 0);
  negotiated_.actions = GetU32(data, 4);
  negotiated_.protocol = GetU32(data, 8);
  if (negotiated_.version < 2 || negotiated_.version > wire::kVersion) {
    return Fail(Status::Internal("filter speaks unsupported milter version " +
                                 std::to_string(negotiated_.version)));
  }
  if ((negotiated_.actions & ~options_.actions) != 0 ||
      (negotiated_.protocol & ~options_.protocol) != 0) {
    return Fail(Status::Internal("filter asked for actions/protocol flags not offered"));
  }
  size_t pos = 12;
  while (pos + 4 < data.size()) {  // SMFIR_SETSYMLIST: stage, NUL-terminated names
    int stage = static_cast<int>(GetU32(data, pos));
    size_t end = data.find('\0', pos + 4);
    if (end == std::string::npos) return Fail(Status::Internal("unterminated macro list in negotiation"));
    std::string names = data.substr(pos + 4, end - pos - 4);
    std::vector<std::string>& list = negotiated_.macro_lists[stage];
    size_t start = 0;
    while (start < names.size()) {
      size_t sp = names.find(' ', start);
      if (sp == std::string::npos) sp = names.size();
      if (sp > start) list.push_back(StripBraces(names.substr(start, sp - start)));
      start = sp + 1;
    }
    pos = end + 1;
  }
  return Status::Ok();
}

bool MilterClient::MacroWanted(MacroStage stage, const std::string& name) const {
  auto it = negotiated_.macro_lists.find(static_cast<int>(stage));
  if (it == negotiated_.macro_lists.end()) return true;
  std::string bare = StripBraces(name);
  for (const std::string& n : it->second) if (n == bare) return true;
  return false;
}

Status MilterClient::SendMacros(MacroStage stage, const Macros& macros) {
  if (fd_ < 0) return Status::IoError("milter connection is closed");
  std::string body(1, StageCommand(stage));
  for (const auto& kv : macros) {
    if (!MacroWanted(stage, kv.first)) continue;
    body += NulJoin({kv.first, kv.second});
  }
  Queue('D', body);
  return Status::Ok();
}

// Turns a verdict packet into a Reply; false if `cmd` is not a verdict.
static bool ParseVerdict(char cmd, const std::string& data, Reply* r) {
  switch (cmd) {
    case 'c': r->verdict = Verdict::kContinue; return true;
    case 'a': r->verdict = Verdict::kAccept; return true;
    case 'r': r->verdict = Verdict::kReject; return true;
    case 't': r->verdict = Verdict::kTempfail; return true;
    case 'd': r->verdict = Verdict::kDiscard; return true;
    case 's': r->verdict = Verdict::kSkip; return true;
    case 'f': r->verdict = Verdict::kConnFail; return true;
    case '4': r->verdict = Verdict::kShutdown; return true;
    case 'y':
      r->verdict = Verdict::kReplyCode;
      r->reply_code = data.substr(0, data.find('\0'));
      return r->reply_code.size() >= 3 && (r->reply_code[0] == '4' || r->reply_code[0] == '5');
    default: return false;
  }
}

Result<Reply> MilterClient::ReadReply() {
  for (;;) {
    char cmd;
    std::string data;
    Status s = ReadPacket(&cmd, &data);
    if (!s.ok()) return s;
    if (cmd == 'p') continue;  // progress: keep waiting
    Reply r;
    if (!ParseVerdict(cmd, data, &r)) {
      return Fail(Status::Internal(std::string("unexpected reply '") + cmd + "' from filter"));
    }
    return r;
  }
}

Result<Reply> MilterClient::Step(char cmd, const std::string& data, uint32_t skip_flag,
                                 uint32_t no_reply_flag) {
  if (fd_ < 0) return Status::IoError("milter connection is closed");
  Reply r;
  if (skip_flag != 0 && negotiated_.Has(skip_flag)) {
    r.skipped = true;
    return r;
  }
  Queue(cmd, data);
  if (no_reply_flag != 0 && negotiated_.Has(no_reply_flag)) {
    r.no_reply = true;
    return r;
  }
  Status s = Flush();
  if (!s.ok()) return s;
  return ReadReply();
}

Result<Reply> MilterClient::Connect(const std::string& hostname, char family, uint16_t port,
                                    const std::string& address) {
  std::string body = NulJoin({hostname});
  body.push_back(family);
  if (family != 'U') {
    body.push_back(char(port >> 8));
    body.push_back(char(port & 0xff));
    body += NulJoin({address});
  }
  return Step('C', body, wire::kNoConnect, wire::kNrConnect);
}

Result<Reply> MilterClient::Helo(const std::string& name) {
  return Step('H', NulJoin({name}), wire::kNoHelo, wire::kNrHelo);
}

Result<Reply> MilterClient::Mail(const std::string& sender, const std::vector<std::string>& args) {
  body_skipped_ = false;
  return Step('M', ArgList(sender, args), wire::kNoMail, wire::kNrMail);
}

Result<Reply> MilterClient::Rcpt(const std::string& rcpt, const std::vector<std::string>& args) {
  return Step('R', ArgList(rcpt, args), wire::kNoRcpt, wire::kNrRcpt);
}

Result<Reply> MilterClient::Data() {
  if (negotiated_.version < 4) { Reply r; r.skipped = true; return r; }
  return Step('T', "", wire::kNoData, wire::kNrData);
}

Result<Reply> MilterClient::Header(const std::string& name, const std::string& value) {
  size_t start = 0;
  if (!negotiated_.Has(wire::kHeaderLeadingSpace)) {
    while (start < value.size() && (value[start] == ' ' || value[start] == '\t')) ++start;
  }
  return Step('L', NulJoin({name, value.substr(start)}), wire::kNoHeaders, wire::kNrHeader);
}

Result<Reply> MilterClient::EndOfHeaders() {
  return Step('N', "", wire::kNoEoh, wire::kNrEoh);
}

Result<Reply> MilterClient::Body(const std::string& chunk) {
  Reply last;
  if (chunk.empty()) { last.skipped = true; return last; }  // MTAs send no empty chunk
  for (size_t pos = 0; pos < chunk.size(); pos += wire::kMaxChunk) {
    if (body_skipped_) { last.skipped = true; return last; }
    Result<Reply> r = Step('B', chunk.substr(pos, wire::kMaxChunk), wire::kNoBody, wire::kNrBody);
    if (!r.ok()) return r;
    last = *r;
    if (last.verdict == Verdict::kSkip) {
      if (!negotiated_.Has(wire::kSkip)) return Fail(Status::Internal("filter sent SKIP without negotiating it"));
      body_skipped_ = true;
    }
    if (last.Final()) break;
  }
  return last;
}

// Parses one modification packet (SMFIR_ADDHEADER ... SMFIR_REPLBODY).
static bool ParseModification(char cmd, const std::string& data, Modification* m) {
  m->code = cmd;
  if (cmd == 'b') { m->name = data; return true; }
  size_t off = (cmd == 'i' || cmd == 'm') ? 4 : 0;
  std::vector<std::string> parts;
  if (data.size() < off || !SplitNul(data, off, &parts) || parts.empty()) return false;
  if (off) m->index = GetU32(data, 0);
  m->name = parts[0];
  if (parts.size() > 1) m->value = parts[1];
  bool is_header = cmd == 'h' || cmd == 'i' || cmd == 'm';
  return !is_header || parts.size() == 2;
}

Result<EomResult> MilterClient::EndOfMessage() {
  if (fd_ < 0) return Status::IoError("milter connection is closed");
  Queue('E', "");
  Status s = Flush();
  if (!s.ok()) return s;
  EomResult result;
  for (;;) {
    char cmd;
    std::string data;
    s = ReadPacket(&cmd, &data);
    if (!s.ok()) return s;
    if (cmd == 'p') continue;
    if (std::strchr("himqe+2-b", cmd) != nullptr) {
      Modification m;
      if (!ParseModification(cmd, data, &m)) {
        return Fail(Status::Internal(std::string("malformed modification '") + cmd + "' from filter"));
      }
      result.mods.push_back(std::move(m));
      continue;
    }
    if (cmd == 's' || !ParseVerdict(cmd, data, &result.reply)) {
      return Fail(Status::Internal(std::string("unexpected end-of-message reply '") + cmd + "'"));
    }
    return result;
  }
}

Status MilterClient::Abort() {
  if (fd_ < 0) return Status::IoError("milter connection is closed");
  Queue('A', "");
  return Flush();
}

Status MilterClient::Quit() {
  if (fd_ < 0) return Status::IoError("milter connection is closed");
  Queue('Q', "");
  Status s = Flush();
  Drop();
  return s;
}

Status MilterClient::QuitKeepConnection() {
  if (fd_ < 0) return Status::IoError("milter connection is closed");
  Queue('K', "");
  return Flush();
}

}  // namespace milterclient
}  // namespace sendguard
