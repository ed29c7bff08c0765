// rules/commands.cc — `sendguard lint` and `sendguard scan`.
#include "rules/commands.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

#include "rules/relays.h"

namespace sendguard {
namespace rules {
namespace {

// "5", or "off" for a threshold the class does not set.
std::string ThresholdText(const std::optional<double>& threshold) {
  if (!threshold) return "off";
  std::ostringstream out;
  out << *threshold;
  return out.str();
}

constexpr size_t kMaxShownMatch = 120;

struct ParsedArgs {
  bool explain = false;
  bool lenient = false;
  bool list = false;
  std::optional<RunRules> run;
  std::vector<std::string> rule_paths;
  std::vector<std::string> positional;
  std::string error;
};

ParsedArgs ParseArgs(const std::vector<std::string>& args, bool scan) {
  ParsedArgs p;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--lenient") {
      p.lenient = true;
    } else if (a == "--list") {
      p.list = true;
    } else if (scan && a == "--all") {
      p.run = RunRules::kAll;
    } else if (scan && a == "--run") {
      std::string mode = i + 1 < args.size() ? args[++i] : "";
      if (mode == "needed") p.run = RunRules::kNeeded;
      else if (mode == "nonzero") p.run = RunRules::kNonZero;
      else if (mode == "all") p.run = RunRules::kAll;
      else p.error = "--run needs needed, nonzero or all";
    } else if (scan && a == "--explain") {
      p.explain = true;
    } else if (scan && a == "--rules") {
      if (i + 1 >= args.size()) p.error = "--rules needs a path";
      else p.rule_paths.push_back(args[++i]);
    } else if (a.size() > 1 && a[0] == '-') {
      p.error = "unknown option " + a;
    } else {
      p.positional.push_back(a);
    }
  }
  return p;
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, kMaxShownMatch)) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '"') out += "\\\"";
    else out += c;
  }
  if (s.size() > kMaxShownMatch) out += "...";
  return out + "\"";
}

std::string FormatScore(double v) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << v;
  return s.str();
}

void PrintProblems(const LoadReport& report, std::ostream& out) {
  for (const Problem& p : report.problems) {
    out << p.file << ":" << p.line << ": " << (p.rule.empty() ? "" : p.rule + ": ")
        << (p.severity == Severity::kError ? "error: " : "warning: ") << p.reason << "\n";
  }
}

bool ReadFile(const std::string& path, std::string* data) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *data = buffer.str();
  return !in.bad();
}

void PrintMessage(const mime::ParsedMessage& msg, bool explain, std::ostream& out) {
  out << "parts:\n";
  for (const mime::PartInfo& p : msg.parts) {
    out << "  " << std::string(p.depth * 2, ' ') << p.content_type
        << (p.charset.empty() ? "" : "; charset=" + p.charset) << "; " << p.decoded_size << " bytes"
        << (p.encoding.empty() ? "" : " (" + p.encoding + ")")
        << (p.filename.empty() ? "" : " name=" + Quoted(p.filename)) << "\n";
  }
  out << "headers:\n";
  for (const mime::Header& h : msg.headers) out << "  " << h.name << ": " << h.decoded << "\n";
  if (!explain) return;
  out << "uris:\n";
  for (const std::string& u : msg.uris) out << "  " << u << "\n";
  out << "body:\n";
  std::istringstream body(msg.body);
  for (std::string line; std::getline(body, line);) out << "  | " << line << "\n";
  for (const std::string& w : msg.warnings) out << "mime warning: " << w << "\n";
  if (msg.truncated) out << "mime warning: message truncated by the scan limits\n";
}

void PrintHit(const RuleHit& h, std::ostream& out) {
  out << "  " << std::setw(6) << FormatScore(h.score) << "  " << h.name;
  if (h.count > 1) out << " (x" << h.count << ")";
  if (!h.describe.empty()) out << "  " << h.describe;
  out << "\n";
  if (!h.matched.empty()) out << "          matched: " << Quoted(h.matched) << "\n";
}

Result<std::shared_ptr<const RuleSet>> LoadForCommand(const std::vector<std::string>& paths,
                                                      const CommandOptions& options, bool lenient,
                                                      RunRules run, LoadReport* report) {
  LoadOptions load = options.load;
  if (lenient) load.strict = false;
  load.run = run;
  return RuleSet::Load(paths, load, report);
}

// One line: FILE, total, scoring hits, sub-rule hits (comma-separated),
// tab-separated; what tests/agreement/compare.py reads.
void PrintListLine(const std::string& file, const ScanResult& result, std::ostream& out) {
  out << file << "\t" << FormatScore(result.score) << "\t";
  for (size_t i = 0; i < result.hits.size(); ++i) out << (i ? "," : "") << result.hits[i].name;
  out << "\t";
  for (size_t i = 0; i < result.subrules.size(); ++i) out << (i ? "," : "") << result.subrules[i].name;
  out << "\n";
}

void PrintVerdict(const mime::ParsedMessage& msg, const ScanResult& result, bool explain,
                  const policy::Thresholds& t, std::ostream& out) {
  PrintMessage(msg, explain, out);
  out << "hits:\n";
  for (const RuleHit& h : result.hits) PrintHit(h, out);
  if (explain) {
    out << "sub-rules (not scored):\n";
    for (const RuleHit& h : result.subrules) PrintHit(h, out);
  }
  out << "total: " << FormatScore(result.score)
      << "  action: " << policy::ContentActionName(policy::ActionForScore(result.score, t))
      << " (tag " << ThresholdText(t.tag) << ", quarantine " << ThresholdText(t.quarantine)
      << ", reject " << ThresholdText(t.reject) << ")\n";
}

// Which loaded rules the scan did not compute, and why, for --explain.
void PrintNotRun(const LoadReport& report, std::ostream& out) {
  std::map<std::string, std::vector<std::string>> by_reason;
  for (const auto& [rule, reason] : report.not_run) by_reason[reason].push_back(rule);
  out << "not run (of " << report.loaded << " loaded rules; --all runs every one):\n";
  for (const auto& [reason, rules] : by_reason) {
    out << "  " << reason << " (" << rules.size() << "):";
    for (const std::string& r : rules) out << " " << r;
    out << "\n";
  }
}

// Scans one file and prints its result; false (after saying why) on error.
bool ScanOneFile(const RuleSet& set, const std::string& file, const ParsedArgs& p,
                 const CommandOptions& options, std::ostream& out, std::ostream& err) {
  std::string raw;
  if (!ReadFile(file, &raw)) {
    err << "sendguard scan: cannot read " << file << "\n";
    return false;
  }
  mime::ParsedMessage msg = mime::Parse(raw, options.limits, set.tlds());
  // The relay path as SpamAssassin infers it without trusted_networks.
  AddRelayPseudoHeaders(&msg, TrustNetworks(), set.relay_headers_read());
  ScanResult result;
  Status s = set.Scan(msg, &result);
  if (!s.ok()) {
    err << "sendguard scan: " << file << ": " << s.ToString() << " (the daemon would tempfail)\n";
    return false;
  }
  if (p.list) PrintListLine(file, result, out);
  else PrintVerdict(msg, result, p.explain, options.thresholds, out);
  return true;
}

}  // namespace

std::string SummaryLine(const LoadReport& report) {
  std::ostringstream s;
  s << "loaded " << report.loaded << " of " << report.total << " rules (regex "
    << report.regex_loaded << " of " << report.regex_total << ")";
  int unsupported = 0;
  for (const auto& kv : report.unsupported_by_reason) unsupported += kv.second;
  s << "; " << unsupported << " unsupported";
  std::vector<std::pair<std::string, int>> by_count(report.unsupported_by_reason.begin(),
                                                    report.unsupported_by_reason.end());
  std::stable_sort(by_count.begin(), by_count.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (size_t i = 0; i < by_count.size(); ++i)
    s << (i == 0 ? ": " : ", ") << by_count[i].first << " " << by_count[i].second;
  return s.str();
}

int RunLintCommand(const std::vector<std::string>& args, const CommandOptions& options,
                   std::ostream& out, std::ostream& err) {
  ParsedArgs p = ParseArgs(args, false);
  if (!p.error.empty()) {
    err << "usage: sendguard lint [--lenient] [PATH...]: " << p.error << "\n";
    return 2;
  }
  const std::vector<std::string>& paths = p.positional.empty() ? options.default_rule_paths : p.positional;
  LoadReport report;
  // Every rule is compiled, so that each one's problems are reported.
  Result<std::shared_ptr<const RuleSet>> set =
      LoadForCommand(paths, options, p.lenient, RunRules::kAll, &report);
  PrintProblems(report, out);
  if (!set.ok() && report.errors() == 0) {
    err << "sendguard lint: " << set.status().message() << "\n";
    return 2;
  }
  if (p.list)
    for (const auto& [rule, state] : report.rule_states) out << rule << "\t" << state << "\n";
  out << SummaryLine(report) << "\n";
  return report.errors() > 0 ? 1 : 0;
}

int RunScanCommand(const std::vector<std::string>& args, const CommandOptions& options,
                   std::ostream& out, std::ostream& err) {
  ParsedArgs p = ParseArgs(args, true);
  if (p.error.empty() && p.positional.empty()) p.error = "FILE.eml expected";
  if (p.error.empty() && !p.list && p.positional.size() != 1) p.error = "exactly one FILE.eml expected (several with --list)";
  if (!p.error.empty()) {
    err << "usage: sendguard scan [--explain | --list] [--lenient] [--rules PATH]... FILE.eml...: " << p.error << "\n";
    return 2;
  }
  LoadReport report;
  auto set = LoadForCommand(p.rule_paths.empty() ? options.default_rule_paths : p.rule_paths,
                            options, p.lenient, p.run.value_or(options.load.run), &report);
  if (!set.ok()) {
    err << "sendguard scan: rules not loaded: " << set.status().message() << "\n";
    return 2;
  }
  for (const std::string& file : p.positional)
    if (!ScanOneFile(**set, file, p, options, out, err)) return 2;
  if (p.explain) PrintNotRun(report, out);
  return 0;
}

}  // namespace rules
}  // namespace sendguard
