// tests/loadgen/miltergen.cc — milter-protocol load generator.
//
//   miltergen --socket unix:/path|inet:PORT@HOST [--connections N]
//             (--messages M | --seconds S) --corpus DIR [--users N]
//             [--login-domain D] [--per-connection K] [--timeout-ms T]
//             [--json OUT] [--quiet]
//
// N threads each open a milter connection, play an MTA session (negotiate,
// connect, helo) and then K messages (default 5, like an SMTP session that
// sends several) before QUIT and a fresh connection. Messages cycle through
// the corpus; {auth_authen} cycles through user1@DOM..userN@DOM (--users 0:
// no AUTH) and MAIL FROM is that login, where DOM is the domain of the
// message's From header (so a filter's default "login user@dom may send as
// @dom" rule accepts it), or D when --login-domain is given.
// Latency of a message is from MAIL to the final verdict. Prints msgs/s,
// p50/p90/p99/max latency, verdict counts (accept, tempfail, reject,
// quarantine, ...; "tempfail@rcpt" when decided before end of message; a
// 4xx/5xx reply code counts as tempfail/reject), headers the filter added and
// errors; --json writes the same as one JSON object. Exit status: 0 when the
// run had no errors, 1 with errors, 2 on bad usage.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "milterclient/milter_client.h"
#include "milterclient/mta_session.h"

namespace sendguard {
namespace milterclient {
namespace {

struct GenOptions {
  std::string socket;           // required
  int connections = 1;          // concurrent connections; default 1
  long messages = 0;            // total messages (0: use seconds)
  double seconds = 0;           // run time when messages == 0
  std::string corpus;           // required
  int users = 100;              // {auth_authen} pool size; default 100, 0 = no AUTH
  std::string login_domain;     // domain of logins; default "": the message's From domain
  int per_connection = 5;       // messages per milter connection; default 5
  int timeout_ms = 10000;       // per reply; default 10 s
  std::string json;             // output file; default none
  bool quiet = false;
};

using Clock = std::chrono::steady_clock;

struct WorkerStats {
  std::vector<double> latency_ms;
  std::map<std::string, long> verdicts;
  std::map<std::string, long> headers;
  std::vector<std::string> error_samples;
  long errors = 0;
  long connections = 0;
  uint64_t bytes = 0;
};

struct Shared {
  const GenOptions* opt;
  const std::vector<CorpusMessage>* corpus;
  std::atomic<long> next{0};
  Clock::time_point deadline;
  std::atomic<uint32_t> negotiated_actions{0};   // as the filter answered
  std::atomic<uint32_t> negotiated_protocol{0};
};

// Claims the next message number; -1 when the run is over.
long Claim(Shared* sh) {
  if (sh->opt->messages > 0) {
    long n = sh->next.fetch_add(1);
    return n < sh->opt->messages ? n : -1;
  }
  if (Clock::now() >= sh->deadline) return -1;
  return sh->next.fetch_add(1);
}

void RecordError(WorkerStats* st, const std::string& what) {
  ++st->errors;
  if (st->error_samples.size() < 5) st->error_samples.push_back(what);
}

Envelope MakeEnvelope(const GenOptions& opt, const CorpusMessage& msg, long n) {
  Envelope env;
  std::string domain = !opt.login_domain.empty() ? opt.login_domain
                       : !msg.from_domain.empty() ? msg.from_domain : "example.com";
  int user = opt.users > 0 ? static_cast<int>(n % opt.users) + 1 : 0;
  env.auth_user = user > 0 ? "user" + std::to_string(user) + "@" + domain : "";
  env.sender = user > 0 ? env.auth_user : "webapp@" + domain;
  for (long r = 0; r <= n % 3; ++r) {
    env.rcpts.push_back("rcpt" + std::to_string((n + r) % 1000) + "@dest" + std::to_string(r) + ".example");
  }
  char qid[32];
  std::snprintf(qid, sizeof(qid), "4B%010lX", n);
  env.queue_id = qid;
  return env;
}

// The verdict as the MTA acts on it: a filter that answers with its own
// SMTP reply (SMFIR_REPLYCODE, as sendguard always does) tempfails with a
// 4xx and rejects with a 5xx.
std::string VerdictOf(const MessageOutcome& out) {
  if (out.verdict == Verdict::kContinue) return "accept";
  if (out.verdict == Verdict::kReplyCode && !out.reply_code.empty()) {
    if (out.reply_code[0] == '4') return "tempfail";
    if (out.reply_code[0] == '5') return "reject";
  }
  return VerdictName(out.verdict);
}

void Record(WorkerStats* st, const MessageOutcome& out, Clock::time_point t0) {
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  st->latency_ms.push_back(ms);
  std::string v = VerdictOf(out);
  for (const Modification& m : out.mods) {
    if (m.code == 'q') v = "quarantine";
    if (m.code == 'h' || m.code == 'i') ++st->headers[m.name];
  }
  if (out.decided_at != "eom") v += "@" + out.decided_at;  // e.g. "reject@rcpt"
  ++st->verdicts[v];
}

// One connection: session setup, then up to per_connection messages.
void RunConnection(Shared* sh, WorkerStats* st, int worker) {
  long n = Claim(sh);
  if (n < 0) return;
  ClientOptions copt;
  copt.timeout_ms = sh->opt->timeout_ms;
  Result<std::unique_ptr<MilterClient>> client = MilterClient::Open(sh->opt->socket, copt);
  if (!client.ok()) {
    RecordError(st, client.status().ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // do not spin on a dead filter
    return;
  }
  ++st->connections;
  ClientIdentity id;
  id.client_port = static_cast<uint16_t>(40000 + worker);
  MessageOutcome session;
  Status s = OpenSession(client->get(), id, &session);
  if (!s.ok()) { RecordError(st, "session: " + s.ToString()); return; }
  sh->negotiated_actions.store((*client)->negotiated().actions);
  sh->negotiated_protocol.store((*client)->negotiated().protocol);
  if (!session.decided_at.empty()) {  // connection refused by the filter
    Record(st, session, Clock::now());
    (*client)->Quit();
    return;
  }
  for (int k = 0; n >= 0; ++k) {
    const CorpusMessage& msg = (*sh->corpus)[n % sh->corpus->size()];
    MessageOutcome out;
    Clock::time_point t0 = Clock::now();
    s = PlayMessage(client->get(), msg, MakeEnvelope(*sh->opt, msg, n), &out);
    if (!s.ok()) { RecordError(st, msg.name + ": " + s.ToString()); break; }
    Record(st, out, t0);
    if (k + 1 >= sh->opt->per_connection) break;
    n = Claim(sh);
  }
  st->bytes += (*client)->bytes_sent();
  if ((*client)->connected()) (*client)->Quit();
}

void Worker(Shared* sh, WorkerStats* st, int worker) {
  for (;;) {
    bool over = sh->opt->messages > 0 ? sh->next.load() >= sh->opt->messages
                                      : Clock::now() >= sh->deadline;
    if (over) return;
    RunConnection(sh, st, worker);
  }
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * (sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c < 0x20) { char b[8]; std::snprintf(b, sizeof(b), "\\u%04x", c); out += b; }
    else out += static_cast<char>(c);
  }
  return out + "\"";
}

std::string JsonMap(const std::map<std::string, long>& m) {
  std::string out = "{";
  for (const auto& kv : m) out += (out.size() > 1 ? ", " : "") + JsonString(kv.first) + ": " + std::to_string(kv.second);
  return out + "}";
}

struct Totals {
  WorkerStats all;
  uint32_t actions = 0;
  uint32_t protocol = 0;
  double seconds = 0;
  long messages = 0;
};

std::string Fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof(b), "%.3f", v);
  return b;
}

std::string Hex(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof(b), "0x%06x", v);
  return b;
}

std::string ToJson(const GenOptions& opt, const Totals& t) {
  const std::vector<double>& l = t.all.latency_ms;
  double mean = 0;
  for (double x : l) mean += x;
  mean = l.empty() ? 0 : mean / l.size();
  std::ostringstream o;
  o << "{\"socket\": " << JsonString(opt.socket) << ", \"connections\": " << opt.connections
    << ", \"users\": " << opt.users << ", \"login_domain\": " << JsonString(opt.login_domain)
    << ", \"corpus\": " << JsonString(opt.corpus)
    << ", \"messages\": " << t.messages << ", \"seconds\": " << Fmt(t.seconds)
    << ", \"msgs_per_s\": " << Fmt(t.seconds > 0 ? t.messages / t.seconds : 0)
    << ", \"mb_per_s\": " << Fmt(t.seconds > 0 ? t.all.bytes / 1e6 / t.seconds : 0)
    << ", \"latency_ms\": {\"p50\": " << Fmt(Percentile(l, 50)) << ", \"p90\": " << Fmt(Percentile(l, 90))
    << ", \"p99\": " << Fmt(Percentile(l, 99)) << ", \"max\": " << Fmt(l.empty() ? 0 : l.back())
    << ", \"mean\": " << Fmt(mean) << "}"
    << ", \"verdicts\": " << JsonMap(t.all.verdicts) << ", \"headers_added\": " << JsonMap(t.all.headers)
    << ", \"negotiated\": {\"actions\": \"" << Hex(t.actions) << "\", \"protocol\": \"" << Hex(t.protocol) << "\"}"
    << ", \"milter_connections\": " << t.all.connections << ", \"errors\": " << t.all.errors
    << ", \"error_samples\": [";
  for (size_t i = 0; i < t.all.error_samples.size(); ++i) o << (i ? ", " : "") << JsonString(t.all.error_samples[i]);
  o << "]}";
  return o.str();
}

void PrintReport(const GenOptions& opt, const Totals& t) {
  const std::vector<double>& l = t.all.latency_ms;
  std::printf("miltergen %s: %d connection(s), %ld messages in %.2f s = %.1f msgs/s\n",
              opt.socket.c_str(), opt.connections, t.messages, t.seconds,
              t.seconds > 0 ? t.messages / t.seconds : 0);
  std::printf("  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", Percentile(l, 50),
              Percentile(l, 90), Percentile(l, 99), l.empty() ? 0 : l.back());
  std::printf("  verdicts:");
  for (const auto& kv : t.all.verdicts) std::printf(" %s=%ld", kv.first.c_str(), kv.second);
  std::printf("\n  headers added:");
  for (const auto& kv : t.all.headers) std::printf(" %s=%ld", kv.first.c_str(), kv.second);
  std::printf("\n  negotiated: actions %s protocol %s; milter connections: %ld\n",
              Hex(t.actions).c_str(), Hex(t.protocol).c_str(), t.all.connections);
  std::printf("  errors: %ld\n", t.all.errors);
  for (const std::string& e : t.all.error_samples) std::printf("    %s\n", e.c_str());
}

void Merge(const WorkerStats& w, WorkerStats* all) {
  all->latency_ms.insert(all->latency_ms.end(), w.latency_ms.begin(), w.latency_ms.end());
  for (const auto& kv : w.verdicts) all->verdicts[kv.first] += kv.second;
  for (const auto& kv : w.headers) all->headers[kv.first] += kv.second;
  for (const std::string& e : w.error_samples) {
    if (all->error_samples.size() < 10) all->error_samples.push_back(e);
  }
  all->errors += w.errors;
  all->connections += w.connections;
  all->bytes += w.bytes;
}

int Usage(const char* why) {
  std::fprintf(stderr,
               "miltergen: %s\nusage: miltergen --socket unix:/path|inet:PORT@HOST --corpus DIR\n"
               "         (--messages M | --seconds S) [--connections N] [--users N]\n"
               "         [--login-domain D] [--per-connection K] [--timeout-ms T]\n"
               "         [--json OUT] [--quiet]\n",
               why);
  return 2;
}

bool ParseArgs(int argc, char** argv, GenOptions* o, std::string* why) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quiet") { o->quiet = true; continue; }
    if (i + 1 >= argc) { *why = "missing value for " + a; return false; }
    std::string v = argv[++i];
    char* end = nullptr;
    double num = std::strtod(v.c_str(), &end);
    bool numeric = !v.empty() && *end == '\0';
    if (a == "--socket") o->socket = v;
    else if (a == "--corpus") o->corpus = v;
    else if (a == "--json") o->json = v;
    else if (a == "--login-domain") o->login_domain = v;
    else if (!numeric || num < 0) { *why = "bad value '" + v + "' for " + a; return false; }
    else if (a == "--connections") o->connections = static_cast<int>(num);
    else if (a == "--messages") o->messages = static_cast<long>(num);
    else if (a == "--seconds") o->seconds = num;
    else if (a == "--users") o->users = static_cast<int>(num);
    else if (a == "--per-connection") o->per_connection = static_cast<int>(num);
    else if (a == "--timeout-ms") o->timeout_ms = static_cast<int>(num);
    else { *why = "unknown option " + a; return false; }
  }
  if (o->socket.empty() || o->corpus.empty()) { *why = "--socket and --corpus are required"; return false; }
  if ((o->messages > 0) == (o->seconds > 0)) { *why = "give exactly one of --messages and --seconds"; return false; }
  if (o->connections < 1 || o->connections > 1024) { *why = "--connections must be 1..1024"; return false; }
  if (o->per_connection < 1) { *why = "--per-connection must be >= 1"; return false; }
  if (!ParseSocketSpec(o->socket).ok()) { *why = ParseSocketSpec(o->socket).status().ToString(); return false; }
  return true;
}

int Run(const GenOptions& opt) {
  Result<std::vector<CorpusMessage>> corpus = LoadCorpus(opt.corpus);
  if (!corpus.ok()) return Usage(corpus.status().ToString().c_str());
  Shared sh;
  sh.opt = &opt;
  sh.corpus = &corpus.value();
  Clock::time_point start = Clock::now();
  sh.deadline = start + std::chrono::microseconds(static_cast<long>(opt.seconds * 1e6));
  std::vector<WorkerStats> stats(opt.connections);
  std::vector<std::thread> threads;
  for (int i = 0; i < opt.connections; ++i) threads.emplace_back(Worker, &sh, &stats[i], i);
  for (std::thread& t : threads) t.join();
  Totals t;
  t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const WorkerStats& w : stats) Merge(w, &t.all);
  t.actions = sh.negotiated_actions.load();
  t.protocol = sh.negotiated_protocol.load();
  std::sort(t.all.latency_ms.begin(), t.all.latency_ms.end());
  t.messages = static_cast<long>(t.all.latency_ms.size());
  if (!opt.quiet) PrintReport(opt, t);
  if (!opt.json.empty()) {
    std::ofstream out(opt.json);
    out << ToJson(opt, t) << "\n";
    if (!out) { std::fprintf(stderr, "miltergen: cannot write %s\n", opt.json.c_str()); return 1; }
  }
  return t.all.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace milterclient
}  // namespace sendguard

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  sendguard::milterclient::GenOptions opt;
  std::string why;
  if (!sendguard::milterclient::ParseArgs(argc, argv, &opt, &why)) return sendguard::milterclient::Usage(why.c_str());
  return sendguard::milterclient::Run(opt);
}
