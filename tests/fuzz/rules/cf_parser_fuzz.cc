// Fuzz target for the rule-file parser, the Perl->RE2 translator, the meta
// expression parser and rule-set compilation: any input must either load or
// be reported, never crash, hang or leak. The rules are compiled twice, with
// and without Hyperscan, and must give the same hits (a prefilter that
// misses a match aborts the run).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "mime/parsed_message.h"
#include "rules/cf_parser.h"
#include "rules/rule_set.h"

namespace {

std::string Describe(const sendguard::rules::ScanResult& r) {
  std::ostringstream out;
  for (const auto* list : {&r.hits, &r.subrules})
    for (const auto& h : *list) out << h.name << " " << h.count << " [" << h.matched << "]\n";
  return out.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;  // rule files are line-oriented; keep runs fast
  std::string text(reinterpret_cast<const char*>(data), size);
  sendguard::rules::ParsedRules parsed;
  sendguard::rules::LoadReport report;
  if (!sendguard::rules::ParseCfText(text, "fuzz.cf", &parsed, &report).ok()) return 0;
  sendguard::rules::LoadOptions options;
  options.strict = false;
  options.hyperscan = sendguard::rules::HyperscanUse::kNever;
  auto set = sendguard::rules::RuleSet::Compile(parsed, options, &report);
  options.hyperscan = sendguard::rules::HyperscanUse::kAlways;
  auto with_hyperscan = sendguard::rules::RuleSet::Compile(std::move(parsed), options, &report);
  if (!set.ok() || !with_hyperscan.ok()) return 0;
  sendguard::mime::ParsedMessage msg;
  msg.headers.push_back({"Subject", " hello", "hello"});
  msg.body = "hello\nworld 123 http://192.0.2.1/x\n";
  msg.rawbody = msg.body;
  msg.full = "Subject: hello\n\n" + msg.body;
  msg.uris.push_back("http://192.0.2.1/x");
  sendguard::rules::ScanResult result, hs_result;
  bool ok = (*set)->Scan(msg, &result).ok();
  bool hs_ok = (*with_hyperscan)->Scan(msg, &hs_result).ok();
  if (ok != hs_ok || Describe(result) != Describe(hs_result)) std::abort();
  return 0;
}
