// milterclient/mta_session.cc — corpus loading and the MTA-side message conversation.
#include "milterclient/mta_session.h"

#include <dirent.h>
#include <strings.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace sendguard {
namespace milterclient {
namespace {

std::string DomainOf(const std::string& addr) {
  size_t at = addr.rfind('@');
  return at == std::string::npos ? "" : addr.substr(at + 1);
}

// Splits text into lines without their line ends (LF or CRLF).
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl;
    size_t stop = (end > pos && text[end - 1] == '\r') ? end - 1 : end;
    out.push_back(text.substr(pos, stop - pos));
    pos = end + 1;
  }
  return out;
}

bool SkippedName(const std::string& n) {
  return n.empty() || n[0] == '.' || n.compare(0, 6, "README") == 0;
}

Status Decide(const Result<Reply>& r, const char* step, MessageOutcome* out, bool* done) {
  if (!r.ok()) return Status(r.status());
  *done = r->Final();
  if (*done) {
    out->verdict = r->verdict;
    out->reply_code = r->reply_code;
    out->decided_at = step;
  }
  return Status::Ok();
}

}  // namespace

bool MessageOutcome::HasHeader(const std::string& name) const {
  for (const Modification& m : mods) {
    if ((m.code == 'h' || m.code == 'i') && strcasecmp(m.name.c_str(), name.c_str()) == 0) return true;
  }
  return false;
}

std::string AddressDomain(const std::string& from_value) {
  std::string addr = from_value;
  size_t lt = addr.rfind('<');
  if (lt != std::string::npos) addr = addr.substr(lt + 1, addr.find('>', lt) - lt - 1);
  std::string domain = DomainOf(addr);
  size_t end = domain.find_first_of(" \t\r\n>,;");
  if (end != std::string::npos) domain.resize(end);
  std::transform(domain.begin(), domain.end(), domain.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return domain;
}

Result<CorpusMessage> ParseMessage(const std::string& name, const std::string& text) {
  CorpusMessage msg;
  msg.name = name;
  std::vector<std::string> lines = Lines(text);
  size_t i = 0;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string& line = lines[i];
    if (line[0] == ' ' || line[0] == '\t') {
      if (msg.headers.empty()) {
        return Status::InvalidArgument(name + ":" + std::to_string(i + 1) + ": continuation line before any header");
      }
      msg.headers.back().second += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument(name + ":" + std::to_string(i + 1) + ": header line without a name and colon");
    }
    msg.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  if (msg.headers.empty()) return Status::InvalidArgument(name + ":1: message has no headers");
  for (const auto& h : msg.headers) {
    if (strcasecmp(h.first.c_str(), "From") != 0) continue;
    msg.from_domain = AddressDomain(h.second);
    break;
  }
  for (size_t h = 0; h <= i && h < lines.size(); ++h) msg.size += lines[h].size() + 2;
  for (++i; i < lines.size(); ++i) msg.body += lines[i] + "\r\n";
  msg.size += msg.body.size();
  return msg;
}

Result<std::vector<CorpusMessage>> LoadCorpus(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Status::IoError("cannot open corpus directory " + dir);
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    if (!SkippedName(e->d_name)) names.push_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<CorpusMessage> out;
  for (const std::string& n : names) {
    std::string path = dir + "/" + n;
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::IoError(path + ": cannot read");
    Result<CorpusMessage> m = ParseMessage(path, text.str());
    if (!m.ok()) return m.status();
    out.push_back(std::move(m).value());
    out.back().name = n;
  }
  if (out.empty()) return Status::InvalidArgument(dir + ": no messages in corpus directory");
  return out;
}

Status OpenSession(MilterClient* client, const ClientIdentity& id, MessageOutcome* outcome) {
  Status s = client->Negotiate();
  if (!s.ok()) return s;
  client->SendMacros(MacroStage::kConnect,
                     {{"j", id.mta_name}, {"{daemon_name}", "bench-mta"},
                      {"{client_addr}", id.client_addr}, {"{client_name}", id.client_name},
                      {"{client_port}", std::to_string(id.client_port)},
                      {"{if_addr}", "127.0.0.1"}, {"_", id.client_name + " [" + id.client_addr + "]"}});
  char family = id.client_addr.find(':') != std::string::npos ? '6' : '4';
  bool done = false;
  s = Decide(client->Connect(id.client_name, family, id.client_port, id.client_addr), "connect",
             outcome, &done);
  if (!s.ok() || done) return s;
  client->SendMacros(MacroStage::kHelo, {{"{tls_version}", "TLSv1.3"}, {"{cipher}", "TLS_AES_256_GCM_SHA384"}});
  return Decide(client->Helo(id.helo), "helo", outcome, &done);
}

Status PlayEnvelope(MilterClient* client, const Envelope& env, MessageOutcome* out, bool* done) {
  Macros mail = {{"i", env.queue_id}, {"{mail_addr}", env.sender},
                 {"{mail_host}", DomainOf(env.sender)}, {"{mail_mailer}", "smtp"}};
  if (!env.auth_user.empty()) {
    mail.push_back({"{auth_type}", "PLAIN"});
    mail.push_back({"{auth_authen}", env.auth_user});
  }
  client->SendMacros(MacroStage::kMail, mail);
  Status s = Decide(client->Mail("<" + env.sender + ">", {"SIZE=1000"}), "mail", out, done);
  if (!s.ok() || *done) return s;
  for (const std::string& rcpt : env.rcpts) {
    client->SendMacros(MacroStage::kRcpt, {{"{rcpt_addr}", rcpt}, {"{rcpt_host}", DomainOf(rcpt)},
                                           {"{rcpt_mailer}", "smtp"}});
    s = Decide(client->Rcpt("<" + rcpt + ">"), "rcpt", out, done);
    if (!s.ok() || *done) return s;
  }
  client->SendMacros(MacroStage::kData, {{"i", env.queue_id}});
  return Decide(client->Data(), "data", out, done);
}

Status PlayHeaders(MilterClient* client, const CorpusMessage& msg, const Envelope& env,
                   MessageOutcome* out, bool* done) {
  for (const auto& h : msg.headers) {
    Status s = Decide(client->Header(h.first, h.second), "header", out, done);
    if (!s.ok() || *done) return s;
  }
  client->SendMacros(MacroStage::kEndOfHeaders, {{"i", env.queue_id}});
  return Decide(client->EndOfHeaders(), "eoh", out, done);
}

Status PlayBody(MilterClient* client, const std::string& body, MessageOutcome* out, bool* done) {
  return Decide(client->Body(body), "body", out, done);
}

Status PlayEndOfMessage(MilterClient* client, const Envelope& env, MessageOutcome* out) {
  client->SendMacros(MacroStage::kEndOfMessage, {{"i", env.queue_id}});
  Result<EomResult> r = client->EndOfMessage();
  if (!r.ok()) return r.status();
  out->verdict = r->reply.verdict;
  out->reply_code = r->reply.reply_code;
  out->mods = std::move(r->mods);
  out->decided_at = "eom";
  return Status::Ok();
}

Status PlayMessage(MilterClient* client, const CorpusMessage& msg, const Envelope& env,
                   MessageOutcome* out) {
  bool done = false;
  Status s = PlayEnvelope(client, env, out, &done);
  if (s.ok() && !done) s = PlayHeaders(client, msg, env, out, &done);
  if (s.ok() && !done) s = PlayBody(client, msg.body, out, &done);
  if (!s.ok()) return s;
  if (done) return client->Abort();
  return PlayEndOfMessage(client, env, out);
}

}  // namespace milterclient
}  // namespace sendguard
