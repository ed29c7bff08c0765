// rules/received.cc — SpamAssassin's reading of Received headers, format by
// format, in its order (the first format that matches wins). Patterns are
// RE2 in Latin-1 mode (header bytes need not be UTF-8); the few Perl
// look-arounds of the original are done by hand where noted.
#include "rules/received.h"

#include <re2/re2.h>

#include <string>
#include <vector>

namespace sendguard {
namespace rules {
namespace {

const char kIpv4[] =
    R"(\b(?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.(?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.)"
    R"((?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.(?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\b)";

// IP_ADDRESS: IPv4, IPv4-mapped IPv6 and IPv6 (compressed or not).
std::string IpPattern() {
  const std::string h = "[a-f0-9]{1,4}", v4 = kIpv4;
  return "(?:" + v4 + "|(?:IPv6:)?(?:(?:" + h + ":){6}" + v4 + "|(?:" + h + ":){0,5}:?:(?:" + h +
         ":){0,5}" + v4 + "|(?:" + h + ":){7}" + h + "|(?:" + h + ":){1,7}(?::" + h + "){1,7}|:(?::" + h +
         "){1,7}|(?:" + h + ":){1,7}:))";
}

const char kLocalhost[] =
    R"((?:localhost(?:\.localdomain)?|\b127\.0\.0\.1\b|::ffff:127\.0\.0\.1|::1|(?:0{1,4}:){7}0{0,3}1|(?:0{1,4}:){1,6}:0{0,3}1))";

// "{IP}" and "{LH}" in a pattern stand for IP_ADDRESS and LOCALHOST.
std::string Expand(const char* pattern) {
  static const std::string ip = IpPattern();
  std::string out = pattern;
  for (size_t at; (at = out.find("{IP}")) != std::string::npos;) out.replace(at, 4, ip);
  for (size_t at; (at = out.find("{LH}")) != std::string::npos;) out.replace(at, 4, kLocalhost);
  return out;
}

RE2::Options Latin1() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  return o;
}

std::vector<const RE2*>& Registry() {
  static std::vector<const RE2*> all;
  return all;
}

struct Re {
  RE2 re;
  explicit Re(const char* pattern) : re(Expand(pattern), Latin1()) { Registry().push_back(&re); }
};

template <typename... A>
bool Has(const std::string& s, const Re& p, A*... a) {
  return RE2::PartialMatch(s, p.re, a...);
}

// The fields being collected, before the final clean-up.
struct Fields {
  std::string ip, helo, rdns, by, id, ident, envfrom, auth;
  bool has_envfrom = false;
  bool mta_looked_up_dns = false;
};

enum class Step { kEnough, kSkip, kFetcher, kQmailScanner, kOn };

// ---- clean-up of the line and the generic fields -------------------------

const Re kSpaces(R"(\s+)");
const Re kTrailingSemicolon(R"(\s?;$)");
const Re kDate(
    R"([\s;]+(?:(?:Mon|T(?:ue|hu)|Wed|Fri|S(?:at|un)), )?\d+ (?:J(?:an|u[nl])|Feb|Ma[ry]|A(?:pr|ug)|Sep|Oct|Nov|Dec) \d+ \d+:\d+(?::\d+)? \S+$)");
const Re kStartsFrom(R"((?i)^\(?from )");
const Re kWithLocalFor(R"(\bwith local for\b)");
const Re kFromByNoInfo(R"((?i)^from (\S+) by [^\s;]+ ?;)");
const Re kBracketV4(R"(^\[[\d.]+\]$)");
const Re kId(R"( id <?([^\s<>;]{3,}))");
const Re kHeloEq(R"(\bhelo=([-A-Za-z0-9.^+_&:=?!@%*$\\/]+)(?:[^-A-Za-z0-9.^+_&:=?!@%*$\\/]|$))");
const Re kHeloWord(R"(\b(?:HELO|EHLO) ([-A-Za-z0-9.^+_&:=?!@%*$\\/]+)(?:[^-A-Za-z0-9.^+_&:=?!@%*$\\/]|$))");
const Re kBy(R"( by (\S+)(?:[^-A-Za-z0-9;.]|$))");

std::string Normalize(std::string_view value) {
  std::string s(value);
  RE2::GlobalReplace(&s, kSpaces.re, " ");
  if (!s.empty() && s.front() == ' ') s.erase(0, 1);
  if (!s.empty() && s.back() == ' ') s.pop_back();
  while (RE2::Replace(&s, kTrailingSemicolon.re, "")) {
  }
  return s;
}

// ---- authentication -------------------------------------------------------

const Re kWithBy(" by ");
const Re kAuthWith(R"((?i) with ((?:ES|L|UTF8S|UTF8L)MTPS?A|ASMTP|HTTP[SU]?)(?: |;|$))");
const Re kGmailEsmtps(
    R"( by mx\.google\.com with ESMTPS id [a-z0-9]{1,4}sm[0-9]{2,9}[a-z]{3}\.[0-9]{1,3}\.[0-9]{4}\.(?:[0-6][0-9]\.){4}[0-6][0-9])");
const Re kGmailTls(R"(\(version=([^ ]+) cipher=([^)]+)\))");
const Re kCourierAuth(R"(^from .*?(?:\]\)|\)\]) \(AUTH: (LOGIN|PLAIN|DIGEST-MD5|CRAM-MD5) \S+(?:, .*?)?\) by )");
const Re kAuthenticatedWord("authenticated");
const Re kSendmailAuth(R"(^from .*?(?:\](?: \([^)]*\))?\)|\)\]) .*?\(.*?authenticated.*?\).*? by)");
const Re kGmx(R"(from \S* \((?:HELO|EHLO) \S*\) \[{IP}\] by (mail\.gmx\.(?:net|com)) \([^)]+\) with ((?:ESMTP|SMTP)))");
const Re kAuthenticatedAs(R"( \(authenticated as )");
const Re kCriticalPath(R"(\) by .+ \(\d{1,2}\.\d\.\d{3}(?:\.\d{1,3})?\) \(authenticated as .+\) id )");
const Re kPostfixSasl(R"(\) \(Authenticated sender: \S+\) by \S+ \(([^)]+)\) with )");
const Re kCommunigate(R"(CommuniGate Pro (?:HTTP|SMTP|XIMSS|IMAP))");
const Re kAccount(R"( \(account )");
const Re kExchangeDav(R"( with Microsoft Exchange Server HTTP-DAV\b)");
const Re kViaHttp(R"((?i) \(via (HTTP.?)\)(?: |;|$))");

std::string AuthOf(const std::string& s) {
  std::string a, b;
  bool by = Has(s, kWithBy);
  if (by && Has(s, kAuthWith, &a)) return a;
  if (Has(s, kGmailEsmtps) && Has(s, kGmailTls, &a, &b)) return "GMail - transport=" + a + " cipher=" + b;
  if (Has(s, kCourierAuth, &a)) return a;
  if (Has(s, kAuthenticatedWord) && Has(s, kSendmailAuth)) return "Sendmail";
  if (Has(s, kGmx, &a, &b)) return "GMX (" + b + " / " + a + ")";
  if (Has(s, kAuthenticatedAs) && Has(s, kCriticalPath)) return "CriticalPath";
  if (Has(s, kPostfixSasl, &a)) return a == "Postfix" ? a : "Postfix (" + a + ")";
  if (Has(s, kCommunigate) && Has(s, kAccount)) return "Communigate";
  if (Has(s, kExchangeDav)) return "HTTP-DAV";
  if (by && Has(s, kViaHttp, &a)) return a;
  return "";
}

// ---- "from " formats, in SpamAssassin's order ------------------------------

const Re kEnvFrom(R"((?i)(?:return-path:? |envelope-(?:sender|from)[ =])(\S+)\b)");
const Re kSquirrel(R"( \((?:SquirrelMail|NaSMail) authenticated user )");
const Re kSquirrelIp(R"(({IP})\b(.{10,80})by (\S+) with HTTP)");
const Re kAolWeb(R"(aol\.com)");
const Re kAolWebUi(R"(with HTTP \(WebMailUI\))");
const Re kAolWebIp(R"(({IP}) by (\S+) \({IP}\) with HTTP \(WebMailUI\))");

// Web mail handovers that name the client by IP only.
Step WebMail(const std::string& s, Fields* f) {
  std::string gap;
  if (Has(s, kSquirrel)) {
    // SquirrelMail: the IP must not run on into "." or "-" (Perl (?![.-])).
    if (Has(s, kSquirrelIp, &f->ip, &gap, &f->by) && gap[0] != '.' && gap[0] != '-') return Step::kEnough;
    f->ip.clear();
    f->by.clear();
  }
  if (Has(s, kAolWeb) && Has(s, kAolWebUi) && Has(s, kAolWebIp, &f->ip, &f->by)) return Step::kEnough;
  return Step::kOn;
}

const Re kSmtpsvc(" SMTPSVC");
const Re kSmtpsvcRelay(R"(^(\S*) \(\[({IP})\][^)]{0,40}\) by (\S+) with Microsoft SMTPSVC)");
const Re kSmtpsvcPickup(R"(^mail pickup service by (\S+) with Microsoft SMTPSVC$)");
const Re kMsSmtpServer(R"( with (?:Microsoft SMTP Server|mapi id) (?:\([^)]+\) )?\d+\.\d+\.\d+\.\d+(?:$| ))");
const Re kMsSmtpRelay(R"(^(\S+) \(\[?({IP})(?:%[A-Z0-9._~-]*)?\]?\) by (\S+) )");
const Re kXmail(R"(\[XMail )");
const Re kXmailRelay(R"(^(\S+) \((\[?{IP}\]?)(?::\d+)\) by (\S+)(?: \(\S+\))? with \[XMail)");
const Re kXmailId(R"( id <(\S+)>)");
const Re kXmailFrom(R"( from <(\S+)>)");
const Re kEcelerity(R"(\(ecelerity\b)");
const Re kEcelerityHelo(R"(^\(\[({IP}):\d+\] helo=(\S+)\) by (\S+) )");
const Re kEcelerityPlain(R"(^\S+ \(\[({IP}):\d+\]\) by (\S+) )");

// The MTA-specific branches that SpamAssassin tries first (an if/elsif
// chain on a marker word; a branch that does not parse falls through).
Step MicrosoftXmailEcelerity(const std::string& s, Fields* f) {
  if (Has(s, kSmtpsvc)) {
    if (Has(s, kSmtpsvcRelay, &f->helo, &f->ip, &f->by)) return Step::kEnough;
    if (Has(s, kSmtpsvcPickup)) return Step::kSkip;
    return Step::kOn;
  }
  if (Has(s, kMsSmtpServer)) {
    if (Has(s, kMsSmtpRelay, &f->helo, &f->ip, &f->by)) {
      f->id.clear();
      return Step::kEnough;
    }
    return Step::kOn;
  }
  if (Has(s, kXmail)) {
    if (Has(s, kXmailRelay, &f->helo, &f->ip, &f->by)) {
      Has(s, kXmailId, &f->id);
      if (Has(s, kXmailFrom, &f->envfrom)) f->has_envfrom = true;
      return Step::kEnough;
    }
    return Step::kOn;
  }
  if (Has(s, kEcelerity)) {
    if (Has(s, kEcelerityHelo, &f->ip, &f->helo, &f->by)) return Step::kEnough;
    if (Has(s, kEcelerityPlain, &f->ip, &f->by)) return Step::kEnough;
  }
  return Step::kOn;
}

const Re kExim("Exim");
const Re kEximLocal(R"(\bwith local(?:-\S+)? )");
const Re kEximBracket(R"(^\[({IP})\] \((.*?)\) by (\S+) )");
const Re kEximRdns(R"(^(\S+) \(\[({IP})\](.*?)\) by (\S+) )");
const Re kEximBare(R"(^(\S+) \[({IP})\](?::\d+)? by (\S+) )");
const Re kEximFirstWord(R"(^(\S+) )");
const Re kEximParen(R"( \((\S+)\) )");
const Re kEximIp(R"( \[({IP})(?:\.\d+)?\] )");
const Re kEximBy(R"(by (\S+) )");
const Re kSubHelo(R"(helo=(\S+))");
const Re kSubIdent(R"(ident=(\S*))");

// "helo=" and "ident=" inside an Exim-style comment.
void HeloIdentOf(std::string sub, Fields* f) {
  std::string v;
  if (Has(sub, kSubHelo, &v)) {
    f->helo = v;
    RE2::Replace(&sub, kSubHelo.re, "");
  }
  if (Has(sub, kSubIdent, &v)) f->ident = v;
}

Step Exim(const std::string& s, Fields* f) {
  std::string sub;
  if (Has(s, kEximLocal)) return Step::kSkip;
  if (Has(s, kEximBracket, &f->ip, &sub, &f->by)) {
    HeloIdentOf(sub, f);
    return Step::kEnough;
  }
  if (Has(s, kEximRdns, &f->rdns, &f->ip, &sub, &f->by)) {
    f->helo = f->rdns;
    HeloIdentOf(sub, f);
    return Step::kEnough;
  }
  if (Has(s, kEximBare, &f->rdns, &f->ip, &f->by)) {
    f->helo = f->rdns;
    return Step::kEnough;
  }
  Has(s, kEximFirstWord, &f->rdns);
  Has(s, kEximParen, &f->helo);
  Has(s, kEximIp, &f->ip);
  if (Has(s, kEximBy, &f->by) && !f->ip.empty()) return Step::kEnough;
  return Step::kOn;
}

const Re kPostfixMarker(R"( \(Postfix\) with)");
const Re kPostfixRelay(R"(^(\S+) \((\S+) \[({IP})\]\) by (\S+) )");
const Re kPostfixPobox(R"(^(\S+) \((\S+)\[({IP})\]\) by (\S+) )");
const Re kScalix(R"(\(Scalix SMTP Relay)");
const Re kScalixRelay(R"(^(\S+) \( ?({IP})\) by (\S+))");
const Re kDomino(R"( \(Lotus Domino )");
const Re kDominoRelay(R"(^(\S+) \(\[({IP})\]\) by (\S+) \(Lotus)");

Step PostfixScalixDomino(const std::string& s, Fields* f) {
  if (Has(s, kPostfixMarker)) {
    if (Has(s, kPostfixRelay, &f->helo, &f->rdns, &f->ip, &f->by) ||
        Has(s, kPostfixPobox, &f->helo, &f->rdns, &f->ip, &f->by)) {
      f->mta_looked_up_dns = true;
      if (f->rdns == "unknown") f->rdns.clear();
      return Step::kEnough;
    }
    return Step::kOn;
  }
  if (Has(s, kScalix)) return Has(s, kScalixRelay, &f->helo, &f->ip, &f->by) ? Step::kEnough : Step::kOn;
  if (Has(s, kDomino)) return Has(s, kDominoRelay, &f->helo, &f->ip, &f->by) ? Step::kEnough : Step::kOn;
  return Step::kOn;
}

const Re kWithHttpWord(R"(\bwith HTTP\b)");
const Re kHttpNumeric(R"(^({IP}) \(\[{IP}\]\) by (\S+))");
const Re kQmailLdapBy(R"( by \S+ \(qmail-\S+\) with )");
const Re kSendmail(R"(^(\S+) \((\S+) \[({IP})\].*\) by (\S+) \()");
const Re kIdentPrefix(R"(^IDENT:([^@]*)@)");
const Re kAtPrefix(R"(^([^@]*)@)");

Step SendmailFirst(const std::string& s, Fields* f) {
  if (Has(s, kWithHttpWord) && Has(s, kHttpNumeric, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kQmailLdapBy)) return Step::kOn;
  if (!Has(s, kSendmail, &f->helo, &f->rdns, &f->ip, &f->by)) return Step::kOn;
  f->mta_looked_up_dns = true;
  std::string ident;
  if (RE2::PartialMatch(f->rdns, kIdentPrefix.re, &ident)) {
    RE2::Replace(&f->rdns, kIdentPrefix.re, "");
    f->ident = ident;
  }
  if (RE2::PartialMatch(f->rdns, kAtPrefix.re, &ident)) {
    RE2::Replace(&f->rdns, kAtPrefix.re, "");
    f->ident = ident;
  }
  return Step::kEnough;
}

const Re kExchangeIms(R"(^(\S+) \((\S+) \[({IP})\]\) by (\S+) with \S+ \()");
const Re kHeloEqRelay(R"(^(\S+) \(\[({IP})\] helo=(\S+)\) by (\S+) with )");
const Re kUnknownDomain(R"(^(\S+) \(<unknown\S*>\[({IP})\]\) by (\S+) )");
const Re kAttbi(R"(^(\S+) \((\S+\.\S+)\[({IP})\]\) by (\S+) )");
const Re kIdentAtBracket(R"(^(\S+) \((\S*)@\[({IP})\].*\) by (\S+) \()");
const Re kHotmailBy(R"(by (\S+\.hotmail\.msn\.com) )");
const Re kLeadingIp(R"(^({IP}) )");
const Re kQpsmtpd(R"(^(\S+) \((?:HELO|EHLO) (\S*)\) \(({IP})\) by (\S+) \(qpsmtpd/\S+\) with (?:ESMTP|SMTP))");
const Re kLmtp(R"(^(\S+) \(LHLO (\S*)\) \(({IP})\) by (\S+) with LMTP)");
const Re kGmxHelo(R"(^(\S+) \((?:HELO|EHLO) (\S*)\) \[({IP})\] by (\S+) \([^)]+\) with (?:ESMTP|SMTP))");
const Re kSmtpdFor(R"(^(\S+) \(\[({IP})\]\) by (\S+) via smtpd \(for \S+\) with SMTP\()");

Step NonStandardA(const std::string& s, Fields* f) {
  if (Has(s, kExchangeIms, &f->helo, &f->rdns, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kHeloEqRelay, &f->rdns, &f->ip, &f->helo, &f->by)) return Step::kEnough;
  if (Has(s, kUnknownDomain, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kAttbi, &f->helo, &f->rdns, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kIdentAtBracket, &f->helo, &f->ident, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kHotmailBy, &f->by)) {
    Has(s, kLeadingIp, &f->ip);
    return Step::kEnough;
  }
  if (Has(s, kQpsmtpd, &f->rdns, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kLmtp, &f->rdns, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kGmxHelo, &f->rdns, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kSmtpdFor, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  return Step::kOn;
}

// qmail's family of formats; " id " right after the protocol means it is
// sendmail's (Perl (?! id ), checked by hand).
const Re kQmail(
    R"(^\S+(?: \((?:HELO|EHLO) \S*\))? \((?:\S+@)?\[?{IP}\]?\)(?: \(envelope-sender <\S+>\))? by \S+(?: \(.+\))* with (?:.* )?(?:SMTP|QMQP)(.*)$)");
const Re kQmailHeloIdent(R"(^(\S+) \((?:HELO|EHLO) ([^ ()]*)\) \((\S*)@\[?({IP})\]?\)(?: \(envelope-sender <\S+>\))? by (\S+))");
const Re kQmailHelo(R"(^(\S+) \((?:HELO|EHLO) ([^ ()]*)\) \(\[?({IP})\]?\)(?: \(envelope-sender <\S+>\))? by (\S+))");
const Re kQmailIdent(R"(^(\S+) \((\S*)@\[?({IP})\]?\)(?: \(envelope-sender <\S+>\))? by (\S+))");
const Re kQmailPlain(R"(^(\S+) \(\[?({IP})\]?\)(?: \(envelope-sender <\S+>\))? by (\S+))");

bool QmailLine(const std::string& s) {
  // Perl backtracks into the greedy parts until the text after SMTP|QMQP
  // does not start with " id "; try each way the line can be cut.
  std::string rest;
  if (!Has(s, kQmail, &rest)) return false;
  if (rest.compare(0, 4, " id ") != 0) return true;
  for (size_t at = s.find("SMTP"); at != std::string::npos; at = s.find("SMTP", at + 1)) {
    if (s.compare(at + 4, 4, " id ") != 0 && Has(s.substr(0, at + 4), kQmail, &rest)) return true;
  }
  for (size_t at = s.find("QMQP"); at != std::string::npos; at = s.find("QMQP", at + 1)) {
    if (s.compare(at + 4, 4, " id ") != 0 && Has(s.substr(0, at + 4), kQmail, &rest)) return true;
  }
  return false;
}

Step Qmail(const std::string& s, Fields* f) {
  if (!QmailLine(s)) return Step::kOn;
  if (Has(s, kQmailHeloIdent, &f->rdns, &f->helo, &f->ident, &f->ip, &f->by)) {
  } else if (Has(s, kQmailHelo, &f->rdns, &f->helo, &f->ip, &f->by)) {
  } else if (Has(s, kQmailIdent, &f->rdns, &f->ident, &f->ip, &f->by)) {
    f->helo = f->rdns;
  } else if (Has(s, kQmailPlain, &f->rdns, &f->ip, &f->by)) {
    f->helo = f->rdns;
  }
  if (f->rdns != "unknown") f->mta_looked_up_dns = true;
  else f->rdns.clear();
  return Step::kEnough;
}

const Re kViaHttpEnd(R"( via HTTP$)");
const Re kYahooHttp(R"(^\[({IP})\] by (\S+) via HTTP$)");
const Re kAsUser(R"(^\S+ \( \[({IP})\]\).*? by (\S+) )");
const Re kParenRdnsIp(R"(^\((\S+) \[({IP})\]\) by (\S+) )");
const Re kBracketIpBy(R"(^\[({IP})\] by (\S+) )");
const Re kParenIpBy(R"(^\(\[?({IP})\]?\) by (\S+) )");
const Re kMdaemon(R"(^(\S+) \[({IP})\] by (\S+) \[{IP}\] with )");
const Re kMdaemon19(R"(^(\S+) \[\(({IP})\)\] by (\S+) \({IP}\) )");
const Re kSendmailNoRdns(R"(^(\S+) \(\[({IP})\]\) by (\S+) \()");
const Re kSendmailLoose(R"(^(\S+) \((\S+) \[({IP})\]\).*? by (\S+)\b)");
const Re kSendmailPort(R"(^(\S+) \(\[({IP})(?:[.:]\d+)?\]\).*? by (\S+) )");
const Re kSendmailAuthBits(R"(^(\S+) \((\S+) \[({IP})\]\)(?: \(authenticated bits=\d+\))? by (\S+) \()");
const Re kFetcher(R"(with (?:POP3|IMAP))");

Step NonStandardB(const std::string& s, Fields* f) {
  if (Has(s, kViaHttpEnd) && Has(s, kYahooHttp, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kAsUser, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kParenRdnsIp, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kBracketIpBy, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kParenIpBy, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kMdaemon, &f->helo, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kMdaemon19, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kSendmailNoRdns, &f->helo, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  std::string rdns;
  if (Has(s, kSendmailLoose, &f->helo, &rdns, &f->ip, &f->by)) {
    if (rdns != "softdnserr") {  // couriertcpd: no lookup was made
      f->mta_looked_up_dns = true;
      f->rdns = rdns;
    }
    return Step::kEnough;
  }
  if (Has(s, kSendmailPort, &f->helo, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kSendmailAuthBits, &f->helo, &f->rdns, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kFetcher)) return Step::kFetcher;
  return Step::kOn;
}

const Re kQmailish(R"(^(\S+) \((?:HELO|EHLO) ([^)]*)\) \((\S*@)?\[?({IP})\]?\).* by (\S+) )");
const Re kQmailishNoHelo(R"(^(\S+) \((\S*@)?\[?({IP})\]?\).* by (\S+) )");
const Re kWithHttpFor(R"( with http for )");
const Re kOutblaze(R"(^\[({IP})\] by (\S+) with http for )");
const Re kViaSmap(R"( via smap )");
const Re kSmap(R"(^(\S+)\(({IP})\) by (\S+) via smap )");
const Re kSmapHelo(R"(^(\S+)\(({IP}), (?:HELO|EHLO) (\S*)\) by (\S+) via smap )");
const Re kPostOffice(R"( \(Post)");
const Re kPostOfficeRelay(R"(^\[({IP})\] by (\S+) \(Post)");
const Re kArgosoft(R"( \(ArGoSoft)");
const Re kArgosoftRelay(R"(^\[({IP})\] by (\S+) \(ArGoSoft)");
const Re kInterscan(R"(^({IP}) by (\S+) \((?:SMTPL|InterScan)\b)");
const Re kBsmtp(R"( with BSMTP)");
const Re kBsmtpLine(R"(^\S+ by \S+ with BSMTP)");

void StripIdentAt(Fields* f) {
  if (!f->ident.empty() && f->ident.back() == '@') f->ident.pop_back();
}

Step NonStandardC(const std::string& s, Fields* f) {
  if (Has(s, kQmailish, &f->rdns, &f->helo, &f->ident, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    StripIdentAt(f);
    return Step::kEnough;
  }
  if (Has(s, kQmailishNoHelo, &f->rdns, &f->ident, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    f->helo = f->rdns;
    StripIdentAt(f);
    return Step::kEnough;
  }
  if (Has(s, kWithHttpFor) && Has(s, kOutblaze, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kViaSmap) && Has(s, kSmap, &f->rdns, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kSmapHelo, &f->rdns, &f->ip, &f->helo, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kPostOffice) && Has(s, kPostOfficeRelay, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kArgosoft) && Has(s, kArgosoftRelay, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kInterscan, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kBsmtp) && Has(s, kBsmtpLine)) return Step::kSkip;
  return Step::kOn;
}

const Re kSpike(R"(^(\S+) \((\S+) \[({IP})\]\) by (\S+) with )");
const Re kYahooHelo(R"(^(\S+) \((?:HELO|EHLO) (\S*)\) \((?:(\S+)@)?({IP}).*?\) by (\S+) with )");
const Re kCgpAccount(R"(^\[({IP})\] \((?:account \S+ )?(?:HELO|EHLO) (\S*)\) by (\S+) \()");
const Re kCgpMarker(R"( \(CommuniGate Pro)");
const Re kCgpVerified(R"(^(\S+) \(\[({IP})\] verified\) by (\S+) \()");
const Re kParenBracketWith(R"(^\(\[({IP})\]\) by (\S+) with )");
const Re kIronport(R"(^([^\d]\S+) \(({IP})\) by (\S+) )");
const Re kContentTech(R"(^\S+ \(\S+\) by \S+ \(Content Technologies )");
const Re kDoubleBracket(R"(^(\S+) \(\[({IP})\] \[\S+\]\) by (\S+) with )");
const Re kIpByWith(R"(^({IP}) by (\S+) with )");
const Re kPobox(R"(^(\S+) \((\S+)\[({IP})\]\) by (\S+) )");
const Re kFsecure(R"(^\[({IP})\]\S+ \((?:HELO|EHLO) (\S*)\) by (\S+) )");
const Re kIpHelo(R"(^({IP}) \((?:HELO|EHLO) (\S*)\) by (\S+) )");
const Re kSmtpd32(R"(^(\S+) \[({IP})\] by (\S+) )");
const Re kCsmap(R"(^(\S+)\(({IP})\) by (\S+) )");
const Re kMailGate(R"(^\[({IP})\] by (\S+) \(MailGate )");
const Re kUnverified(R"(^(\S+) \(unverified \[({IP})\]\) by (\S+) )");
const Re kIpCommentWith(R"(^({IP}) \([A-Za-z][^)]+\) by (\S+) with )");
const Re kBracketComment(R"(^\[({IP})\] \(([^)]+)\) by (\S+) )");
const Re kRdnsIdentIpWith(R"(^(\S+) \((?:\S+@)?({IP})\) by (\S+) with )");
const Re kObtuse(R"re(^(\S+)\(({IP})\)(?:, claiming to be "(\S+)")? via \S+ by (\S+),)re");
const Re kYahooLogin(R"(^(\S+) \(\S+@({IP}) with login\) by (\S+\.yahoo\.com) with SMTP)");
const Re kOriginatingIp(R"(^X-Originating-IP: ({IP})$)");

Step NonStandardD(const std::string& s, Fields* f) {
  std::string sub;
  if (Has(s, kSpike, &f->helo, &f->rdns, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kYahooHelo, &f->rdns, &f->helo, &f->ident, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kCgpAccount, &f->ip, &f->helo, &f->by)) return Step::kEnough;
  if (Has(s, kCgpMarker) && Has(s, kCgpVerified, &f->rdns, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    f->helo = f->rdns;
    return Step::kEnough;
  }
  if (Has(s, kParenBracketWith, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kIronport, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kContentTech)) return Step::kSkip;
  if (Has(s, kDoubleBracket, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kIpByWith, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kPobox, &f->helo, &f->rdns, &f->ip, &f->by)) {
    f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kFsecure, &f->ip, &f->helo, &f->by)) return Step::kEnough;
  if (Has(s, kIpHelo, &f->ip, &f->helo, &f->by)) return Step::kEnough;
  if (Has(s, kSmtpd32, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kCsmap, &f->rdns, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kMailGate, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kUnverified, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kIpCommentWith, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kBracketComment, &f->ip, &sub, &f->by)) {
    HeloIdentOf(sub, f);
    return Step::kEnough;
  }
  if (Has(s, kRdnsIdentIpWith, &f->rdns, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kObtuse, &f->rdns, &f->ip, &f->helo, &f->by)) {
    if (f->rdns != "UNKNOWN") f->mta_looked_up_dns = true;
    return Step::kEnough;
  }
  if (Has(s, kYahooLogin, &f->helo, &f->ip, &f->by)) return Step::kEnough;
  if (Has(s, kOriginatingIp, &f->ip)) {
    f->by.clear();
    return Step::kEnough;
  }
  return Step::kOn;
}

// Handovers known to carry nothing usable (local submission, no IP).
const std::vector<const Re*>& IgnoredFormats() {
  static const Re a(R"(^\S+ \([^\s@]+@{LH}\) by \S+ \()");
  static const Re b(R"(^\S+ \S+ by \S+ with local-e?smtp )");
  static const Re c(R"(^127\.0\.0\.1 \(AVG SMTP \S+ \[\S+\]\))");
  static const Re d(R"(^\S+@\S+ by \S+ by uid \S+ )");
  static const Re e(R"(^\S+@\S+ by \S+ )");
  static const Re f(R"(^Unknown/Local \()");
  static const Re g(R"(^{LH} \((?:\S+@)?{LH}[)\[])");
  static const Re h(R"(^\S+ \((?:\S+@)?{LH}\) )");
  static const Re i(R"(^\S+ \(\S+@\S+ \[{LH}\]\) )");
  static const Re j(R"(^\(AUTH: \S+\) by \S+ with )");
  static const Re k(R"(^localhost \(localhost \[\[UNIX: localhost\]\]\) by )");
  static const Re l(R"(^\S+\.amazon\.com by \S+\.amazon\.com with ESMTP \(peer crosscheck: )");
  static const Re m(R"(^[^.]+ by \S+ with Novell_GroupWise)");
  static const Re n(R"(^no\.name\.available by \S+ via smtpd \(for )");
  static const std::vector<const Re*> all = {&a, &b, &c, &d, &e, &f, &g, &h, &i, &j, &k, &l, &m, &n};
  return all;
}

const std::vector<const Re*>& IgnoredFormatsAfterQmailScanner() {
  static const Re a(R"(^\S+ by \S+ with local)");
  static const Re b(R"(^\S+ \(\[unix socket\]\) by \S+ \(Cyrus v[0-9]*?\.[0-9]*?\.[0-9]*?\) with LMTPA)");
  static const Re c(R"(^\S+ by \S+ (?:with|via|for|\())");
  static const Re d(R"(^\S+ (?:(?:with|via|for) \S+|\(unverified\)) by\b)");
  static const Re e(R"(^\S+ \(unknown\) by \S+ \(SG\) with \b)");
  static const Re f(R"(^\S+ \(\S+ \[local\]\) by \S+ \(OpenSMTPD\) with \b)");
  static const Re g(R"(\(LSMTP for)");
  static const Re h(R"(^\(\[{LH}\]\) with MailEnable )");
  static const Re i(R"(^facebook\.com \([^)]+\) by facebook\.com with Thrift id \S+$)");
  static const Re j(R"(^\S+ named \S+ by gmailapi\.google\.com with HTTPREST$)");
  static const Re k(R"(^\S+ id \S+$)");
  static const Re l(R"(^\[<.*? \(Jetsend)");
  static const std::vector<const Re*> all = {&a, &b, &c, &d, &e, &f, &g, &h, &i, &j, &k, &l};
  return all;
}

bool AnyMatches(const std::string& s, const std::vector<const Re*>& patterns) {
  for (const Re* p : patterns)
    if (Has(s, *p)) return true;
  return false;
}

const Re kQmailScanner(R"(^\S+ by \S+ \(.{0,100}\) with qmail-scanner)");
const Re kGuessHelo(R"(^(\S+)[^-A-Za-z0-9.])");

// The "from ..." formats (the leading "from " already removed).
Step FromFormats(const std::string& s, Fields* f) {
  if (Has(s, kEnvFrom, &f->envfrom)) f->has_envfrom = true;
  using Branch = Step (*)(const std::string&, Fields*);
  for (Branch b : {WebMail, MicrosoftXmailEcelerity}) {
    Step step = b(s, f);
    if (step != Step::kOn) return step;
  }
  // SpamAssassin's if/elsif: Exim only when none of the branches above had
  // its marker; Postfix, Scalix and Domino only when Exim's is missing.
  bool earlier_marker = Has(s, kSmtpsvc) || Has(s, kMsSmtpServer) || Has(s, kXmail) || Has(s, kEcelerity);
  if (!earlier_marker && Has(s, kExim)) {
    Step step = Exim(s, f);
    if (step != Step::kOn) return step;
  } else if (!earlier_marker) {
    Step step = PostfixScalixDomino(s, f);
    if (step != Step::kOn) return step;
  }
  for (Branch b : {SendmailFirst, NonStandardA, Qmail, NonStandardB, NonStandardC, NonStandardD}) {
    Step step = b(s, f);
    if (step != Step::kOn) return step;
  }
  if (AnyMatches(s, IgnoredFormats())) return Step::kSkip;
  if (Has(s, kQmailScanner)) return Step::kQmailScanner;
  if (AnyMatches(s, IgnoredFormatsAfterQmailScanner())) return Step::kSkip;
  if (f->helo.empty()) Has(s, kGuessHelo, &f->helo);
  return Step::kOn;
}

const Re kSimta(R"(^(\S+) \((\S+) \[({IP})\]\) BY (\S+) (?:\([^)]+\) WITH SMTP )?ID <?(\S+?)>?(?: FOR <[^>]+>)?$)");
const Re kNavgw(R"(^(\S*) \[({IP})\]\) by (\S+) \(NAVGW .*?\) with )");
const Re kSubmitLocal(R"(^\S+@localhost\) by \S+ )");
const Re kJqueue(R"(^[^\s@]+@[^)]+\) by \S+\(jqueuemail\) id [^\s;]+)");
const Re kAnyBracketIp(R"(\[({IP})\])");

// ---- the final clean-up ----------------------------------------------------

const Re kUnknownRdns(R"((?i)^unknown$)");
const Re kIpv6Prefix(R"((?i)^ipv6:)");
const Re kZone(R"((?i)%[A-Z0-9._~-]*$)");
const Re kMappedV4(R"((?i)^0*:0*:(?:0*:)*ffff:(\d+\.\d+\.\d+\.\d+)$)");
const Re kInvalidChars(R"([\s\x00#\[\]()<>|])");
const Re kEnvFromLead(R"(^\s*<*)");
const Re kEnvFromTrail(R"(>*\s*$)");

void ReplaceInvalid(std::string* s) { RE2::GlobalReplace(s, kInvalidChars.re, "!"); }

Relay Finish(Fields f) {
  while (!f.rdns.empty() && f.rdns.back() == '.') f.rdns.pop_back();
  if (Has(f.rdns, kUnknownRdns) || (!f.rdns.empty() && f.rdns[0] == '[')) f.rdns.clear();
  RE2::Replace(&f.ip, kIpv6Prefix.re, "");
  if (!f.ip.empty() && f.ip.front() == '[') f.ip.erase(0, 1);
  if (!f.ip.empty() && f.ip.back() == ']') f.ip.pop_back();
  RE2::Replace(&f.ip, kZone.re, "");
  RE2::Replace(&f.ip, kMappedV4.re, "\\1");
  if (!f.by.empty() && f.by.back() == ';') f.by.pop_back();
  for (std::string* s : {&f.ip, &f.rdns, &f.helo, &f.by, &f.ident}) ReplaceInvalid(s);
  if (f.has_envfrom) {
    RE2::Replace(&f.envfrom, kEnvFromLead.re, "");
    RE2::Replace(&f.envfrom, kEnvFromTrail.re, "");
    ReplaceInvalid(&f.envfrom);
  }
  Relay r;
  r.ip = f.ip;
  r.rdns = f.rdns;
  r.helo = f.helo;
  r.by = f.by;
  r.ident = f.ident;
  r.envfrom = f.envfrom;
  r.id = f.id;
  r.auth = f.auth;
  r.ip_private = IsPrivateIp(r.ip);
  return r;
}

Step OtherFormats(std::string* s, Fields* f) {
  if (s->compare(0, 5, "FROM ") == 0) {
    s->erase(0, 5);
    if (Has(*s, kSimta, &f->helo, &f->rdns, &f->ip, &f->by, &f->id)) {
      if (f->rdns == "unverified") f->rdns.clear();
      return Step::kEnough;
    }
  } else if (s->compare(0, 6, "(from ") == 0) {
    s->erase(0, 6);
    if (Has(*s, kNavgw, &f->helo, &f->ip, &f->by)) return Step::kEnough;
    if (Has(*s, kSubmitLocal) || Has(*s, kJqueue)) return Step::kSkip;
  }
  return Step::kOn;
}

}  // namespace

bool IsPrivateIp(std::string_view ip) {
  static const Re v4(R"(^(?:10|127|169\.254|172\.(?:1[6-9]|2[0-9]|3[01])|192\.168|100\.(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7]))\.)");
  static const Re mapped(
      R"((?i)^(?:IPv6:)?(?:(?:0{1,4}:){5}ffff:|::(?:0{1,4}:){0,4}ffff:|(?:0{1,4}:){1,4}:ffff:|0{1,4}::(?:0{1,4}:){1,3}ffff:|(?:0{1,4}:){2}:0{1,2}:ffff:|(?:0{1,4}:){3}:0:ffff:|(?:0{1,4}:){4}:ffff:)(?:10|127|169\.254|172\.(?:1[6-9]|2[0-9]|3[01])|192\.168|100\.(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7]))\.)");
  static const Re v6(
      R"((?i)^(?:IPv6:)?(?:fe[89ab][0-9a-f]:|(?:(?:0{1,4}:){7}0{0,3}1|:(?::0{1,4}){0,6}:0{0,3}1|0{1,4}:(?::0{1,4}){0,5}:0{0,3}1|(?:0{1,4}:){2}(?::0{1,4}){0,4}:0{0,3}1|(?:0{1,4}:){3}(?::0{1,4}){0,3}:0{0,3}1|(?:0{1,4}:){4}(?::0{1,4}){0,2}:0{0,3}1|(?:0{1,4}:){5}(?::0{1,4}){0,1}:0{0,3}1|(?:0{1,4}:){6}:0{0,3}1)(?:[^a-f0-9:]|$)))");
  std::string s(ip);
  return Has(s, v4) || Has(s, mapped) || Has(s, v6);
}

std::string RelayString(const Relay& r) {
  return "[ ip=" + r.ip + " rdns=" + r.rdns + " helo=" + r.helo + " by=" + r.by + " ident=" + r.ident +
         " envfrom=" + r.envfrom + " intl=" + (r.internal ? "1" : "0") + " id=" + r.id + " auth=" + r.auth +
         " msa=" + (r.msa ? "1" : "0") + " ]";
}

bool ReceivedPatternsCompile() {
  ParseReceived("");  // makes the function statics exist
  IsPrivateIp("");
  for (const RE2* re : Registry())
    if (!re->ok()) return false;
  return true;
}

ReceivedParse ParseReceived(std::string_view value) {
  ReceivedParse out;
  std::string s = Normalize(value);
  std::string first;
  if (!Has(s, kStartsFrom) || Has(s, kWithLocalFor) ||
      (Has(s, kFromByNoInfo, &first) && !Has(first, kBracketV4))) {
    out.kind = ReceivedKind::kSkipped;
    return out;
  }
  RE2::Replace(&s, kDate.re, "");
  size_t paren_by = s.find(")by ");
  if (paren_by != std::string::npos) s.insert(paren_by + 1, " ");
  Fields f;
  Has(s, kId, &f.id);
  if (!Has(s, kHeloEq, &f.helo)) Has(s, kHeloWord, &f.helo);
  Has(s, kBy, &f.by);
  f.auth = AuthOf(s);
  Step step = Step::kOn;
  if (s.compare(0, 5, "from ") == 0) {
    s.erase(0, 5);
    step = FromFormats(s, &f);
  } else {
    step = OtherFormats(&s, &f);
  }
  if (step == Step::kSkip || step == Step::kFetcher) {
    out.kind = step == Step::kSkip ? ReceivedKind::kSkipped : ReceivedKind::kFetcherMarker;
    return out;
  }
  if (step == Step::kQmailScanner) {
    out.kind = ReceivedKind::kSkipped;
    out.has_qmail_scanner_envfrom = f.has_envfrom;
    if (f.has_envfrom) out.qmail_scanner_envfrom = Finish(f).envfrom;
    return out;
  }
  if (step == Step::kOn) {
    if (f.ip.empty()) Has(s, kAnyBracketIp, &f.ip);
    if (f.ip.empty() || f.by.empty()) return out;  // unparseable
  }
  out.kind = ReceivedKind::kRelay;
  out.relay = Finish(std::move(f));
  return out;
}

}  // namespace rules
}  // namespace sendguard
